#!/usr/bin/env bash
# test_readers_hostile: every report and export bhost writes, of a results file
# whose every string is hostile, stays safe and still reads in its real reader
# (docs/security.md). A real run (spin swept, test_exit failing, gates missed)
# is made hostile by make_hostile.py: markup, separators, line ends, quotes,
# NULs, bytes that are not UTF-8, formulas, a 100 kB reason. Then:
#   report: the HTML page in headless Chromium runs no script and holds no
#           planted markup (check_hostile_html.mjs); the Markdown tables keep
#           their shape, with --compare too;
#   export: JUnit through xmllint and junit2json, CSV through Python's csv,
#           gbench through Google Benchmark's compare.py, BMF as JSON;
#   compare: --markdown keeps its table, --json is JSON.
# Usage: test_hostile.sh BHOST PLUGIN_PATH OUT_DIR
set -euo pipefail
export BHOST_HISTORY=off
bhost=$1 plugins=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out/hostile"
fail() { echo "test_readers_hostile: FAIL: $*" >&2; exit 1; }

cat >"$out/spec.yaml" <<'SPEC'
name: hostile
iterations: {warmup: 5, measured: 300}
repetitions: 4
gates:
  - failures == 0
  - p99 < 1s
experiments:
  - experiment: spin
    params: {ns: [200, 2000]}
  - experiment: test_exit
SPEC
rc=0
"$bhost" --plugin-path "$plugins" run "$out/spec.yaml" --out "$out/run" -q >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 6 ] || fail "the run exited $rc, not 6 (a gate missed)"
/usr/bin/python3 "$here/make_hostile.py" "$out/run/results.json" "$out/hostile/results.json"

# Runs bhost on the hostile file; its stderr may hold the hostile strings too: kept aside.
b() { "$bhost" "$@" 2>>"$out/stderr.txt" || fail "bhost $* exited $?"; }

b report "$out/hostile" --compare "$out/run" --out "$out/hostile" >/dev/null
[ -s "$out/hostile/report.html" ] && [ -s "$out/hostile/report.md" ] || fail "no report written"
node "$here/check_hostile_html.mjs" "$out/hostile/report.html" "$out/hostile-report.png"

# compare exits 0, 4 or 5 by its verdicts; 2 or 3 would be a refusal.
for form in markdown json; do
  rc=0
  "$bhost" compare "$out/run" "$out/hostile" --$form >"$out/compare.$form" 2>>"$out/stderr.txt" ||
    rc=$?
  case $rc in 0 | 4 | 5) ;; *) fail "bhost compare --$form exited $rc" ;; esac
done
mv "$out/compare.markdown" "$out/compare.md"
/usr/bin/python3 "$here/check_hostile_text.py" markdown "$out/hostile/report.md" "$out/compare.md"

for f in gbench bmf junit csv; do
  b export "$out/hostile" --format "$f" -o "$out/hostile.$f"
done
b export "$out/run" --format gbench -o "$out/run.gbench"
/usr/bin/python3 "$here/check_hostile_text.py" json "$out/hostile.gbench" "$out/hostile.bmf" \
  "$out/compare.json"
/usr/bin/python3 "$here/check_hostile_text.py" csv "$out/hostile.csv" 4

xmllint --noout "$out/hostile.junit" || fail "xmllint refuses the JUnit file"
node --input-type=module -e '
  import fs from "node:fs";
  import path from "node:path";
  import { pathToFileURL } from "node:url";
  const dir = process.env.BHOST_TEST_NODE_DIR || "/usr/local/lib/bhost-test-node";
  // An ES module: imported by its entry (Debian 12'"'"'s node 18 cannot require() one).
  const folder = path.join(dir, "node_modules", "junit2json");
  const pkg = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"));
  const { parse } = await import(pathToFileURL(path.join(folder, pkg.exports["."].default)).href);
  const doc = await parse(fs.readFileSync(process.argv[1], "utf8"));
  const cases = doc.testsuite.flatMap((s) => s.testcase || []);
  const failed = cases.filter((c) => c.failure);
  const planted = "<script>window.__bhost_pwned=1</script>";
  if (cases.length < 3 || failed.length < 1) throw new Error(`${cases.length} cases, ${failed.length} failed`);
  if (!cases.some((c) => String(c.name).includes(planted))) throw new Error("a label did not read back");
  console.log(`test_readers_hostile: junit2json read ${cases.length} test cases, ${failed.length} failed`);
' "$out/hostile.junit"

/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks "$out/run.gbench" "$out/hostile.gbench" \
  >"$out/compare.py.txt" 2>&1 || fail "compare.py failed: $(tail -3 "$out/compare.py.txt")"
grep -q "spin/ns:200_mean" "$out/compare.py.txt" || fail "compare.py printed no comparison"
echo "test_readers_hostile: OK"
