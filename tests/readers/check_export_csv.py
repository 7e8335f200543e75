#!/usr/bin/python3
"""check_export_csv.py RUN.csv RESULTS.json — a bhost export --format csv file
read back with Python's csv module (RFC 4180) and compared, field by field,
with the run's results.json: the header, a row per point and histogram (one
for a point without any), each swept parameter's value, every figure as the
same double or integer, and the strings, quoted as needed and with formulas
defused. Exit 0 if all holds, 1 with the reason otherwise."""
import csv
import json
import sys

FIGURES = ["count", "min", "mean", "stddev", "p50", "p90", "p99", "p99_9", "max", "throughput"]
FIXED = ["id", "label", "experiment", "status", "histogram"] + FIGURES + ["unit", "error"]


def fail(message):
    print(f"check_export_csv: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def text(s):
    """A string as the export writes it: a spreadsheet formula defused with a quote."""
    if s is None:
        return ""
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def same_number(field, value, where):
    if value is None:
        if field != "":
            fail(f"{where}: {field!r} where results.json has null")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{where}: results.json has {value!r}, not a number")
    got = int(field) if isinstance(value, int) else float(field)
    if got != value or type(got) is not type(value):
        fail(f"{where}: {field!r} reads back as {got!r}, results.json has {value!r}")


def axes_of(results):
    axes = []
    for e in results["spec"]["experiments"]:
        own = [k for k, v in e["params"].items() if isinstance(v, list)]
        own += ["threads"] if isinstance(e.get("threads"), list) else []
        axes += [a for a in own if a not in axes]
    return axes


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        raw = f.read()
        rows = list(csv.reader(raw.splitlines(keepends=True)))
    with open(sys.argv[2], encoding="utf-8") as f:
        results = json.load(f)
    if not raw.endswith("\r\n"):
        fail("records do not end in CRLF")
    axes = axes_of(results)
    header = ["id", "label", "experiment"] + [("param:" + a if a in FIXED else a) for a in axes] \
        + FIXED[3:]
    if rows[0] != header:
        fail(f"header {rows[0]}, expected {header}")
    expected = []
    for pt in results["points"]:
        for hname, h in (pt["histograms"].items() or [(None, None)]):
            expected.append((pt, hname, h))
    if len(rows) - 1 != len(expected):
        fail(f"{len(rows) - 1} rows, results.json makes {len(expected)}")
    for row, (pt, hname, h) in zip(rows[1:], expected):
        where = f"row of {pt['label']!r} {hname}"
        if len(row) != len(header):
            fail(f"{where}: {len(row)} fields, not {len(header)}")
        fields = dict(zip(header, row))
        for key in ("id", "label", "experiment", "status", "error"):
            if fields[key] != text(pt[key]):
                fail(f"{where}: {key} {fields[key]!r}, expected {text(pt[key])!r}")
        if fields["histogram"] != (hname or "") or fields["unit"] != (h["unit"] if h else ""):
            fail(f"{where}: histogram {fields['histogram']!r}, unit {fields['unit']!r}")
        for axis, column in zip(axes, header[3:3 + len(axes)]):
            value = pt["params"].get(axis, pt.get("threads", 1) if axis == "threads" else None)
            if isinstance(value, str):
                if fields[column] != text(value):
                    fail(f"{where}: {column} {fields[column]!r}, expected {text(value)!r}")
            else:
                same_number(fields[column], value, f"{where}, {column}")
        for figure in FIGURES:
            value = h.get("throughput_per_s" if figure == "throughput" else figure) if h else None
            same_number(fields[figure], value, f"{where}, {figure}")
    print(f"check_export_csv: ok: {len(rows) - 1} rows, every field as in results.json")


main()
