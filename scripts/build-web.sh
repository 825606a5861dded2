#!/usr/bin/env bash
# Builds the npm package into pkg/ (wasm-pack --target web, release, wasm-opt -Oz), completes
# it from pkg-template/ (with the plain-JS modules of src/browser/js/ and the index.js entry
# re-exporting them), and copies it to www/pkg/ for the demo.
#
# Size: std is rebuilt with the `immediate-abort` panic strategy (env.sh,
# use_immediate_abort_std): no panic formatting is linked, 4.9 KB less gzipped wasm
# (54,372 -> 49,452 B, measured 2026-11-22). BUILD_WEB_PLAIN=1 builds with the stock std.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
BUILD_STD_ARGS=()
if [ -z "${BUILD_WEB_PLAIN:-}" ]; then use_immediate_abort_std web-build-std; fi
wasm-pack --log-level warn build --target web --release --out-dir pkg --out-name discord_oauth_wasm . \
  -- "${BUILD_STD_ARGS[@]}"
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
