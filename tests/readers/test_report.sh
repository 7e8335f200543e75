#!/usr/bin/env bash
# test_readers_report: the pages `bhost report` writes, of real runs, opened in
# headless Chromium by check_report.mjs. A run of spin (ns and mode swept, the
# sampler attached, so points have flame graphs to link to) and test_exit (a
# point that fails), with gates, made twice with a history database, reported
# with --compare and the history; a run of a single noop point; and shortened
# runs of two shipped specs, the SQLite and the spatial-index baselines.
# Screenshots of both pages are left in OUT_DIR.
# Usage: test_report.sh BHOST PLUGIN_PATH OUT_DIR
set -euo pipefail
export BHOST_HISTORY=off # record nothing in a history but where said
bhost=$1 plugins=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
cat >"$out/spec.yaml" <<'SPEC'
name: report-reader
iterations: {warmup: 5, measured: 200}
repetitions: 4
gates:
  - p99 < 1s
  - failures == 0
experiments:
  - experiment: spin
    params: {ns: [1000, 10000], mode: [calibrated, clock]}
    instruments: [sampler]
  - experiment: test_exit
SPEC
cat >"$out/one.yaml" <<'SPEC'
name: report-one
iterations: {warmup: 10, measured: 1000}
experiments:
  - experiment: noop
SPEC

# Runs bhost; exit 6 (a gate missed: test_exit's point) is what the spec makes.
run() {
  local rc=0
  "$bhost" --plugin-path "$plugins" "$@" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 6 ]; then
    echo "test_readers_report: FAIL: bhost $* exited $rc" >&2
    exit 1
  fi
}

history="$out/history.sqlite"
run run "$out/spec.yaml" --out "$out/base" -q --history "$history"
run run "$out/spec.yaml" --out "$out/run" -q --history "$history"
"$bhost" report "$out/run" --compare "$out/base" --history "$history"
node "$here/check_report.mjs" "$out/run/report.html" "$out/report.png" --compared --history

run run "$out/one.yaml" --out "$out/one" -q
"$bhost" report "$out/one"
node "$here/check_report.mjs" "$out/one/report.html" "$out/report-one.png"

# The shipped workloads' specs, shortened (--set), as a user would report them.
specs=$(cd "$here/../../specs" && pwd)
run run "$specs/memory_db_baseline.yaml" --out "$out/sqlite" -q --set repetitions=2
"$bhost" report "$out/sqlite"
node "$here/check_report.mjs" "$out/sqlite/report.html" "$out/report-sqlite.png"
run run "$specs/spatial_comprehensive_baseline.yaml" --out "$out/spatial" -q \
  --set points=[1000,10000] --set distribution=[uniform] --set repetitions=2
"$bhost" report "$out/spatial"
node "$here/check_report.mjs" "$out/spatial/report.html" "$out/report-spatial.png"
