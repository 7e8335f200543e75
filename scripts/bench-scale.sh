#!/usr/bin/env bash
# How a sweep's cost grows with its number of points P, on one machine, in the
# default --isolate fork mode (issue 18): for P = 1,000, 10,000 and 100,000
# points of `spin` (10 measured iterations of 1-2 us each, in clock mode: the
# same work at every point), the run's wall time and peak RSS, the time of a
# resume of the finished run (everything done: it must find that quickly) and
# of a run killed halfway (its journal cut to P/2 points, as a SIGKILL leaves
# it), `bhost merge` of the run's two halves, the exponent fitted between
# sizes (time ~ P^k: k = 1 is linear), and the per-point overhead at the
# start and at the end of the run (the median time between consecutive
# points' starts, over the first and the last 10 % of points).
#
#   scripts/bench-scale.sh            sizes up to 100,000 (about 8 minutes here)
#   scripts/bench-scale.sh 10000      sizes up to 10,000 (under a minute)
#
# Needs python3 (for the spec and the figures). BHOST=path overrides build/host/bhost.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-100000}
case $max in '' | *[!0-9]*) echo "usage: $0 [MAX_POINTS]" >&2; exit 2 ;; esac
[ "$max" -ge 1000 ] || { echo "$0: MAX_POINTS must be at least 1000" >&2; exit 2; }
bhost=${BHOST:-build/host/bhost}
if [ ! -x "$bhost" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" >/dev/null
fi
command -v python3 >/dev/null || { echo "$0: needs python3" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# P points: P / 1000 experiments of 1,000 points each (ns = 1000 .. 1999).
make_spec() {
  python3 - "$1" <<'PY'
import sys
p = int(sys.argv[1])
print("name: scale\nmax_points: 1000000\niterations: {warmup: 0, measured: 10}\nexperiments:")
for k in range(p // 1000):
    print(f"  - name: e{k}\n    experiment: spin\n"
          f"    params: {{ns: {{from: 1000, to: 1999, step: 1}}, mode: clock}}")
PY
}

# timed OUT CMD...: runs CMD (its output dropped); "seconds peak_KiB" into OUT.
timed() {
  local out=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null
}

# The two halves of a finished run's results, as two runs that `bhost merge` takes.
split_halves() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1] + "/results.json"))
points = doc["points"]
half = len(points) // 2
for out, part in ((sys.argv[2], points[:half]), (sys.argv[3], points[half:])):
    d = dict(doc)
    d["points"] = part
    d["run"] = dict(doc["run"], points_run=len(part), dir=out)
    with open(out + "/results.json", "w") as f:
        json.dump(d, f)
PY
}

# Median time between consecutive points' starts, first and last 10 % of the run (ms).
overhead() {
  python3 - "$1" <<'PY'
import json, statistics, sys
starts = []
with open(sys.argv[1] + "/journal.jsonl") as f:
    for line in f:
        p = json.loads(line)
        starts.append(p["histograms"]["iteration"]["repetitions"][0]["started_unix_s"])
gaps = [b - a for a, b in zip(starts, starts[1:])]
w = max(len(gaps) // 10, 1)
first, last = statistics.median(gaps[:w]) * 1e3, statistics.median(gaps[-w:]) * 1e3
print(f"{first:.3f} {last:.3f} {last / first:.2f}")
PY
}

printf '%-8s %9s %9s %11s %11s %9s %10s %10s %10s %7s\n' points "run s" "RSS MiB" \
  "resume-all" "resume-half" "merge s" "start ms" "end ms" "end/start" "k"
prev_p=""
prev_t=""
for p in 1000 10000 100000; do
  [ "$p" -le "$max" ] || break
  make_spec "$p" >"$tmp/s$p.yaml"
  run="$tmp/run$p"
  timed "$tmp/t-run" "$bhost" run "$tmp/s$p.yaml" --out "$run" --history off -q
  read -r run_s run_kb <"$tmp/t-run"
  timed "$tmp/t-all" "$bhost" run --resume "$run" -q
  read -r all_s _ <"$tmp/t-all"
  half="$tmp/half$p"
  mkdir "$half"
  cp "$run/run.json" "$half/"
  head -n $((p / 2)) "$run/journal.jsonl" >"$half/journal.jsonl"
  timed "$tmp/t-half" "$bhost" run --resume "$half" -q
  read -r half_s _ <"$tmp/t-half"
  mkdir "$tmp/a$p" "$tmp/b$p"
  split_halves "$run" "$tmp/a$p" "$tmp/b$p"
  timed "$tmp/t-merge" "$bhost" merge "$tmp/a$p" "$tmp/b$p" -o "$tmp/m$p"
  read -r merge_s _ <"$tmp/t-merge"
  read -r start_ms end_ms ratio < <(overhead "$run")
  k="-"
  if [ -n "$prev_p" ]; then
    k=$(python3 -c "import math; print(f'{math.log($run_s / $prev_t) / math.log($p / $prev_p):.2f}')")
  fi
  printf '%-8s %9s %9.1f %11s %11s %9s %10s %10s %10s %7s\n' "$p" "$run_s" \
    "$(python3 -c "print($run_kb / 1024)")" "$all_s" "$half_s" "$merge_s" "$start_ms" \
    "$end_ms" "$ratio" "$k"
  prev_p=$p
  prev_t=$run_s
  rm -rf "$run" "$half" "$tmp/a$p" "$tmp/b$p" "$tmp/m$p"
done
echo "(k: the exponent fitted from the previous size, run time ~ P^k; the machine: $(nproc) CPUs,"
echo " load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
