#!/usr/bin/env bash
# scripts/bench-sampler.sh [ROUNDS]
#
# What profiling costs the profiled, in one run, on a CPU-bound experiment
# (test_hotspots: arithmetic loops, one thread), as the median time of its
# iterations (bhost's own histogram: the median, as sampling slows every
# iteration alike, while the mean also moves with the machine's hiccups)
# under each of:
#   alone               no instrument
#   sampler  999 Hz     the sampler, perf_event method (the default), copying 8 KiB
#   sampler 9999 Hz       of stack per sample as perf record does by default
#   sampler16k 9999 Hz  the same with the sampler's own default, 16 KiB
#   signal   999 Hz     the sampler forced onto timer signals (its fallback)
#   signal  9999 Hz
#   floor    999 Hz     the same timers with a SIGPROF handler that does nothing
#   floor   9999 Hz       (bench_sigprof_floor): what signal delivery alone costs
#   perf     999 Hz     perf record -F 999 --call-graph dwarf, around the same run
#   perf    9999 Hz
# Rounds (default 5) alternate the configurations, so the machine's drift falls
# on all alike; each figure is the median of its rounds. Prints each one's
# overhead over "alone", and the two targets of docs/performance.md: the
# sampler's overhead at most perf record's at the same rate, and the signal
# method's time within 1.2 x the floor's. Needs a build in build/ and perf
# (linux-perf).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
bin=$src/build/host/bhost
plugins=$src/build/tests/plugins:$src/build/plugins
[[ -x $bin ]] || { echo "bench-sampler: build bhost first (cmake --build build)" >&2; exit 2; }
command -v perf >/dev/null || { echo "bench-sampler: needs perf (apt install linux-perf)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bhost-bench-sampler.XXXXXX")
trap 'rm -rf "$work"' EXIT

# spec NAME INSTRUMENT-YAML: a spec of test_hotspots with that instrument list.
spec() {
  cat >"$work/$1.yaml" <<EOF
min_time: 0
iterations: {warmup: 20, measured: 4000}
experiments:
  - experiment: test_hotspots
    params: {work: 50000}
    instruments: $2
EOF
}
spec alone "[]"
for rate in 999 9999; do
  spec "sampler-$rate" "[{instrument: sampler, params: {rate_hz: $rate, stack_bytes: 8192, top: 0}}]"
  spec "signal-$rate" "[{instrument: sampler, params: {rate_hz: $rate, method: signal, top: 0}}]"
  spec "floor-$rate" "[{instrument: bench_sigprof_floor, params: {rate_hz: $rate}}]"
done
spec sampler16k-9999 "[{instrument: sampler, params: {rate_hz: 9999, top: 0}}]"

# p50_ns RUN-DIR: the median of the point's iteration histogram, in ns.
p50_ns() {
  "$bin" hdr "$1" --point test_hotspots --summary | sed -n 's/.* p50=\([0-9]*\) .*/\1/p'
}

configs="alone sampler-999 sampler-9999 sampler16k-9999 signal-999 signal-9999 floor-999 floor-9999 perf-999 perf-9999"
for c in $configs; do : >"$work/$c.ns"; done
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds ..." >&2
  for c in $configs; do
    out=$work/run-$c-$r
    case $c in
      perf-*)
        perf record -q -F "${c#perf-}" --call-graph dwarf -o "$work/perf.data" -- \
          "$bin" --plugin-path "$plugins" run "$work/alone.yaml" --out "$out" -q >/dev/null 2>&1
        rm -f "$work/perf.data" ;;
      *)
        "$bin" --plugin-path "$plugins" run "$work/$c.yaml" --out "$out" -q >/dev/null ;;
    esac
    p50_ns "$out" >>"$work/$c.ns"
    rm -rf "$out"
  done
done

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median "$work/alone.ns")
echo "test_hotspots, median iteration time, median of $rounds rounds ($(nproc) CPUs; $(uname -r)):"
for c in $configs; do
  m=$(median "$work/$c.ns")
  awk -v c="$c" -v m="$m" -v b="$base" 'BEGIN { printf "  %-16s %10.1f us  %+6.1f %%\n", c, m / 1e3, (m / b - 1) * 100 }'
  printf '%s\n' "$m" >"$work/$c.median"
done
over() { awk -v m="$(cat "$work/$1.median")" -v b="$base" 'BEGIN { print m / b - 1 }'; }
for rate in 999 9999; do
  awk -v s="$(over "sampler-$rate")" -v p="$(over "perf-$rate")" -v g="$(over "signal-$rate")" \
      -v f="$(over "floor-$rate")" -v r="$rate" 'BEGIN {
    printf "at %4d Hz: sampler %+.1f %% vs perf record %+.1f %% (target: no more)\n", r, 100 * s, 100 * p
    printf "           signal method %+.1f %% vs the floor %+.1f %%: %.3f x its time (target: at most 1.2 x)\n",
           100 * g, 100 * f, (1 + g) / (1 + f) }'
done
