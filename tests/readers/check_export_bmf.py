#!/usr/bin/python3
"""check_export_bmf.py SCHEMA BMF.json RESULTS.json — a bhost export --format bmf
file against the Bencher Metric Format's JSON schema (SCHEMA, as Bencher's
reference documents it; the draft-07 keywords it uses are checked here), the
limits Bencher puts on names and slugs, lower_value <= value <= upper_value,
and every value read back against the run's results.json: each ok point's
histograms as benchmarks, their percentiles, throughput and metrics. Exit 0 if
all holds, 1 with the reason otherwise."""
import json
import math
import re
import sys

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def fail(message):
    print(f"check_export_bmf: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def is_type(value, kind):
    if kind == "object":
        return isinstance(value, dict)
    if kind == "number":  # JSON's true and false are not numbers; Python's bool is an int
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    fail(f"the schema uses type {kind!r}, which this check does not know")
    return False


def validate(value, schema, where):
    """The draft-07 keywords the BMF schema uses: type, properties, patternProperties,
    required; anything else in it is refused rather than ignored."""
    known = {"$id", "$schema", "type", "properties", "patternProperties", "required"}
    if set(schema) - known:
        fail(f"the schema uses {set(schema) - known}, which this check does not know")
    if "type" in schema and not is_type(value, schema["type"]):
        fail(f"{where}: {value!r} is not of type {schema['type']}")
    if not isinstance(value, dict):
        return
    for key in schema.get("required", []):
        if key not in value:
            fail(f"{where}: no {key!r}")
    for key, member in value.items():
        if key in schema.get("properties", {}):
            validate(member, schema["properties"][key], f"{where}/{key}")
        for pattern, sub in schema.get("patternProperties", {}).items():
            if re.search(pattern, key):
                validate(member, sub, f"{where}/{key}")


def figure(metric):
    """What the export takes from a metric: a counter per iteration, a gauge's value."""
    v = metric.get("per_iteration") if metric["kind"] == "counter" else metric.get("value")
    return v if metric["kind"] in ("counter", "gauge") and v is not None else None


def slugify(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].rstrip("-") or "metric"


def expect_measure(measure, value, reps, field, where):
    if measure.get("value") != value:
        fail(f"{where}: value {measure.get('value')}, results.json has {value}")
    parts = [r[field] for r in reps if r.get(field) is not None]
    if (measure.get("lower_value"), measure.get("upper_value")) != (min(parts), max(parts)):
        fail(f"{where}: bounds {measure.get('lower_value')}..{measure.get('upper_value')}, "
             f"the repetitions' {field} span {min(parts)}..{max(parts)}")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        bmf = json.load(f)
    with open(sys.argv[3], encoding="utf-8") as f:
        results = json.load(f)
    validate(bmf, schema, "$")
    for name, benchmark in bmf.items():
        if len(name) > 1024 or not benchmark:
            fail(f"benchmark {name!r}: {len(name)} characters, {len(benchmark)} measures")
        for slug, m in benchmark.items():
            if len(slug) > 64 or not SLUG.match(slug):
                fail(f"{name}: {slug!r} is not a Bencher slug")
            if not all(math.isfinite(m[k]) for k in m):
                fail(f"{name}/{slug}: {m} is not finite")
            if ("lower_value" in m) != ("upper_value" in m) or \
                    ("lower_value" in m and not m["lower_value"] <= m["value"] <= m["upper_value"]):
                fail(f"{name}/{slug}: bounds out of order: {m}")

    expected = set()
    for pt in results["points"]:
        if pt["status"] != "ok":
            if any(n == pt["label"] or n.startswith(pt["label"] + "/") for n in bmf):
                fail(f"{pt['label']} is {pt['status']}, yet in the export")
            continue
        for hname, h in pt["histograms"].items():
            name = pt["label"] if hname == "iteration" else f"{pt['label']}/{hname}"
            expected.add(name)
            b = bmf.get(name)
            if b is None:
                fail(f"no benchmark {name!r}")
            base = "latency" if h["unit"] == "ns" else slugify(h["unit"])
            for field, suffix in (("p50", ""), ("p90", "-p90"), ("p99", "-p99"),
                                  ("p99_9", "-p99-9")):
                expect_measure(b[base + suffix], h[field], h["repetitions"], field,
                               f"{name}/{base + suffix}")
            if h["unit"] == "ns":
                expect_measure(b["throughput"], h["throughput_per_s"], h["repetitions"],
                               "throughput_per_s", f"{name}/throughput")
            if hname != "iteration":
                continue
            for mname, metric in pt["metrics"].items():
                v = figure(metric)
                if v is not None and b.get(slugify(mname), {}).get("value") != v:
                    fail(f"{name}: metric {mname} as {slugify(mname)}: "
                         f"{b.get(slugify(mname))}, results.json has {v}")
    if set(bmf) != expected:
        fail(f"benchmarks {sorted(set(bmf) ^ expected)} are in one of the export and the "
             "results only")
    print(f"check_export_bmf: ok: {len(bmf)} benchmarks, schema, bounds and values")


main()
