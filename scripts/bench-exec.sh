#!/usr/bin/env bash
# What running a command per iteration costs: bhost's exec experiment against
# hyperfine, both running `true` (no shell) RUNS times after 20 warm-up runs,
# in alternating rounds so drift falls on both. Per round it reads
#   timed     the mean time each tool reports per run (spawn to exit for bhost;
#             hyperfine's "mean", wall time per run)
#   per run   each tool's whole invocation, start to exit, over its runs
#             (process start, warm-up, bookkeeping and reporting included)
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

run_bhost() { # round -> "timed_us per_run_us"
  local t0 t1
  t0=$(now_ns)
  "$bhost" run "$tmp/true.yaml" --out "$tmp/b$1" -q
  t1=$(now_ns)
  local timed
  timed=$(jq '.points[0].histograms.iteration.mean / 1000' "$tmp/b$1/results.json")
  echo "$timed $(( (t1 - t0) / runs / 1000 ))"
}

run_hyperfine() { # round -> "timed_us per_run_us"
  local t0 t1
  t0=$(now_ns)
  hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$tmp/h$1.json" true >/dev/null 2>&1
  t1=$(now_ns)
  local timed
  timed=$(jq '.results[0].mean * 1e6' "$tmp/h$1.json")
  echo "$timed $(( (t1 - t0) / runs / 1000 ))"
}

printf '%-6s %-10s %12s %12s\n' round tool "timed µs" "per run µs"
: >"$tmp/bhost" ; : >"$tmp/hyperfine"
for ((r = 1; r <= rounds; r++)); do
  # A B, then B A: neither tool always runs first.
  if ((r % 2)); then order="bhost hyperfine"; else order="hyperfine bhost"; fi
  for tool in $order; do
    line=$(run_$tool "$r")
    echo "$line" >>"$tmp/$tool"
    printf '%-6s %-10s %12.1f %12.1f\n' "$r" "$tool" $line
  done
done

b_timed=$(cut -d' ' -f1 "$tmp/bhost" | median) b_run=$(cut -d' ' -f2 "$tmp/bhost" | median)
h_timed=$(cut -d' ' -f1 "$tmp/hyperfine" | median) h_run=$(cut -d' ' -f2 "$tmp/hyperfine" | median)
echo
printf 'median over %d rounds of %d runs of `true`:\n' "$rounds" "$runs"
printf '  %-10s timed %8.1f µs   per run %8.1f µs\n' bhost "$b_timed" "$b_run" hyperfine "$h_timed" "$h_run"
awk -v bt="$b_timed" -v ht="$h_timed" -v br="$b_run" -v hr="$h_run" \
  'BEGIN {printf "  bhost / hyperfine: timed %.2f, per run %.2f\n", bt / ht, br / hr}'
