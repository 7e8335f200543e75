#!/usr/bin/env bash
# Measurement trust (issue 15): how often bhost's comparison cries wolf, and
# how often it catches a real slowdown, on this machine. A CPU-bound
# experiment (spin, ns=20000, calibrated), each repetition in a fresh process:
#   interleaved  `bhost ab` of two builds in one invocation:
#                A/A (two copies of one build) and A/B (B does 3 % more work);
#   separate     two `bhost run`s made one batch after another (a baseline made
#                earlier, as in CI): A/A, and A/B with B doing 5 % more work.
# Each trial is one comparison; the script counts the verdicts for p50 and p99
# and prints the repetitions and time a trial took. Then the smallest slowdown
# the interleaved comparison catches in at least 95 % of trials.
#
#   scripts/bench-compare.sh [TRIALS=100] [REPS=20]    (SCAN_TRIALS=40 for the scan)
# Needs a build in build/ (BUILD_DIR=...), a C compiler and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100} reps=${2:-20} scan_trials=${SCAN_TRIALS:-40}
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

cat >"$tmp/spec.yaml" <<YAML
name: trust
iterations: {warmup: 200, measured: 0}
min_time: 0.02
repetitions: $reps
fresh_process: true
experiments:
  - experiment: spin
    params: {ns: 20000, mode: calibrated}
YAML

# verdict FILE FIGURE: the verdict of the iteration histogram's FIGURE in a compare --json.
verdict() {
  jq -r --arg f "$2" '.figures[] | select(.histogram == "iteration" and .figure == $f)
                      | .verdict' "$1"
}

# One line per scenario: trials, then per figure the counts of each verdict.
declare -A count
tally() { # scenario file
  for f in p50 p99; do
    local v; v=$(verdict "$2" $f)
    count[$1,$f,$v]=$(( ${count[$1,$f,$v]:-0} + 1 ))
  done
}
report() { # scenario trials seconds
  for f in p50 p99; do
    printf '%-28s %-4s %6d %7d %7d %6d %13d %9.1f\n' "$1" $f "$2" \
      "${count[$1,$f,slower]:-0}" "${count[$1,$f,faster]:-0}" "${count[$1,$f,same]:-0}" \
      "${count[$1,$f,inconclusive]:-0}" "$reps" "$3"
  done
}

ab_trial() { # scenario a b n: tallies the verdicts; sets secs, seconds per trial
  local start; start=$(date +%s.%N)
  for i in $(seq 1 "$4"); do
    "$bhost" ab "$tmp/spec.yaml" --a "$tmp/$2" --b "$tmp/$3" --out "$tmp/ab" -q --json \
      >"$tmp/cmp.json" 2>/dev/null || true
    tally "$1" "$tmp/cmp.json"
    rm -rf "$tmp/ab"
  done
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" -v n="$4" 'BEGIN { printf "%.2f", (b - a) / n }')
}

runs() { # folder prefix n: n separate runs of the build in folder
  for i in $(seq 1 "$3"); do
    "$bhost" run "$tmp/spec.yaml" --plugin-path "$tmp/$1" --out "$tmp/$2-$i" -q >/dev/null 2>&1
  done
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs;" \
     "$trials trials, $reps repetitions per side, each in a fresh process (0.02 s each)"
printf '%-28s %-4s %6s %7s %7s %6s %13s %9s\n' scenario fig trials slower faster same \
  inconclusive "reps/side" "s/trial"
ab_trial "interleaved A/A" a a2 "$trials"; report "interleaved A/A" "$trials" "$secs"
ab_trial "interleaved A/B +3%" a b3 "$trials"; report "interleaved A/B +3%" "$trials" "$secs"
start=$(date +%s.%N)
runs a base "$trials"
runs a2 again "$trials"
runs b5 slow "$trials"
# Three batches of runs for two scenarios: a trial is two runs.
per=$(awk -v a="$start" -v b="$(date +%s.%N)" -v n="$trials" 'BEGIN { printf "%.2f", (b - a) / n / 1.5 }')
for i in $(seq 1 "$trials"); do
  "$bhost" compare "$tmp/base-$i" "$tmp/again-$i" --json >"$tmp/aa.json" 2>/dev/null || true
  tally "separate A/A" "$tmp/aa.json"
  "$bhost" compare "$tmp/base-$i" "$tmp/slow-$i" --json >"$tmp/ab.json" 2>/dev/null || true
  tally "separate A/B +5%" "$tmp/ab.json"
done
report "separate A/A" "$trials" "$per"
report "separate A/B +5%" "$trials" "$per"

echo
echo "smallest slowdown caught (p50 slower) in >= 95 % of $scan_trials interleaved trials:"
for pct in 1 2 3 4 5; do
  ab_trial "scan +$pct%" a "b$pct" "$scan_trials"
  caught=${count["scan +$pct%",p50,slower]:-0}
  printf '  +%d%%: %d of %d slower (%.1f s per trial)\n' "$pct" "$caught" "$scan_trials" "$secs"
  if (( caught * 100 >= 95 * scan_trials )); then break; fi
done
