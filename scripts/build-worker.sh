#!/usr/bin/env bash
# Builds the Worker into build/ (index.js + index_bg.wasm) with worker-build, offline.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# `wrangler dev` and `wrangler deploy` run this too ([build] in wrangler.toml): skip the
# rebuild when build/ is newer than every input (FORCE_BUILD=1 rebuilds anyway).
if [ -z "${FORCE_BUILD:-}" ] && [ -f build/index_bg.wasm ] && [ -f build/index.js ] &&
   [ -z "$(find src Cargo.toml Cargo.lock -newer build/index_bg.wasm -print -quit)" ]; then
  echo "build/ is up to date"
  exit 0
fi
worker-build --release --no-default-features --features worker-entry
