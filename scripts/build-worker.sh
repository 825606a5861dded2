#!/usr/bin/env bash
# Builds the Worker into build/ (index.js + index_bg.wasm) with worker-build, offline.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
worker-build --release --no-default-features --features worker-entry
