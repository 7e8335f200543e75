#!/usr/bin/env bash
# test_readers_synthetic: the synthetic profile (tests/sampler/synthetic_profile.c)
# written by the sampler's writers, then opened by real readers: speedscope's
# viewer (check_speedscope.mjs) and Chromium (check_flamegraph.mjs).
# Usage: test_synthetic.sh WRITE_SYNTHETIC_PROFILE OUT_DIR
# Fails, saying what is missing, when the readers are not installed.
set -euo pipefail
writer=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
node_dir=${BHOST_TEST_NODE_DIR:-/usr/local/lib/bhost-test-node}
chromium=${BHOST_CHROMIUM:-/usr/bin/chromium}

missing=()
if ! command -v node >/dev/null; then
  missing+=("node")
elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  missing+=("node 18 or later (this is $(node --version))")
fi
for package in speedscope puppeteer-core; do
  [ -f "$node_dir/node_modules/$package/package.json" ] || missing+=("$package in $node_dir")
done
[ -x "$chromium" ] || missing+=("$chromium")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'test_readers_synthetic: FAIL: missing %s; run scripts/install-deps.sh\n' \
    "$(IFS=,; echo "${missing[*]}" | sed 's/,/, /g')" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
"$writer" "$out"
node "$here/check_speedscope.mjs" "$out/synthetic.json" sqlite3VdbeExec hash_lookup \
  'ns::vec<int>::push_back("x") & '"'co'" recurse 'zürich_λ' libfoo.so+0x1a2b
node "$here/check_flamegraph.mjs" "$out/synthetic.svg" recurse sqlite3VdbeExec hash_lookup \
  'ns::vec<int>::push_back("x") & '"'co'" 'zürich_λ' '[truncated]'
