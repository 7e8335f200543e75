#!/usr/bin/env bash
# tests/slurm/test_slurm.sh BHOST PLUGIN_PATH WORKDIR (ctest: test_slurm, label slurm)
#
# bhost slurm on a real single-node Slurm (tests/slurm/slurm.sh): the sweep of
# slurm_sweep.yaml as 4 array shards merged by a dependent job must equal a
# single-machine `bhost run` of it (same_points.py); a shard with a crashing
# point still merges, and --wait exits 1; array tasks that fail are named with
# their output files; and once the cluster is down, no process it started is
# left. Exit 77 (ctest's skip) only when Slurm is not installed.
# PLUGIN_PATH holds spin and noop, and test_segv for slurm_failing.yaml.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: test_slurm.sh BHOST PLUGIN_PATH WORKDIR" >&2; exit 2; }
bhost=$1 plugin_path=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
spec=$here/slurm_sweep.yaml
cluster=$work/cluster
export BHOST_HISTORY=off

fail() { echo "test_slurm: FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cluster=$work/cluster

set +e
bash "$here/slurm.sh" up "$cluster"
rc=$?
set -e
if [ $rc -eq 77 ]; then
  echo "test_slurm: SKIP: Slurm is not installed (scripts/install-deps.sh --tests installs it)"
  exit 77
fi
[ $rc -eq 0 ] || fail "the test's Slurm did not come up (slurm.sh up exited $rc)"

# Processes that belong to this test's cluster, but this script and its own children: the
# daemons (their command lines name $cluster), their step daemons and the jobs' processes
# (working directory or SLURM_CONF under $cluster).
ours() {
  local p cmd
  for p in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    cmd=$( { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    [ -n "$cmd" ] || continue
    if [[ $cmd == *"$cluster"* ]] ||
       [[ $(readlink "/proc/$p/cwd" 2>/dev/null) == "$cluster"* ]] ||
       { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "SLURM_CONF=$cluster/slurm.conf"; then
      echo "$p $cmd"
    fi
  done
}

down() {
  local rc=$?
  local started name pid left
  started=$(cat "$cluster/pids")
  bash "$here/slurm.sh" down "$cluster" || rc=1
  while read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "test_slurm: FAIL: $name (pid $pid) is still running after down" >&2
      rc=1
    fi
  done <<<"$started"
  left=$(ours)
  if [ -n "$left" ]; then
    echo "test_slurm: FAIL: processes of the test's Slurm left after down:" >&2
    echo "$left" >&2
    rc=1
  fi
  [ $rc -eq 0 ] && echo "test_slurm: PASS"
  exit $rc
}
trap down EXIT

slurm() { SLURM_CONF=$cluster/slurm.conf "$@"; }

# 1. Four shards and their merge, waited for; then the same sweep on this machine.
set +e
slurm "$bhost" slurm "$spec" --shards 4 --wait --out "$work/sharded" \
  --plugin-path "$plugin_path" >"$work/slurm.out" 2>"$work/slurm.err"
rc=$?
set -e
cat "$work/slurm.out" "$work/slurm.err"
[ $rc -eq 0 ] || { tail -n 20 "$work"/sharded/slurm/*.out >&2 || true; fail "bhost slurm --wait exited $rc"; }
grep -qx "merged run: $work/sharded" "$work/slurm.out" || fail "no 'merged run: $work/sharded' line"
for k in 0 1 2 3; do
  grep -q "^bhost slurm: shard $((k + 1))/4 ended with exit 0" "$work/sharded/slurm/shards-$k.out" ||
    fail "array task $k's output does not say its shard ended well"
  [ -f "$work/sharded/shards/shard-$((k + 1))/results.json" ] || fail "shard $((k + 1)) wrote no run"
done
"$bhost" run "$spec" --out "$work/single" --plugin-path "$plugin_path" -q ||
  fail "the single-machine run failed"
python3 "$here/same_points.py" "$work/single" "$work/sharded" ||
  fail "the merged run differs from the single-machine run"

# 2. A point that crashes is a result: every task ends well, the merge runs, exit 1.
set +e
slurm "$bhost" slurm "$here/slurm_failing.yaml" --shards 3 --wait --out "$work/crashing" \
  --plugin-path "$plugin_path" >"$work/crashing.out" 2>"$work/crashing.err"
rc=$?
set -e
cat "$work/crashing.out" "$work/crashing.err"
[ $rc -eq 1 ] || fail "bhost slurm --wait with a crashing point exited $rc, not 1"
grep -qx "merged run: $work/crashing (some points failed or were skipped)" "$work/crashing.out" ||
  fail "no merged run reported for the crashing sweep"
python3 - "$work/crashing/results.json" <<'PY' || fail "the merged run does not report the crashed point"
import json, sys
d = json.load(open(sys.argv[1]))
status = {p["label"]: p["status"] for p in d["points"]}
assert len(status) == 5 and status.pop("crash") == "failed", status
assert set(status.values()) == {"ok"}, status
PY

# 3. Array tasks that fail: each named, with its output file; the merge never runs.
set +e
slurm env BHOST_SHARD=5/4 "$bhost" slurm "$spec" --shards 4 --wait --out "$work/failing" \
  --plugin-path "$plugin_path" >"$work/failing.out" 2>"$work/failing.err"
rc=$?
set -e
cat "$work/failing.out" "$work/failing.err"
[ $rc -eq 3 ] || fail "bhost slurm --wait with failing tasks exited $rc, not 3"
for k in 0 1 2 3; do
  grep -qF "array task $k (shard $((k + 1))/4) of job" "$work/failing.err" ||
    fail "array task $k is not named as failed"
  grep -qF "its output: $work/failing/slurm/shards-$k.out" "$work/failing.err" ||
    fail "array task $k's output file is not named"
done
[ ! -e "$work/failing/results.json" ] || fail "a merge ran although every shard failed"
