#!/usr/bin/env python3
"""make_hostile.py IN OUT: a real results.json with every string someone else
wrote made hostile, for the test that every report and export stays safe.

Labels, parameter values and names, failure reasons, stderr tails, notes,
metric names, the spec's and the environment's texts, gate texts: each gets
markup that would run script if passed on raw, table and CSV separators, line
ends, quotes, a NUL, bytes that are not UTF-8 and a formula. One failure
reason is 100 kB. The document stays a bhost results file: ids, statuses,
numbers and histograms are kept, so every reader accepts it.
"""
import json
import sys

BAD_BYTES = "@@NOT_UTF8@@"  # replaced by raw invalid bytes after the dump

HOSTILE = (
    "<script>window.__bhost_pwned=1</script>"
    '"><img src=x onerror="window.__bhost_pwned=2">'
    "'><svg onload=window.__bhost_pwned=3>"
    " a|b|c \n line2\r\n line3\r "
    "quote\" apos' back\\slash `code` *em* _u_ ~s~ [x](javascript:alert(1)) "
    "nul\x00byte " + BAD_BYTES + " ]]> <!-- &amp; &#60; \x01\x0b\x1b "
    "\ufffe\uffff caf\u00e9 \u202eRTL"
)


def hostile(tag):
    return "=HYPERLINK(\"http://e\")" + tag + " " + HOSTILE


def walk_strings(value, fn):
    """value with every string (not keys) passed through fn."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [walk_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: walk_strings(v, fn) for k, v in value.items()}
    return value


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)

    spec = doc.get("spec", {})
    for key in ("name", "file", "path"):
        if isinstance(spec.get(key), str):
            spec[key] = hostile("spec-" + key)

    env = doc.get("environment", {})
    doc["environment"] = walk_strings(env, lambda s: hostile("env"))

    for i, pt in enumerate(doc["points"]):
        pt["label"] = hostile("label%d" % i)
        pt["plugin_version"] = hostile("version")
        params = pt.get("params") or {}
        hostile_params = {}
        for k, v in params.items():
            hostile_params[k] = hostile("param") if isinstance(v, str) else v
        hostile_params[hostile("name")] = hostile("value")
        pt["params"] = hostile_params
        if pt.get("status") != "ok":
            pt["error"] = hostile("error") + " " + "x" * 100000
            pt["stderr_tail"] = hostile("stderr")
        pt["notes"] = {hostile("note-name"): hostile("note")}
        metrics = pt.get("metrics") or {}
        if metrics:
            first = next(iter(metrics.values()))
            metrics[hostile("metric")] = first
        failures = pt.get("failures")
        if isinstance(failures, dict) and failures.get("reasons"):
            failures["reasons"] = walk_strings(failures["reasons"], lambda s: hostile("reason"))

    for g in doc.get("gates") or []:
        for key in ("gate", "where", "label", "why"):
            if isinstance(g.get(key), str):
                g[key] = hostile("gate-" + key)

    text = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    text = text.replace(BAD_BYTES.encode(), b"\xff\xfe\xc0\xbc\xed\xa0\x80\x80")
    with open(dst, "wb") as f:
        f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_hostile.py IN_RESULTS_JSON OUT_RESULTS_JSON")
    main(sys.argv[1], sys.argv[2])
