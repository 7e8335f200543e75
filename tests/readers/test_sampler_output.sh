#!/usr/bin/env bash
# test_readers_sampler: a real profile (the sampler on test_hotspots, run by bhost)
# opened by real readers: speedscope's viewer must list hot_75 and warm_25, and the
# flame graph must render in Chromium with both, and zoom and search.
# Usage: test_sampler_output.sh BHOST PLUGIN_PATH OUT_DIR
set -euo pipefail
export BHOST_HISTORY=off # record nothing in a history
bhost=$1 plugins=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
cat >"$out/spec.yaml" <<'SPEC'
min_time: 0
iterations: {warmup: 2, measured: 1000}
experiments:
  - experiment: test_hotspots
    params: {work: 50000}
    instruments: [sampler]
SPEC
"$bhost" --plugin-path "$plugins" run "$out/spec.yaml" --out "$out/run" -q
artifacts=$(ls -d "$out"/run/artifacts/*/)
node "$here/check_speedscope.mjs" "$artifacts/sampler.profile.speedscope.json" hot_75 warm_25
node "$here/check_flamegraph.mjs" "$artifacts/sampler.flamegraph.svg" hot_75 warm_25 loop_measure
