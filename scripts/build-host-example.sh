#!/usr/bin/env bash
# Builds the host Worker example (examples/host-worker: discord-oauth-wasm mounted as a
# library) into examples/host-worker/build/, offline, for tests/worker/library.test.mjs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT/examples/host-worker"
if [ -z "${FORCE_BUILD:-}" ] && [ -f build/index_bg.wasm ] && [ -f build/index.js ] &&
   [ -z "$(find src Cargo.toml "$ROOT/src" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer build/index_bg.wasm -print -quit)" ]; then
  echo "examples/host-worker/build/ is up to date"
  exit 0
fi
worker-build --release
# The entry that makes the session store's class a DurableObject (RPC from the library).
write_rpc_entry build
