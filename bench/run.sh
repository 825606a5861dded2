#!/usr/bin/env bash
# The bench command: builds everything in release, then measures and writes BENCHMARKS.md.
#   bench/run.sh                 # everything (about 30 minutes on 2 cores)
#   BENCH_SKIP_FUZZ=1 bench/run.sh
# Knobs: BENCH_DURATION (s per load run, 10), BENCH_ROUNDS (interleaved load rounds, 5), BENCH_MODES (session modes
# of the load and cold-start steps, kv,do), COLD_SAMPLES (11), BENCH_RUNS (page loads, 15), SOAK_REQUESTS (20000),
# FUZZ_SECONDS (per target, 120), BENCH_OIDC_TOKENS (code exchanges per Worker, 300), BENCH_ID_TOKENS (id_token
# verifications per implementation, 300), BENCH_OIDC_EMULATOR_PORT (the OpenID provider step's emulator, 28793).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$ROOT"
scripts/setup.sh
mkdir -p bench/out
scripts/build-web.sh
scripts/build-worker.sh
cargo build -q --release -p discord-emulator

echo "[bench] sizes";  node bench/sizes.mjs > bench/out/sizes.json
echo "[bench] init";   node bench/init.mjs > bench/out/init.json
echo "[bench] load";   node bench/load.mjs > bench/out/load.json    # KV and Durable Object modes
echo "[bench] cold";   node bench/cold.mjs > bench/out/cold.json    # new isolate to first answer
echo "[bench] soak";   node bench/soak.mjs                          # writes bench/out/soak.json
echo "[bench] soak (Durable Objects)"; SOAK_STORE=do node bench/soak.mjs   # writes bench/out/soak-do.json
# OpenID Connect (#20). The provider's /oidc/token logs in through an emulator of its own, stopped after the step
# (and on any exit).
OIDC_EMU_PORT="${BENCH_OIDC_EMULATOR_PORT:-28793}"
"$CARGO_TARGET_DIR/release/discord-emulator" --port "$OIDC_EMU_PORT" --quiet > bench/out/oidc-emulator.log 2>&1 &
OIDC_EMU_PID=$!
trap 'kill "$OIDC_EMU_PID" 2>/dev/null || true' EXIT
wait_for_url "http://127.0.0.1:$OIDC_EMU_PORT/_emulator/counters" 60
echo "[bench] oidc-token"
EMULATOR_URL="http://127.0.0.1:$OIDC_EMU_PORT" node bench/oidc-token.mjs "${BENCH_OIDC_TOKENS:-300}" > bench/out/oidc-token.json
kill "$OIDC_EMU_PID" 2>/dev/null || true
echo "[bench] id-token"; node bench/id-token.mjs > bench/out/id-token.json   # in Chromium, beside jose
if [ -z "${BENCH_SKIP_FUZZ:-}" ] && [ -x bench/fuzz.sh ]; then
  echo "[bench] fuzz"; bench/fuzz.sh "${FUZZ_SECONDS:-120}"
fi
node bench/report.mjs > BENCHMARKS.md
echo "[bench] wrote BENCHMARKS.md"
