#!/usr/bin/env bash
# What running a command per iteration costs: bhost's exec experiment against
# hyperfine, both running `true` (no shell) RUNS times after 20 warm-up runs,
# in alternating rounds so drift falls on both. Per round it reads
#   timed     the mean time each tool reports per run: spawn to exit for bhost
#             (the "iteration" histogram), hyperfine's "mean"
#   loop      bhost's measured loop over its iterations (the repetition's
#             wall_s / iterations): what a run costs with bhost's own work
#             between runs; for hyperfine, its whole invocation (below), as
#             it reports nothing finer
#   whole     each tool's whole invocation, start to exit, over its runs and
#             warm-up runs (process start, plugin loading, writing results)
# and prints each round, the medians over the rounds, and bhost / hyperfine.
#
#   scripts/bench-exec.sh [RUNS=1000] [ROUNDS=5]
#   (BUILD_DIR=build; needs hyperfine and jq: scripts/install-deps.sh installs both)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000} rounds=${2:-5}
build=${BUILD_DIR:-build}
bhost=$build/host/bhost
for tool in hyperfine jq; do
  command -v $tool >/dev/null || { echo "bench-exec: needs $tool (apt-get install $tool)" >&2; exit 2; }
done
[ -x "$bhost" ] || { echo "bench-exec: no $bhost (build first, or set BUILD_DIR)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-exec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export BHOST_HISTORY=off

cat >"$tmp/true.yaml" <<SPEC
iterations: {warmup: 20, measured: $runs}
experiments:
  - experiment: exec
    params: {command: "true"}
SPEC

now_ns() { date +%s%N; }
# One number per line in, their median out.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

run_bhost() { # round -> "timed_us loop_us whole_us"
  local t0 t1
  t0=$(now_ns)
  "$bhost" run "$tmp/true.yaml" --out "$tmp/b$1" -q
  t1=$(now_ns)
  jq -r --arg whole "$(( (t1 - t0) / (runs + 20) / 1000 ))" '.points[0].histograms.iteration
    | "\(.mean / 1000) \(.repetitions[0].wall_s / .repetitions[0].iterations * 1e6) \($whole)"' \
    "$tmp/b$1/results.json"
}

run_hyperfine() { # round -> "timed_us loop_us whole_us"
  local t0 t1 whole
  t0=$(now_ns)
  hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$tmp/h$1.json" true >/dev/null 2>&1
  t1=$(now_ns)
  whole=$(( (t1 - t0) / (runs + 20) / 1000 ))
  jq -r --arg whole "$whole" '"\(.results[0].mean * 1e6) \($whole) \($whole)"' "$tmp/h$1.json"
}

printf '%-6s %-10s %10s %10s %10s\n' round tool "timed µs" "loop µs" "whole µs"
: >"$tmp/bhost" ; : >"$tmp/hyperfine"
for ((r = 1; r <= rounds; r++)); do
  # A B, then B A: neither tool always runs first.
  if ((r % 2)); then order="bhost hyperfine"; else order="hyperfine bhost"; fi
  for tool in $order; do
    line=$(run_$tool "$r")
    echo "$line" >>"$tmp/$tool"
    printf '%-6s %-10s %10.1f %10.1f %10.1f\n' "$r" "$tool" $line
  done
done

col() { cut -d' ' -f"$2" "$tmp/$1" | median; } # tool column
echo
printf 'median over %d rounds of %d runs of `true`:\n' "$rounds" "$runs"
for tool in bhost hyperfine; do
  printf '  %-10s timed %8.1f µs   loop %8.1f µs   whole %8.1f µs\n' "$tool" \
    "$(col $tool 1)" "$(col $tool 2)" "$(col $tool 3)"
done
awk -v bt="$(col bhost 1)" -v ht="$(col hyperfine 1)" -v bl="$(col bhost 2)" \
  -v hl="$(col hyperfine 2)" -v bw="$(col bhost 3)" -v hw="$(col hyperfine 3)" \
  'BEGIN {printf "  bhost / hyperfine: timed %.2f   loop %.2f   whole %.2f\n", bt / ht, bl / hl, bw / hw}'
