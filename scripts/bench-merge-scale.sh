#!/usr/bin/env bash
# `bhost merge` at scale (issue 18), figures not a test: the time and peak RSS of merging
# 200 synthetic shard runs (each SHARD_POINTS points, copies of one real point under their
# own ids, with the run.shard a `--shard` run records), at two shard sizes, and of merging
# two 10,000-point runs of the same sweep (every point in both: histograms added), which
# took 341 MiB when merge held every input. Prints a table; docs/performance.md has the
# figures of this machine and docs/scale-out.md the extrapolation to 1,000,000 points.
#   usage: scripts/bench-merge-scale.sh [BHOST]   (default build/host/bhost)
set -euo pipefail
cd "$(dirname "$0")/.."
bhost=${1:-build/host/bhost}
[ -x "$bhost" ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/one.yaml" <<'YAML'
name: merge-scale
experiments:
  - experiment: spin
    params: {ns: [1000]}
    iterations: {warmup: 10, measured: 200}
YAML
BHOST_HISTORY=off "$bhost" run "$tmp/one.yaml" --out "$tmp/model" -q >/dev/null

# gen.py MODEL OUT SHARDS POINTS_EACH MODE: MODE "shards" writes SHARDS shard runs of
# POINTS_EACH different points; "repeats" writes SHARDS runs of the same POINTS_EACH points.
cat > "$tmp/gen.py" <<'PY'
import copy, hashlib, json, os, sys
model, out, shards, each, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
doc = json.load(open(os.path.join(model, "results.json")))
pt = doc["points"][0]
total = shards * each if mode == "shards" else each
ids = ["%016x" % ((i * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) for i in range(total)]
digest = hashlib.sha256("".join(i + "\n" for i in sorted(ids)).encode()).hexdigest()
doc["run"]["points_total"] = total
for s in range(shards):
    d = os.path.join(out, "run-%04d" % (s + 1))
    os.makedirs(d)
    run = doc["run"]
    run["dir"] = d
    run["wall_s"] = 10.0 + (s * 37 % 11) * 0.3        # uneven on purpose
    rng = range(s * each, (s + 1) * each) if mode == "shards" else range(each)
    points = []
    for i in rng:
        p = copy.copy(pt)
        p["id"], p["index"], p["label"] = ids[i], i, "spin[n=%d]" % i
        points.append(p)
    if mode == "shards":
        run["shard"] = {"index": s + 1, "count": shards, "method": "dealt", "balance_from": None,
                        "sweep_points": total, "sweep_ids_sha256": digest, "points": each}
    doc["points"] = points
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
PY

# measure LABEL SHARDS EACH MODE: one table row.
measure() {
  local dir="$tmp/$1"
  mkdir -p "$dir/in"
  python3 "$tmp/gen.py" "$tmp/model" "$dir/in" "$2" "$3" "$4"
  local in_bytes points
  in_bytes=$(du -sb "$dir/in" | cut -f1)
  /usr/bin/time -f "%e %M" -o "$dir/time" "$bhost" merge "$dir"/in/run-* -o "$dir/out" >/dev/null
  read -r secs kib < "$dir/time"
  if [ "$4" = shards ]; then points=$(( $2 * $3 )); else points=$3; fi
  printf "| %s | %d | %d | %.0f | %.2f | %.1f | %.0f | %.1f |\n" "$1" "$2" "$points" \
    "$(echo "$in_bytes / 1048576" | bc -l)" "$secs" "$(echo "$kib / 1024" | bc -l)" \
    "$(echo "$secs * 1000000 / $points" | bc -l)" \
    "$(echo "$(stat -c %s "$dir/out/results.json") / 1048576" | bc -l)"
  rm -rf "$dir"
}

echo "| merge | inputs | points | inputs MiB | time s | peak RSS MiB | us per point | results.json MiB |"
echo "|---|---|---|---|---|---|---|---|"
measure "200 shards x ${SHARD_POINTS:-50}" 200 "${SHARD_POINTS:-50}" shards
measure "200 shards x $(( ${SHARD_POINTS:-50} * 2 ))" 200 "$(( ${SHARD_POINTS:-50} * 2 ))" shards
measure "2 runs x 10000 (same points)" 2 10000 repeats
