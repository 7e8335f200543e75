#!/usr/bin/env bash
# test_readers_export_<format>: bhost export's files opened by the tools that read them.
#   gbench  Google Benchmark's compare.py (Debian's libbenchmark-tools) compares the exports
#           of two real runs, U test included, and a run with a failed point with itself
#   bmf     the Bencher Metric Format JSON schema, bounds and values read back
#   junit   xmllint, then npm's junit2json: counts, names and reasons against results.json
#   csv     Python's csv module: every field, numbers exactly, against results.json
# Usage: test_export_readers.sh BHOST PLUGIN_PATH OUT_DIR FORMAT
set -euo pipefail
export BHOST_HISTORY=off # record nothing in a history
bhost=$1 plugins=$2 out=$3 format=$4
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3 # Debian's, with the scipy compare.py needs
rm -rf "$out"
mkdir -p "$out"

run() { # SPEC DIR: a run whose failed points and missed gates are expected
    local rc=0
    "$bhost" --plugin-path "$plugins" run "$1" --out "$2" -q >"$2.stdout" 2>"$2.stderr" || rc=$?
    if [[ $rc != 0 && $rc != 1 && $rc != 6 ]]; then
        echo "bhost run $1 exited $rc:" >&2
        cat "$2.stdout" "$2.stderr" >&2
        exit 1
    fi
}

if [[ $format == gbench ]]; then
    # Three repetitions a side: compare.py's U test needs two at least.
    cat >"$out/spec.yaml" <<'SPEC'
name: export-gbench
iterations: {warmup: 5, measured: 50}
repetitions: 3
experiments:
  - experiment: spin
    params: {ns: [1000, 5000], mode: clock}
    instruments: [rusage]
  - experiment: noop
  - experiment: test_good
    params: {label: ['<x>&y', 'a,"b"']}
SPEC
    run "$out/spec.yaml" "$out/a"
    run "$out/spec.yaml" "$out/b"
    cat >"$out/failed.yaml" <<'SPEC'
name: export-gbench-failed
iterations: {warmup: 0, measured: 20}
repetitions: 2
experiments:
  - experiment: spin
    params: {ns: 1000, mode: clock}
  - experiment: test_exit
SPEC
    run "$out/failed.yaml" "$out/failed"
    for r in a b failed; do
        "$bhost" export "$out/$r" --format gbench -o "$out/$r.json"
    done
    "$python" "$here/check_export_gbench.py" "$out/a.json" "$out/b.json" "$out/failed.json"
    exit 0
fi

cat >"$out/spec.yaml" <<'SPEC'
name: export-readers
iterations: {warmup: 0, measured: 40}
repetitions: 2
experiments:
  - experiment: spin
    params: {ns: [1000, 3000], mode: clock}
    instruments: [rusage]
  - experiment: test_good
    params: {label: ['a,"b"', '<x>&y ]]>', '=1+2', "tab\there\nline", "ünï €"], fail_every: 8}
  - experiment: test_exit
  - experiment: test_crash_teardown
    repetitions: 1
gates:
  - failures == 0
  - run.wall_s < 10min
  - {check: "p99 < 1s", points: "nothing*"}
SPEC
run "$out/spec.yaml" "$out/run"
results=$out/run/results.json
case $format in
bmf)
    "$bhost" export "$out/run" --format bmf -o "$out/run.bmf.json"
    "$python" "$here/check_export_bmf.py" "$here/export_bmf.schema.json" "$out/run.bmf.json" "$results"
    ;;
junit)
    "$bhost" export "$out/run" --format junit -o "$out/run.xml"
    xmllint --noout "$out/run.xml"
    node "$here/check_export_junit.mjs" "$out/run.xml" "$results"
    ;;
csv)
    "$bhost" export "$out/run" --format csv -o "$out/run.csv"
    "$python" "$here/check_export_csv.py" "$out/run.csv" "$results"
    ;;
*)
    echo "test_export_readers.sh: unknown format '$format'" >&2
    exit 2
    ;;
esac
