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
# std rebuilt with the immediate-abort panic strategy (env.sh): 353,407 -> 332,256 B gzipped
# (measured 2026-12-03). WORKER_PLAIN_STD=1 builds with the stock std.
BUILD_STD_ARGS=()
if [ -z "${WORKER_PLAIN_STD:-}" ]; then use_immediate_abort_std worker-build-std; fi
worker-build --release --no-default-features --features worker-entry "${BUILD_STD_ARGS[@]}"
# worker-build's wasm-opt pass keeps the `name` section (every function's Rust path): 239 KB of
# the wasm, 61 KB gzipped (462,106 -> 401,446 B, measured 2026-12-03). The Worker is built with
# panic = "abort" and never panics by design, so those names would only label a trap's stack
# in `wrangler tail`; a deployed Worker pays for them on every cold start. Strip them (and the
# producers section). Set WORKER_KEEP_NAMES=1 to keep them when debugging a trap.
if [ -z "${WORKER_KEEP_NAMES:-}" ]; then
  wasm-opt build/index_bg.wasm -o build/index_bg.wasm --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue
fi
# The entry: worker-build's module with the session store's class made a `DurableObject`
# (env.sh, write_rpc_entry), so that the Worker calls its objects over RPC.
write_rpc_entry build
