#!/usr/bin/env bash
# Builds the npm package into pkg/ (wasm-pack --target web, release, wasm-opt -Oz), completes
# it from pkg-template/ (with the plain-JS modules of src/browser/js/ and the index.js entry
# re-exporting them), and copies it to www/pkg/ for the demo.
#
# Size: the package's std is rebuilt from source (`-Zbuild-std`) with the `immediate-abort`
# panic strategy. `panic = "abort"` alone still links std's panic hook, which formats the
# message (core::fmt, every Debug impl an `expect` can reach); with immediate-abort a panic is
# a bare `unreachable` trap and none of that is linked: 4.9 KB less gzipped wasm
# (54,372 -> 49,452 B, measured 2026-11-22). The library never panics by design, so nothing is lost.
# These flags are unstable: the stable toolchain takes them with RUSTC_BOOTSTRAP=1 (as
# bench/fuzz.sh does for cargo-fuzz), and needs the `rust-src` component (scripts/setup.sh).
# BUILD_WEB_PLAIN=1 builds without them, with the stock std.
# The build has its own target directory: other flags would force a full rebuild of the
# test builds' wasm artefacts each time.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
if [ -z "${BUILD_WEB_PLAIN:-}" ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
  export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/web-build-std"
  EXTRA=(-Zbuild-std=std,panic_abort)
else
  EXTRA=()
fi
wasm-pack --log-level warn build --target web --release --out-dir pkg --out-name discord_oauth_wasm . \
  -- "${EXTRA[@]}"
node scripts/complete-pkg.mjs pkg
rm -rf www/pkg && mkdir -p www/pkg && cp pkg/*.js pkg/*.wasm pkg/*.d.ts www/pkg/
if [ -d pkg/snippets ]; then cp -r pkg/snippets www/pkg/; fi
# The shipped JavaScript is minified (the readable sources stay in src/browser/): the generated
# glue, the shell snippet and the plain-JS modules, each in place, exports kept
# (docs/browser.md, size rules). BUILD_WEB_READABLE=1 ships them as written.
if [ -z "${BUILD_WEB_READABLE:-}" ]; then
  find pkg -name '*.js' -print0 | while IFS= read -r -d '' f; do
    esbuild "$f" --minify --format=esm --log-level=error --outfile="$f" --allow-overwrite
  done
  rm -rf www/pkg && mkdir -p www/pkg && cp pkg/*.js pkg/*.wasm pkg/*.d.ts www/pkg/
  if [ -d pkg/snippets ]; then cp -r pkg/snippets www/pkg/; fi
fi
