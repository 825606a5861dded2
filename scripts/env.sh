# Sourced by the other scripts: paths, pinned tool locations, ports. Not run on its own.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# worker-build and wasm-pack must never download: point them at what setup installed.
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$HOME/.cargo/bin/wasm-bindgen}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$ROOT/node_modules/.bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$ROOT/node_modules/.bin/esbuild}"
export WRANGLER_SEND_METRICS=false
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# The demo's ports; the tests use their own so that both can run at once.
export DEMO_PORT="${DEMO_PORT:-8787}"
export DEMO_EMULATOR_PORT="${DEMO_EMULATOR_PORT:-8790}"
export TEST_PORT="${TEST_PORT:-18787}"
export TEST_EMULATOR_PORT="${TEST_EMULATOR_PORT:-18790}"

# Waits until a URL answers (any status), at most $2 seconds.
wait_for_url() {
  local url=$1 limit=${2:-60} i=0
  until curl -s -o /dev/null "$url"; do
    i=$((i + 1))
    [ "$i" -ge $((limit * 5)) ] && { echo "timed out waiting for $url" >&2; return 1; }
    sleep 0.2
  done
}

# The entry of a worker-build output directory ($1): worker-build's module, moved to
# $1/core.mjs, under a $1/index.js that makes the session store's class a `DurableObject`,
# which is what lets the Worker call its objects over RPC (`stub.readSession()` and
# `stub.call(...)`, src/worker/objects.rs; docs/worker.md "Calls out of the Worker").
# worker-build exports the class as a Proxy of wasm-bindgen's class, which the runtime only
# lets callers reach over `fetch`. The prototype links are all this adds: no logic moves to
# JavaScript. Used by scripts/build-worker.sh and scripts/build-host-example.sh; a host Worker
# of a library user does the same (README, "Your own Worker").
write_rpc_entry() {
  local dir=$1
  mv "$dir/index.js" "$dir/core.mjs"
  cat > "$dir/index.js" <<'JS'
// The Worker's entry, written by write_rpc_entry (scripts/env.sh): worker-build's module
// (core.mjs) with DiscordSessionStore made a DurableObject so that its methods are reachable over RPC.
import { DurableObject } from "cloudflare:workers";
import worker, { DiscordSessionStore as Store } from "./core.mjs";
Object.setPrototypeOf(Store.prototype, DurableObject.prototype);
Object.setPrototypeOf(Store, DurableObject);
export { Store as DiscordSessionStore };
export default worker;
JS
}

# std rebuilt from source with the `immediate-abort` panic strategy, for the wasm builds
# (scripts/build-web.sh, scripts/build-worker.sh): `panic = "abort"` alone still links std's
# panic hook, which formats the message (core::fmt, every Debug impl an `expect` can reach);
# with immediate-abort a panic is a bare `unreachable` trap and none of that is linked. The
# library never panics by design, so nothing is lost. The flags are unstable: the stable
# toolchain takes them with RUSTC_BOOTSTRAP=1 (as bench/fuzz.sh does for cargo-fuzz) and needs
# the `rust-src` component (scripts/setup.sh). Each build gets a target directory of its own
# ($1 under $CARGO_TARGET_DIR): other flags would force a full rebuild of the test builds'
# wasm artefacts each time. Sets BUILD_STD_ARGS, the arguments for `cargo build`.
use_immediate_abort_std() {
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
  export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/$1"
  BUILD_STD_ARGS=(-Zbuild-std=std,panic_abort)
}
