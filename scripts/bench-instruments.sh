#!/usr/bin/env bash
# What the instruments alloc, perf and resources cost a point, against the same
# point without them, in one run (figures, not a test). Two experiments per
# variant, in rounds whose order rotates so that no variant always runs first:
#   cost  spin, ns 0, mode clock, 1000 iterations: a point that is almost all
#         harness, so its time outside the measured loop (setup, warm-up, the
#         instruments' hooks, teardown) shows what the hooks add per point;
#   load  spin, ns 10000, mode calibrated, 3 x 1000 iterations: fixed work, so
#         the iteration's mean shows what the instrument adds while measuring.
# Each figure is the median over the rounds (ROUNDS=..., default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq jq >/dev/null
}
[ -x build/host/bhost ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null; }

rounds=${ROUNDS:-15}
variants=(bare alloc perf resources all)
instruments_of() {
  case $1 in
    bare) echo "[]" ;;
    all) echo "[alloc, perf, resources]" ;;
    *) echo "[$1]" ;;
  esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "name: bench_instruments"
  echo "experiments:"
  for ((r = 0; r < rounds; r++)); do
    for ((k = 0; k < ${#variants[@]}; k++)); do
      v=${variants[$(((r + k) % ${#variants[@]}))]}
      cat <<EOF
  - {name: cost_${v}_$r, experiment: spin, params: {ns: 0, mode: clock}, iterations: {warmup: 10, measured: 1000}, repetitions: 1, instruments: $(instruments_of "$v")}
  - {name: load_${v}_$r, experiment: spin, params: {ns: 10000, mode: calibrated}, iterations: {warmup: 100, measured: 1000}, repetitions: 3, instruments: $(instruments_of "$v")}
EOF
    done
  done
} >"$tmp/spec.yaml"

build/host/bhost run "$tmp/spec.yaml" --out "$tmp/run" -q
# One line per point: kind variant wall_us outside_loop_us iteration_mean_ns
jq -r '.points[] | (.experiment | split("_")) as $n
       | [$n[0], $n[1], .wall_s * 1e6,
          (.wall_s - ([.histograms.iteration.repetitions[].wall_s] | add)) * 1e6,
          .histograms.iteration.mean] | @tsv' "$tmp/run/results.json" >"$tmp/points.tsv"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
pick() { awk -v k="$1" -v v="$2" -v c="$3" '$1 == k && $2 == v { print $c }' "$tmp/points.tsv" | median; }

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs;" \
     "$rounds rounds; medians; --isolate fork, one point at a time"
printf '%-10s %15s %17s %13s %17s %8s\n' instrument "cost point, us" "outside loop, us" "added, us" \
       "load iter mean, ns" "ratio"
bare_out=$(pick cost bare 4)
bare_mean=$(pick load bare 5)
for v in "${variants[@]}"; do
  wall=$(pick cost "$v" 3)
  out=$(pick cost "$v" 4)
  mean=$(pick load "$v" 5)
  awk -v v="$v" -v w="$wall" -v o="$out" -v bo="$bare_out" -v m="$mean" -v bm="$bare_mean" \
    'BEGIN { printf "%-10s %15.1f %17.1f %13.1f %17.1f %8.4f\n", v, w, o, o - bo, m, m / bm }'
done
