#!/usr/bin/env bash
# Runs every test of the project, in order, on a fresh machine too (it runs setup first):
#   fmt, clippy (native; wasm32 browser; wasm32 worker), native tests (core, emulator),
#   browser tests (wasm-pack test, headless Chromium, against the emulator),
#   Worker tests (Node's test runner + Miniflare/workerd, against the emulator), once with
#   sessions in KV and once in Durable Objects,
#   end-to-end tests (playwright-core + Chromium against wrangler dev + the emulator),
#   the OpenAPI checks (models, .d.ts and emulator against Discord's published schemas),
#   consumer tests (the packed package in Vite apps, types, dry-run deploy, cargo package).
# Fails if any layer fails or runs no test, and ends with one summary line per layer.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
START=$(date +%s)

scripts/setup.sh || { echo "setup failed"; exit 1; }

OUT="$ROOT/test-output"
rm -rf "$OUT/logs" && mkdir -p "$OUT/logs"
SUMMARY=()
FAILED=0
TOTAL_PASS=0
TOTAL_FAIL=0
PIDS=()
# Each service runs in its own process group (setsid), and the whole group is stopped: killing
# only `npx` would leave wrangler dev and its workerd running after the tests.
cleanup() { for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

# check NAME CMD...: a pass/fail gate (fmt, clippy, builds).
check() {
  local name=$1; shift
  local t0=$SECONDS
  echo "=== $name: $*"
  if "$@" >"$OUT/logs/$name.log" 2>&1; then
    SUMMARY+=("$(printf '%-16s ok (%ss)' "$name:" $((SECONDS - t0)))")
  else
    tail -n 60 "$OUT/logs/$name.log"
    SUMMARY+=("$(printf '%-16s FAILED (%ss), see test-output/logs/%s.log' "$name:" $((SECONDS - t0)) "$name")")
    FAILED=1
  fi
}

# tests NAME KIND CMD...: a test layer; KIND is cargo (libtest lines) or node (node --test).
tests() {
  local name=$1 kind=$2; shift 2
  local t0=$SECONDS log="$OUT/logs/$name.log" rc pass fail
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log" | grep -E '^(test result|# (pass|fail)|not ok|test .* FAILED|failures:)' ; rc=${PIPESTATUS[0]}
  if [ "$kind" = cargo ]; then
    pass=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
    fail=$(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
  else
    pass=$(grep -E '^# pass ' "$log" | awk '{s+=$3} END {print s+0}')
    fail=$(grep -E '^# fail ' "$log" | awk '{s+=$3} END {print s+0}')
  fi
  TOTAL_PASS=$((TOTAL_PASS + pass)); TOTAL_FAIL=$((TOTAL_FAIL + fail))
  local verdict=ok
  if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ]; then verdict=FAILED; FAILED=1; tail -n 80 "$log"; fi
  if [ "$pass" -eq 0 ]; then verdict="FAILED (no test ran)"; FAILED=1; fi
  SUMMARY+=("$(printf '%-16s %s passed, %s failed: %s (%ss)' "$name:" "$pass" "$fail" "$verdict" $((SECONDS - t0)))")
}

# start_bg NAME READY_URL CMD...: a background service for the layers below.
start_bg() {
  local name=$1 url=$2; shift 2
  setsid "$@" >"$OUT/logs/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for_url "$url" 180 || { tail -n 40 "$OUT/logs/$name.log"; return 1; }
}

NATIVE_FEATURES=(--no-default-features --features discord-oauth-wasm/worker)

check fmt cargo fmt --all -- --check
check clippy-native cargo clippy --workspace --all-targets "${NATIVE_FEATURES[@]}" -- -D warnings
check clippy-browser cargo clippy -p discord-oauth-wasm --target wasm32-unknown-unknown --lib --tests -- -D warnings
check clippy-worker cargo clippy -p discord-oauth-wasm --target wasm32-unknown-unknown --lib --no-default-features --features worker-entry -- -D warnings

tests native cargo cargo test --workspace "${NATIVE_FEATURES[@]}"
tests docs node node --test tests/docs/

# The emulator stands in for discord.com for every layer below.
EMU="http://127.0.0.1:$TEST_EMULATOR_PORT"
if cargo build -q -p discord-emulator 2>"$OUT/logs/emulator-build.log" &&
   start_bg emulator "$EMU/_emulator/counters" "$CARGO_TARGET_DIR/debug/discord-emulator" --port "$TEST_EMULATOR_PORT"; then
  export EMULATOR_URL="$EMU"

  tests browser cargo wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" -- --test browser

  check build-worker scripts/build-worker.sh
  check build-host-example scripts/build-host-example.sh
  tests worker node node --test --test-concurrency=1 tests/worker/
  # The same suite with sessions in Durable Objects (SESSION_STORE) instead of KV.
  WORKER_STORE=do tests worker-do node node --test --test-concurrency=1 tests/worker/

  check build-web scripts/build-web.sh
  # The model helpers are plain JavaScript (issue 13): the source and the shipped file against
  # the fixtures the core passes in the native layer (tests/helpers.rs).
  tests helpers node node --test tests/helpers/
  check types npx tsc --strict --noEmit -p tests/types
  check types-sdk npx tsc --noEmit -p tests/types/sdk
  # The models as Discord publishes them (issue 19): the .d.ts and the emulator's answers against
  # the vendored OpenAPI schemas of the routes we call (the Rust models: tests/openapi.rs, native).
  tests openapi node node --test --test-concurrency=1 tests/openapi/
  # As users get it (issue 17): the packed npm package in Vite apps and a plain page, its types
  # under a consumer's tsc, the dry-run deploy bundle, the crates as `cargo package` makes them.
  tests consumer node node --test --test-concurrency=1 tests/consumer/vite.test.mjs
  tests consumer-types node node --test tests/consumer/types.test.mjs
  tests deploy node node --test tests/deploy/
  tests package node node --test --test-concurrency=1 tests/package/
  if start_bg wrangler "http://127.0.0.1:$TEST_PORT/" npx wrangler dev --port "$TEST_PORT" --ip 127.0.0.1 \
       --persist-to "$OUT/wrangler-state" --show-interactive-dev-session=false \
       --var "DISCORD_API_BASE:$EMU/api/v10" --var "DISCORD_AUTHORIZE_URL:$EMU/oauth2/authorize" \
       --var "DISCORD_CLIENT_SECRET:emulator-client-secret" --var "DISCORD_BOT_TOKEN:emulator-bot-token" \
       --var "JOIN_GUILD_ALLOWLIST:1160000000000000002" \
       --var "SESSION_SECRET:e2e-session-secret-0123456789abcdef0123456789abcdef"; then
    E2E_BASE_URL="http://localhost:$TEST_PORT" tests e2e node node --test --test-concurrency=1 tests/e2e/
  else
    SUMMARY+=("e2e:             FAILED (wrangler dev did not start; see test-output/logs/wrangler.log)"); FAILED=1
  fi
else
  SUMMARY+=("emulator:        FAILED (did not build or start; see test-output/logs)"); FAILED=1
fi

echo
echo "=== summary ($(( $(date +%s) - START ))s)"
printf '%s\n' "${SUMMARY[@]}"
echo "total: $TOTAL_PASS passed, $TOTAL_FAIL failed"
exit $FAILED
