#!/usr/bin/env bash
# test_readers_hlog_js: a real run's run.hlog read by the npm package
# hdr-histogram-js (check_hlog_js.mjs), every interval to the figures
# results.json reports for its point and repetition. The points have labels
# of spaces, commas, '=', brackets and 300 bytes (long header comments), a
# second histogram, and one of values that are not times (a Unit line).
# Usage: test_hlog_js.sh BHOST PLUGIN_PATH OUT_DIR
set -euo pipefail
export BHOST_HISTORY=off # record nothing in a history
bhost=$1 plugins=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
node_dir=${BHOST_TEST_NODE_DIR:-/usr/local/lib/bhost-test-node}
if ! command -v node >/dev/null || [ ! -f "$node_dir/node_modules/hdr-histogram-js/package.json" ]; then
  echo "test_readers_hlog_js: FAIL: needs node and hdr-histogram-js in $node_dir; run scripts/install-deps.sh" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
long=$(printf 'x=[y], z %.0s' $(seq 30))
cat >"$out/spec.yaml" <<SPEC
name: hlog-js
experiments:
  - experiment: spin
    params: {ns: [1000, 20000]}
    iterations: {warmup: 10, measured: 2000}
    repetitions: 3
  - experiment: test_good
    params: {label: ["a b, c=d [e] f", "$long"]}
    iterations: {warmup: 2, measured: 500}
    repetitions: 2
  - experiment: test_sdk11
    iterations: {warmup: 2, measured: 500}
    repetitions: 2
  - experiment: noop
    iterations: {warmup: 10, measured: 20000}
    repetitions: 2
SPEC
"$bhost" --plugin-path "$plugins" run "$out/spec.yaml" --out "$out/run" -q
node "$here/check_hlog_js.mjs" "$out/run/run.hlog" "$out/run/results.json"
