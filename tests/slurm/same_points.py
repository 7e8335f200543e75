#!/usr/bin/env python3
"""tests/slurm/same_points.py SINGLE MERGED: exits 0 when the merged run (bhost
slurm's) has the same points as the single-machine run of the same spec: the
same ids in the same sweep order, and per point its index, label, experiment,
parameters, seed, status, iteration counts, repetitions and every histogram's
count (overall and per repetition). Timings differ between runs, so they are
not compared. Says every difference on stderr."""
import json
import sys


def load(path):
    with open(path + "/results.json", encoding="utf-8") as f:
        return json.load(f)


def counts(point):
    """Each histogram's count, overall and per repetition."""
    out = {}
    for name, h in (point.get("histograms") or {}).items():
        out[name] = (h.get("count"), [r.get("count") for r in h.get("repetitions", [])])
    return out


def fields(point):
    it = point.get("iterations") or {}
    return {
        "index": point.get("index"),
        "label": point.get("label"),
        "experiment": point.get("experiment"),
        "params": point.get("params"),
        "seed": point.get("seed"),
        "status": point.get("status"),
        "iterations": (it.get("warmup"), it.get("measured")),
        "repetitions": point.get("repetitions"),
        "histogram counts": counts(point),
    }


def main():
    single, merged = load(sys.argv[1]), load(sys.argv[2])
    problems = []
    ids_single = [p["id"] for p in single["points"]]
    ids_merged = [p["id"] for p in merged["points"]]
    if ids_single != ids_merged:
        problems.append("point ids differ: single %s, merged %s" % (ids_single, ids_merged))
    by_id = {p["id"]: p for p in merged["points"]}
    for p in single["points"]:
        q = by_id.get(p["id"])
        if q is None:
            continue
        a, b = fields(p), fields(q)
        for key in a:
            if a[key] != b[key]:
                problems.append("point %s: %s %r (single) != %r (merged)" % (p["id"], key, a[key], b[key]))
    if merged["run"].get("status") != "ok":
        problems.append("merged run status %r" % merged["run"].get("status"))
    for line in problems:
        print("same_points: " + line, file=sys.stderr)
    print("same_points: %d points compared, %d differences" % (len(ids_single), len(problems)))
    return 1 if problems or not ids_single else 0


if __name__ == "__main__":
    sys.exit(main())
