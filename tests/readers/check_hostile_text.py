#!/usr/bin/env python3
"""check_hostile_text.py KIND FILE...: outputs bhost wrote of a hostile
results file (make_hostile.py) still parse as what they claim to be.

  markdown FILE...  every table keeps its shape: each row has as many cells
                    (unescaped |) as its header; no raw <script, <img or <svg
                    anywhere (inline HTML is escaped)
  csv FILE ROWS     Python's csv module reads ROWS rows of equal length; every
                    field is valid UTF-8; a label that starts like a formula
                    starts with a quote
  json FILE...      each is JSON (Python's json module, strict UTF-8)
Exit 0 if all holds, 1 with the reason otherwise.
"""
import csv
import io
import json
import re
import sys


def fail(message):
    print("check_hostile_text: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def cells(line):
    """The number of cells of a Markdown table row: | not preceded by a backslash."""
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def check_markdown(path):
    text = open(path, encoding="utf-8").read()
    for raw in ("<script", "<img", "<svg", "<iframe"):
        if raw in text:
            fail("%s holds raw %s" % (path, raw))
    header = None
    rows = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = cells(line)
            continue
        rows += 1
        if cells(line) != header:
            fail("%s:%d: a row of %d cells in a table of %d: %s" %
                 (path, n, cells(line), header, line[:200]))
    if rows == 0:
        fail("%s holds no table rows" % path)
    print("check_hostile_text: %s: %d table rows, every one its table's shape" % (path, rows))


def check_csv(path, want_rows):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s is not UTF-8: %s" % (path, e))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) != want_rows:
        fail("%s: %d rows, want %d" % (path, len(rows), want_rows))
    if len({len(r) for r in rows}) != 1:
        fail("%s: rows of different lengths %s" % (path, sorted({len(r) for r in rows})))
    label = rows[0].index("label")
    for r in rows[1:]:
        if r[label].startswith("="):
            fail("%s: a label starts with '=' (a formula): %s" % (path, r[label][:80]))
    print("check_hostile_text: %s: %d rows of %d fields" % (path, len(rows), len(rows[0])))


def check_json(path):
    try:
        json.loads(open(path, "rb").read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail("%s: %s" % (path, e))
    print("check_hostile_text: %s: JSON" % path)


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: check_hostile_text.py markdown|csv|json FILE... (csv: FILE ROWS)")
    kind, args = argv[1], argv[2:]
    if kind == "markdown":
        for p in args:
            check_markdown(p)
    elif kind == "csv":
        check_csv(args[0], int(args[1]))
    elif kind == "json":
        for p in args:
            check_json(p)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv)
