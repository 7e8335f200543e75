#!/usr/bin/env bash
# Measurement trust (issue 15): how often bhost's comparison cries wolf, and
# how often it catches a real slowdown, on this machine. A CPU-bound
# experiment (spin, ns=20000, calibrated), each repetition in a fresh process:
#   interleaved  `bhost ab` of two builds in one invocation:
#                A/A (two copies of one build) and A/B (B does 3 % more work);
#   separate     two `bhost run`s made one batch after another (a baseline made
#                earlier, as in CI): A/A, and A/B with B doing 5 % more work;
#                the same runs compared again at larger thresholds, for p99;
#   tails        interleaved again with repetitions five times as long, for p99;
#   scan         the smallest slowdown the interleaved comparison calls slower
#                in at least 95 % of trials, at the default threshold (2 %) with
#                20 repetitions a side, and at --threshold 1% with 60.
# Each trial is one comparison; the script counts the verdicts for p50 and p99
# and prints the repetitions and time a trial took.
#
#   scripts/bench-compare.sh [TRIALS=100] [REPS=20]
#   (TAIL_TRIALS=50, SCAN_TRIALS=40; BUILD_DIR=build; needs a C compiler and jq)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100} reps=${2:-20}
tail_trials=${TAIL_TRIALS:-50} scan_trials=${SCAN_TRIALS:-40}
build=${BUILD_DIR:-build}
bhost=$build/host/bhost
command -v jq >/dev/null || { echo "bench-compare: needs jq (apt-get install jq)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export BHOST_HISTORY=off

# Builds of spin that do `scale` times the work `ns` says, all compiled alike.
build_spin() { # folder scale
  mkdir -p "$tmp/$1"
  ${CC:-cc} -O2 -g -fPIC -shared -fvisibility=hidden -Isdk/include -DSPIN_WORK_SCALE="$2" \
    plugins/experiments/spin/spin.c -o "$tmp/$1/spin.so"
}
build_spin a 1.0
build_spin a2 1.0
for pct in 1 2 3 4 5; do build_spin "b$pct" "1.0$pct"; done

spec() { # file repetitions min_time
  cat >"$1" <<YAML
name: trust
iterations: {warmup: 200, measured: 0}
min_time: $3
repetitions: $2
fresh_process: true
experiments:
  - experiment: spin
    params: {ns: 20000, mode: calibrated}
YAML
}
spec "$tmp/spec.yaml" "$reps" 0.02
spec "$tmp/tails.yaml" "$reps" 0.1
spec "$tmp/scan.yaml" 60 0.02

# verdict FILE FIGURE: the verdict of the iteration histogram's FIGURE in a compare --json.
verdict() {
  jq -r --arg f "$2" '.figures[] | select(.histogram == "iteration" and .figure == $f)
                      | .verdict' "$1"
}

declare -A count
tally() { # scenario file
  for f in p50 p99; do
    local v; v=$(verdict "$2" $f)
    count[$1,$f,$v]=$(( ${count[$1,$f,$v]:-0} + 1 ))
  done
}
report() { # scenario trials reps seconds [figures]
  for f in ${5:-p50 p99}; do
    printf '%-26s %-4s %6d %7d %7d %6d %13d %9d %8.2f\n' "$1" $f "$2" \
      "${count[$1,$f,slower]:-0}" "${count[$1,$f,faster]:-0}" "${count[$1,$f,same]:-0}" \
      "${count[$1,$f,inconclusive]:-0}" "$3" "$4"
  done
}

ab_trial() { # scenario spec a b n [ab options...]: tallies the verdicts; sets secs per trial
  local scenario=$1 specfile=$2 a=$3 b=$4 n=$5 start
  shift 5
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    "$bhost" ab "$specfile" --a "$tmp/$a" --b "$tmp/$b" --out "$tmp/ab" -q --json "$@" \
      >"$tmp/cmp.json" 2>/dev/null || true
    tally "$scenario" "$tmp/cmp.json"
    rm -rf "$tmp/ab"
  done
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
}

runs() { # folder prefix n: n separate runs of the build in folder
  for i in $(seq 1 "$3"); do
    "$bhost" run "$tmp/spec.yaml" --plugin-path "$tmp/$1" --out "$tmp/$2-$i" -q >/dev/null 2>&1
  done
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs;" \
     "spin ns=20000 calibrated, every repetition in a fresh process"
printf '%-26s %-4s %6s %7s %7s %6s %13s %9s %8s\n' scenario fig trials slower faster same \
  inconclusive "reps/side" "s/trial"
ab_trial "interleaved A/A" "$tmp/spec.yaml" a a2 "$trials"
report "interleaved A/A" "$trials" "$reps" "$secs"
ab_trial "interleaved A/B +3%" "$tmp/spec.yaml" a b3 "$trials"
report "interleaved A/B +3%" "$trials" "$reps" "$secs"

start=$(date +%s.%N)
runs a base "$trials"
runs a2 again "$trials"
runs b5 slow "$trials"
# Three batches of runs for two scenarios: a trial is two runs.
per=$(awk -v a="$start" -v b="$(date +%s.%N)" -v n="$trials" 'BEGIN { printf "%.2f", (b - a) / n / 1.5 }')
for t in 2 5 10; do
  for i in $(seq 1 "$trials"); do
    "$bhost" compare "$tmp/base-$i" "$tmp/again-$i" --json --threshold "$t%" \
      >"$tmp/aa.json" 2>/dev/null || true
    tally "separate A/A, t=$t%" "$tmp/aa.json"
    "$bhost" compare "$tmp/base-$i" "$tmp/slow-$i" --json --threshold "$t%" \
      >"$tmp/ab.json" 2>/dev/null || true
    tally "separate A/B +5%, t=$t%" "$tmp/ab.json"
  done
done
report "separate A/A, t=2%" "$trials" "$reps" "$per"
report "separate A/B +5%, t=2%" "$trials" "$reps" "$per"
for t in 5 10; do
  report "separate A/A, t=$t%" "$trials" "$reps" "$per" p99
  report "separate A/B +5%, t=$t%" "$trials" "$reps" "$per" p99
done

ab_trial "tails A/A, 0.1 s reps" "$tmp/tails.yaml" a a2 "$tail_trials"
report "tails A/A, 0.1 s reps" "$tail_trials" "$reps" "$secs" p99
ab_trial "tails A/B +3%, 0.1 s reps" "$tmp/tails.yaml" a b3 "$tail_trials"
report "tails A/B +3%, 0.1 s reps" "$tail_trials" "$reps" "$secs" p99

echo
echo "smallest slowdown called slower (p50) in >= 95 % of $scan_trials interleaved trials:"
for pct in 1 2 3 4 5; do
  ab_trial "scan +$pct%" "$tmp/spec.yaml" a "b$pct" "$scan_trials"
  caught=${count["scan +$pct%",p50,slower]:-0}
  printf '  threshold 2%%, %d reps a side: +%d%%: %d of %d (%.1f s per trial)\n' "$reps" "$pct" \
    "$caught" "$scan_trials" "$secs"
  if (( caught * 100 >= 95 * scan_trials )); then break; fi
done
ab_trial "scan t=1% A/A" "$tmp/scan.yaml" a a2 "$scan_trials" --threshold 1%
printf '  threshold 1%%, 60 reps a side: A/A: %d slower, %d faster of %d (%.1f s per trial)\n' \
  "${count["scan t=1% A/A",p50,slower]:-0}" "${count["scan t=1% A/A",p50,faster]:-0}" \
  "$scan_trials" "$secs"
for pct in 1 2; do
  ab_trial "scan t=1% +$pct%" "$tmp/scan.yaml" a "b$pct" "$scan_trials" --threshold 1%
  caught=${count["scan t=1% +$pct%",p50,slower]:-0}
  printf '  threshold 1%%, 60 reps a side: +%d%%: %d of %d (%.1f s per trial)\n' "$pct" \
    "$caught" "$scan_trials" "$secs"
  if (( caught * 100 >= 95 * scan_trials )); then break; fi
done
