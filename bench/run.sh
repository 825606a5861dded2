#!/usr/bin/env bash
# The bench command: builds everything in release, then measures and writes BENCHMARKS.md.
#   bench/run.sh                 # everything (about 30 minutes on 2 cores)
#   BENCH_SKIP_FUZZ=1 bench/run.sh
# Knobs: BENCH_DURATION (s per load run, 10), BENCH_ROUNDS (interleaved load rounds, 5), BENCH_MODES (session modes
# of the load and cold-start steps, kv,do), COLD_SAMPLES (11), BENCH_RUNS (page loads, 15), SOAK_REQUESTS (20000),
# FUZZ_SECONDS (per target, 120).
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
if [ -z "${BENCH_SKIP_FUZZ:-}" ] && [ -x bench/fuzz.sh ]; then
  echo "[bench] fuzz"; bench/fuzz.sh "${FUZZ_SECONDS:-120}"
fi
node bench/report.mjs > BENCHMARKS.md
echo "[bench] wrote BENCHMARKS.md"
