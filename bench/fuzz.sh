#!/usr/bin/env bash
# Fuzzes the transport-free core with cargo-fuzz (libFuzzer): every target in fuzz/ for
# SECONDS_PER_TARGET (default 120), one after the other, on one core.
#
#   bench/fuzz.sh [SECONDS_PER_TARGET]
#
# Prints per target: executions, seconds, crashes, corpus size; writes bench/out/fuzz.json
# (read by bench/report.mjs into BENCHMARKS.md) and each libFuzzer log as
# bench/out/fuzz-<target>.log. Exits non-zero if any target crashed; the crashing input is
# kept under fuzz/artifacts/<target>/ (reproduce: cargo fuzz run <target> <that file>).
#
# The seeds in fuzz/corpus/<target>/ are only read: libFuzzer writes new inputs into the
# first corpus directory it is given, which here is a temporary one (FUZZ_KEEP_CORPUS=1
# keeps it and prints where).
#
# Toolchain: the machine has stable Rust only. cargo-fuzz passes nightly flags
# (-Zsanitizer=..., -Cpasses=sancov-module), so this runs with RUSTC_BOOTSTRAP=1. The
# default sanitizer is AddressSanitizer; it works on stable with RUSTC_BOOTSTRAP=1 (std is
# not instrumented, the crate and its dependencies are). If building with it fails, the
# script falls back to `--sanitizer none` (coverage-guided fuzzing without ASan, still
# with debug assertions and overflow checks). FUZZ_SANITIZER=none|address forces one.
#
# Knobs: FUZZ_TARGET_DIR (default target-fuzz), FUZZ_TARGETS (space-separated subset),
# FUZZ_SANITIZER, FUZZ_KEEP_CORPUS, FUZZ_RUNS (stop a target after that many executions,
# whichever of it and SECONDS_PER_TARGET comes first: the long run is
# `FUZZ_RUNS=10000000 bench/fuzz.sh 3600`).
set -uo pipefail

SECS=${1:-${FUZZ_SECONDS:-120}}
RUNS=${FUZZ_RUNS:-}
RUNS_FLAG=()
[ -n "$RUNS" ] && RUNS_FLAG=(-runs="$RUNS")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# Its own target dir: fuzz builds use other RUSTFLAGS and would evict the normal builds.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$ROOT/target-fuzz}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

log() { echo "[fuzz] $*" >&2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz || {
    log "could not install cargo-fuzz"; exit 2; }
fi

SAN=${FUZZ_SANITIZER:-}
if [ -z "$SAN" ]; then
  if cargo fuzz build --sanitizer address >"$OUT/fuzz-build.log" 2>&1; then
    SAN=address
  else
    log "building with AddressSanitizer failed (see bench/out/fuzz-build.log); using --sanitizer none"
    SAN=none
  fi
fi
if ! cargo fuzz build --sanitizer "$SAN" >>"$OUT/fuzz-build.log" 2>&1; then
  log "cargo fuzz build --sanitizer $SAN failed:"; tail -30 "$OUT/fuzz-build.log" >&2; exit 2
fi
log "sanitizer: $SAN, $SECS s per target, target dir $CARGO_TARGET_DIR"

TARGETS=${FUZZ_TARGETS:-$(cargo fuzz list)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-corpus.XXXXXX")
[ -n "${FUZZ_KEEP_CORPUS:-}" ] || trap 'rm -rf "$WORK"' EXIT

json_targets=()
failed=0
printf '%-20s %12s %8s %8s %10s %8s\n' target executions seconds crashes corpus seeds >&2
for t in $TARGETS; do
  mkdir -p "$WORK/$t" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  start=$(date +%s.%N)
  # The grown corpus goes to $WORK/$t (first directory); the seeds are read only.
  cargo fuzz run --sanitizer "$SAN" "$t" "$WORK/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECS" "${RUNS_FLAG[@]}" -timeout=30 -print_final_stats=1 \
    >"$OUT/fuzz-$t.log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$OUT/fuzz-$t.log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$OUT/fuzz-$t.log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$OUT/fuzz-$t.log" | tail -1 | tr -d '#')
  execs=${execs:-0}
  # libFuzzer's last status line: "corp: UNITS/SIZE".
  corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$OUT/fuzz-$t.log" | tail -1 | sed 's/corp: //')
  corpus_units=${corpus%%/*}; corpus_units=${corpus_units:-0}
  corpus_size=${corpus#*/}; corpus_size=${corpus_size:-0b}
  seeds=$(find "fuzz/corpus/$t" -type f | wc -l)
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  crashes=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  if [ "$crashes" -ne 0 ]; then
    failed=1
    log "$t CRASHED (exit $rc); log: bench/out/fuzz-$t.log; input(s):"
    find "fuzz/artifacts/$t" -type f -newermt "@${start%.*}" >&2
    grep -E "panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer" -A2 "$OUT/fuzz-$t.log" | head -8 >&2
  fi
  printf '%-20s %12s %8s %8s %10s %8s\n' "$t" "$execs" "$secs" "$crashes" \
    "$corpus_units/$corpus_size" "$seeds" >&2
  json_targets+=("$(printf '{"name":"%s","seconds":%s,"executions":%s,"exec_per_sec":%s,"crashes":%s,"corpus_units":%s,"corpus_size":"%s","seed_files":%s}' \
    "$t" "$secs" "$execs" "$(awk -v e="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? e / s : 0) }')" \
    "$crashes" "$corpus_units" "$corpus_size" "$seeds")")
done
[ -n "${FUZZ_KEEP_CORPUS:-}" ] && log "grown corpora kept in $WORK"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
{
  prefix=""; extra=""
  if [ -n "$RUNS" ]; then prefix="FUZZ_RUNS=$RUNS "; extra=" -runs=$RUNS"; fi
  printf '{\n  "command": "%sbench/fuzz.sh %s",\n' "$prefix" "$SECS"
  printf '  "run": "RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer %s <target> <tmp-corpus> fuzz/corpus/<target> -- -max_total_time=%s%s",\n' "$SAN" "$SECS" "$extra"
  printf '  "sanitizer": "%s",\n  "seconds_per_target": %s,\n' "$SAN" "$SECS"
  printf '  "date": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "machine": "%s, %s cores, %s",\n' "${cpu//\"/}" "$(nproc)" "$(uname -sm)"
  printf '  "rustc": "%s",\n  "cargo_fuzz": "%s",\n' "$(rustc --version)" "$(cargo fuzz --version 2>/dev/null)"
  printf '  "crashes": %s,\n  "targets": [\n' "$failed"
  for i in "${!json_targets[@]}"; do
    sep=","; [ "$i" -eq $((${#json_targets[@]} - 1)) ] && sep=""
    printf '    %s%s\n' "${json_targets[$i]}" "$sep"
  done
  printf '  ]\n}\n'
} >"$OUT/fuzz.json"
log "wrote bench/out/fuzz.json"
exit "$failed"
