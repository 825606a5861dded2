#!/usr/bin/env bash
# Builds the npm package into pkg/ (wasm-pack --target web, release, wasm-opt -Oz), completes
# it from pkg-template/, and copies it to www/pkg/ for the demo.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
wasm-pack --log-level warn build --target web --release --out-dir pkg --out-name discord_oauth_wasm
node scripts/complete-pkg.mjs pkg
rm -rf www/pkg && mkdir -p www/pkg && cp pkg/*.js pkg/*.wasm pkg/*.d.ts www/pkg/
if [ -d pkg/snippets ]; then cp -r pkg/snippets www/pkg/; fi
