#!/usr/bin/env bash
# bhost slurm against one machine (issue 18; figures, not a test): a sweep of
# 40 spin points of about 0.5 s each (calibrated work, 100 measured iterations
# of ~5 ms), run
#   unsharded   `bhost run --jobs 1`, and `--jobs 2`;
#   slurm       `bhost slurm --shards 4 --wait` on the test's single-node Slurm
#               (tests/slurm/slurm.sh), which runs as many tasks at once as the
#               machine has CPUs;
# and prints each one's wall time, and Slurm's own costs broken out from the
# timestamps the batch scripts print (DIR/slurm/*.out; no accounting database):
# start-up of the cluster, submission to the first task's start, the gaps
# while a freed CPU waits for the next task, the last task's end to the
# merge's start (the dependency), the merge itself, and its end to --wait's
# return.
#
#   scripts/bench-slurm.sh          (BUILD_DIR=build; as root; needs Slurm:
#                                    scripts/install-deps.sh --tests)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
bhost=$(cd "$build/host" && pwd)/bhost
[ -x "$bhost" ] || { echo "bench-slurm: no $bhost (BUILD_DIR=...)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-slurm.XXXXXX")
cluster=$tmp/cluster
cleanup() { bash tests/slurm/slurm.sh down "$cluster" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export BHOST_HISTORY=off
now() { date +%s.%N; }
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

cat >"$tmp/bench.yaml" <<'SPEC'
name: bench_slurm
iterations: {warmup: 1, measured: 100}
experiments:
  - name: spin
    experiment: spin
    params:
      ns: {from: 4902500, to: 5097500, step: 5000}   # 40 points, ~0.5 s each
SPEC

# The points' own wall times, summed (what any split must do in all).
points_wall() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print("%.2f" % sum(p["wall_s"] for p in d["points"]))' "$1/results.json"
}

echo "bench-slurm: 40 points of ~0.5 s (spin), on $(nproc) CPUs; load average" \
     "$(cut -d' ' -f1-3 /proc/loadavg) at the start"
for jobs in 1 2; do
  t0=$(now)
  "$bhost" run "$tmp/bench.yaml" --jobs "$jobs" --out "$tmp/jobs$jobs" -q
  echo "  bhost run --jobs $jobs:            $(span "$t0" "$(now)") s" \
       "(the points' wall times add up to $(points_wall "$tmp/jobs$jobs") s)"
done

t0=$(now)
bash tests/slurm/slurm.sh up "$cluster" >/dev/null
echo "  the test's Slurm up (until idle):  $(span "$t0" "$(now)") s"

t0=$(now)
SLURM_CONF=$cluster/slurm.conf "$bhost" slurm "$tmp/bench.yaml" --shards 4 --wait \
  --out "$tmp/slurm" >"$tmp/slurm.log"
t_end=$(now)
echo "  bhost slurm --shards 4 --wait:     $(span "$t0" "$t_end") s (submission to the merged run;" \
     "the points' wall times add up to $(points_wall "$tmp/slurm") s)"

# The batch scripts' own timestamps: "started on HOST at T", "ended with exit RC at T".
started() { sed -n 's/.* started on .* at \([0-9.]*\)$/\1/p' "$1"; }
ended() { sed -n 's/.* ended with exit [0-9]* at \([0-9.]*\)$/\1/p' "$1"; }
first_start="" last_end="" busy=0
for k in 0 1 2 3; do
  f=$tmp/slurm/slurm/shards-$k.out
  s=$(started "$f") e=$(ended "$f")
  echo "    array task $k (shard $((k + 1))/4): starts at +$(span "$t0" "$s") s, runs $(span "$s" "$e") s"
  busy=$(awk -v b="$busy" -v s="$s" -v e="$e" 'BEGIN { print b + e - s }')
  first_start=$(printf '%s\n' $first_start "$s" | sort -g | head -n 1)
  last_end=$(printf '%s\n' $last_end "$e" | sort -g | tail -n 1)
done
ms=$(started "$tmp/slurm/slurm/merge.out") me=$(ended "$tmp/slurm/slurm/merge.out")
cpus=$(nproc)
echo "  Slurm's share:"
echo "    submission to the first task's start:  $(span "$t0" "$first_start") s"
echo "    shards' span (first start to last end): $(span "$first_start" "$last_end") s," \
     "of which running: $(awk -v b="$busy" -v c="$cpus" 'BEGIN { printf "%.2f", b / c }') s" \
     "per CPU (the rest: CPUs idle between tasks)"
echo "    last task's end to the merge's start:  $(span "$last_end" "$ms") s"
echo "    the merge (bhost merge):               $(span "$ms" "$me") s"
echo "    the merge's end to --wait's return:    $(span "$me" "$t_end") s"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
