#!/usr/bin/env bash
# Idempotent set-up: checks each tool the build and the tests need and installs what is
# missing, pinned. Downloads only from the package registries (crates.io, npm, Debian).
# Usage: scripts/setup.sh            (everything)
#        SETUP_SKIP_BROWSER=1 ...    (no Chromium; for a build-only machine)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

# Version of a package in Cargo.lock (first match).
lock_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

WASM_BINDGEN_VERSION=$(lock_version wasm-bindgen)
WORKER_VERSION=$(lock_version worker)
WASM_PACK_VERSION=0.15.1

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# The npm package's build rebuilds std from source for size (scripts/build-web.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "installing the rust-src component"
  rustup component add rust-src
fi

# 2. Cargo-installed tools, each pinned. wasm-bindgen's CLI must equal the crate in Cargo.lock.
cargo_tool() { # binary, crate, version, printed-version-pattern
  local bin=$1 crate=$2 version=$3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  say "installing $crate $version (cargo install, a few minutes)"
  # --locked first (the versions the tool was released with); when one of those was since
  # yanked from the registry, fall back to the newest compatible versions.
  cargo install "$crate" --version "=$version" --locked --quiet 2>/dev/null ||
    cargo install "$crate" --version "=$version" --quiet
}
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
cargo_tool worker-build worker-build "$WORKER_VERSION"

# 3. Chromium and its driver from Debian (real headless browser for every browser test).
if [ -z "${SETUP_SKIP_BROWSER:-}" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium and chromium-driver from Debian"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

# 4. npm dev dependencies from the committed lockfile (wrangler, binaryen, esbuild, ...).
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "ready: wasm-bindgen $WASM_BINDGEN_VERSION, wasm-pack $WASM_PACK_VERSION, worker-build $WORKER_VERSION, $(node --version)"
