#!/usr/bin/python3
"""check_export_gbench.py A.json B.json FAILED.json — bhost export --format gbench
files read by Google Benchmark's own compare.py (Debian's libbenchmark-tools):
A against B must exit 0 and compare every benchmark, with a U test for each
(three repetitions a side) and the overall geometric mean, from the exported
times; FAILED (a run with a point that exited) against itself must exit 0 too
and list that point. Exit 0 if all holds, 1 with the reason otherwise."""
import json
import subprocess
import sys
import tempfile

COMPARE = "/usr/share/benchmark/compare.py"


def fail(message):
    print(f"check_export_gbench: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def compare(a, b):
    """compare.py's text and its JSON report (-d) of a against b."""
    with tempfile.NamedTemporaryFile(suffix=".json") as dump:
        done = subprocess.run([sys.executable, COMPARE, "--no-color", "-d", dump.name,
                               "benchmarks", a, b], capture_output=True, text=True, check=False)
        if done.returncode != 0 or "Traceback" in done.stderr:
            fail(f"compare.py {a} {b} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        with open(dump.name, encoding="utf-8") as f:
            return done.stdout, json.load(f)


def iteration_names(doc):
    names = []
    for e in doc["benchmarks"]:
        if e["run_type"] == "iteration" and e["name"] not in names:
            names.append(e["name"])
    return names


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    a_file, b_file, failed_file = sys.argv[1:]
    with open(a_file, encoding="utf-8") as f:
        a = json.load(f)
    names = iteration_names(a)
    for want in ("spin/ns:1000", "spin/ns:5000", "noop", "test_good/label:<x>&y",
                 'test_good/label:a,"b"', "test_good/label:<x>&y/histogram:custom"):
        if want not in names:
            fail(f"{a_file} has no benchmark {want!r}: {names}")

    text, report = compare(a_file, b_file)
    lines = text.splitlines()
    by_name = {r["name"]: r for r in report}
    for name in names:
        if not any(line.startswith(name + " ") for line in lines):
            fail(f"compare.py printed no line for {name!r}:\n{text}")
        if not any(line.startswith(name + "_pvalue ") for line in lines):
            fail(f"compare.py ran no U test for {name!r}:\n{text}")
        for aggregate in ("mean", "median", "stddev", "cv"):
            if name + "_" + aggregate not in by_name:
                fail(f"compare.py's report has no {name}_{aggregate}")
        r = by_name[name]
        if r["time_unit"] != "ns" or r["utest"].get("nr_of_repetitions") != 3:
            fail(f"{name}: time unit {r['time_unit']}, U test {r['utest']}")
        # Its measurements are the exported repetitions' times, in order.
        mine = [e["real_time"] for e in a["benchmarks"]
                if e["name"] == name and e["run_type"] == "iteration"]
        if [m["real_time"] for m in r["measurements"]] != mine:
            fail(f"{name}: compare.py read {r['measurements']}, the export has {mine}")
    if "OVERALL_GEOMEAN" not in by_name:
        fail(f"no OVERALL_GEOMEAN in compare.py's report:\n{text}")

    text, report = compare(failed_file, failed_file)
    for name in ("spin", "test_exit"):
        if not any(line.startswith(name + " ") for line in text.splitlines()):
            fail(f"compare.py printed no line for {name!r} of {failed_file}:\n{text}")
    print(f"check_export_gbench: ok: compare.py compared {len(names)} benchmarks with U tests, "
          "and a run with a failed point")


main()
