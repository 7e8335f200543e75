#!/usr/bin/env bash
# tests/slurm/test_slurm_cli.sh BHOST PLUGIN_PATH WORKDIR (ctest: test_slurm_cli)
#
# bhost slurm without a Slurm: stand-in sbatch, squeue and scancel on PATH
# record their arguments and play the controller. Checks the two scripts and
# the sbatch arguments bhost slurm writes, that every argument reaches the
# shards' bhost intact (a hostile directory name included: the script runs
# against a stand-in bhost that prints its arguments), --wait's outcomes from
# the scripts' exit-code files, and the refusals: no sbatch, bad options, a
# bad spec, a directory that holds a submission.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: test_slurm_cli.sh BHOST PLUGIN_PATH WORKDIR" >&2; exit 2; }
real_bhost=$1 plugin_path=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
spec=$here/slurm_sweep.yaml
export BHOST_HISTORY=off
rm -rf "$work"
mkdir -p "$work/bin" "$work/fake"
work=$(cd "$work" && pwd)
fail() { echo "test_slurm_cli: FAIL: $*" >&2; exit 1; }

# bhost slurm writes the path of the running binary into the scripts: run a copy, so that
# the scripts can later be pointed at a stand-in by replacing it.
cp "$real_bhost" "$work/bin/bhost"
bhost=$work/bin/bhost

# sbatch: records its arguments (one a line, a blank line after each call) and prints a
# job id; SBATCH_FAIL=1 refuses. squeue: prints $work/fake/state. scancel: records.
cat >"$work/fake/sbatch" <<FAKE
#!/bin/bash
[ -n "\${SBATCH_FAIL:-}" ] && { echo "sbatch: error: invalid partition" >&2; exit 1; }
printf '%s\n' "\$@" >>"$work/fake/sbatch.args"; echo >>"$work/fake/sbatch.args"
n=\$(( \$(cat "$work/fake/next" 2>/dev/null || echo 41) + 1 )); echo \$n >"$work/fake/next"
echo "\$n;cluster"
FAKE
cat >"$work/fake/squeue" <<FAKE
#!/bin/bash
cat "$work/fake/state" 2>/dev/null
FAKE
cat >"$work/fake/scancel" <<FAKE
#!/bin/bash
echo "\$@" >>"$work/fake/scancel.args"
FAKE
chmod +x "$work/fake/"*
fakepath=$work/fake:/usr/bin:/bin

expect() { # expected-rc description command...
  local want=$1 what=$2 rc
  shift 2
  set +e
  "$@" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "$what: exit $rc, not $want"; }
}

# 1. Submission: the scripts, the arguments, the ids and DIR printed.
odd="$work/it's \$(touch pwned) a dir"
mkdir -p "$odd"
expect 0 "a submission" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 3 --out "$work/run" \
  --partition short --time 0:10:00 --sbatch-arg --account=perf --sbatch-arg=--qos=low \
  --set seed=5 --filter spin --plugin-path "$plugin_path" --plugin-path "$odd"
grep -qx "submitted 3 shards as job 42 (array 0-2) and their merge as job 43" "$work/out" ||
  fail "the job ids are not printed: $(cat "$work/out")"
grep -qx "run directory: $work/run" "$work/out" || fail "the run directory is not printed"
expected_args="--parsable
--output=$work/run/slurm/shards-%a.out
--partition=short
--time=0:10:00
--account=perf
--qos=low
$work/run/slurm/shards.sbatch

--parsable
--output=$work/run/slurm/merge.out
--partition=short
--time=0:10:00
--dependency=afterok:42
--kill-on-invalid-dep=yes
--account=perf
--qos=low
$work/run/slurm/merge.sbatch"
[ "$(cat "$work/fake/sbatch.args")" == "$expected_args" ] ||
  fail "sbatch's arguments: $(cat "$work/fake/sbatch.args")"
grep -qx '#SBATCH --array=0-2' "$work/run/slurm/shards.sbatch" || fail "no #SBATCH --array=0-2"
grep -qx '#SBATCH --job-name=bhost-slurm_sweep' "$work/run/slurm/shards.sbatch" || fail "no job name"
bash -n "$work/run/slurm/shards.sbatch" || fail "shards.sbatch is not valid shell"
bash -n "$work/run/slurm/merge.sbatch" || fail "merge.sbatch is not valid shell"

# 2. Every argument reaches the shard's bhost as it was given; the exit code is recorded,
# failed points (1) do not fail the task, anything else does.
stand_in() { # exit code the stand-in bhost returns
  printf '#!/bin/bash\nprintf "%%s\\n" "$@" >"%s/bhost.args"\nexit %s\n' "$work" "$1" >"$bhost"
}
stand_in 1
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=42 bash "$work/run/slurm/shards.sbatch" >"$work/task.out" ||
  fail "a shard whose points failed failed its task"
pp_real=$(cd "${plugin_path%%:*}" && pwd)
pp_build=$(cd "${plugin_path#*:}" && pwd)
expected_shard="run
$spec
--shard
auto
--out
$work/run/shards/shard-2
--history
off
--set
seed=5
--filter
spin
--plugin-path
$pp_real
--plugin-path
$pp_build
--plugin-path
$odd"
[ "$(cat "$work/bhost.args")" == "$expected_shard" ] || fail "the shard's bhost got: $(cat "$work/bhost.args")"
[ ! -e pwned ] && [ ! -e "$odd/pwned" ] && [ ! -e "$work/pwned" ] || fail "an argument ran as a command"
[ "$(cat "$work/run/slurm/shard-2.rc")" = 1 ] || fail "shard-2.rc does not hold 1"
grep -q '^bhost slurm: shard 2/3 (array task 1 of job 42) started on .* at [0-9.]*$' "$work/task.out" ||
  fail "the task prints no start line: $(cat "$work/task.out")"
stand_in 3
set +e
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_JOB_ID=42 bash "$work/run/slurm/shards.sbatch" >/dev/null
rc=$?
set -e
[ $rc -eq 3 ] || fail "a shard whose bhost exited 3 ended its task with $rc"
stand_in 0
bash "$work/run/slurm/merge.sbatch" >/dev/null || fail "merge.sbatch failed"
[ "$(head -n 2 "$work/bhost.args")" == "merge
$work/run/shards/shard-*" ] || fail "merge.sbatch ran: $(cat "$work/bhost.args")"
cp "$real_bhost" "$bhost"

# 3. --wait: the merge's exit code, or the failed array tasks named.
rm -f "$work/fake/sbatch.args"
echo "COMPLETED|None" >"$work/fake/state"
mkdir -p "$work/w1"
( sleep 1; mkdir -p "$work/w1/slurm"; echo 1 >"$work/w1/slurm/merge.rc" ) &
expect 1 "--wait, the merge exits 1" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 2 \
  --out "$work/w1" --wait --plugin-path "$plugin_path"
wait
grep -qx "merged run: $work/w1 (some points failed or were skipped)" "$work/out" ||
  fail "--wait does not print the merged run: $(cat "$work/out")"
echo "PENDING|Dependency" >"$work/fake/state"
( sleep 1; echo 0 >"$work/w2/slurm/shard-1.rc"; echo 2 >"$work/w2/slurm/shard-3.rc";
  echo "PENDING|DependencyNeverSatisfied" >"$work/fake/state" ) &
expect 3 "--wait, shards failed" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 4 \
  --out "$work/w2" --wait --plugin-path "$plugin_path"
wait
grep -qF "array task 1 (shard 2/4) of job 46 ended without an exit code" "$work/err" ||
  fail "a task without an exit code is not named: $(cat "$work/err")"
grep -qF "its output: $work/w2/slurm/shards-1.out" "$work/err" || fail "no output file named"
grep -qF "array task 2 (shard 3/4) of job 46 failed: bhost run exited 2" "$work/err" ||
  fail "a failed task is not named"
grep -qF "array task 0 " "$work/err" && fail "a task that ended well is named"
grep -qF "3 of 4 shards failed" "$work/err" || fail "no count of failed shards"
[ "$(cat "$work/fake/scancel.args")" = 47 ] || fail "the merge that can never run is not cancelled"

# 4. Refusals.
mkdir -p "$work/empty"
expect 2 "no sbatch" env PATH="$work/empty" "$bhost" slurm "$spec" --shards 2 --out "$work/x1" \
  --plugin-path "$plugin_path"
grep -q "sbatch is not on PATH" "$work/err" || fail "no word of the missing sbatch: $(cat "$work/err")"
[ ! -e "$work/x1" ] || fail "a run directory was made without sbatch"
expect 2 "no --shards" env PATH="$fakepath" "$bhost" slurm "$spec"
expect 2 "one shard" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 1
expect 2 "two specs" env PATH="$fakepath" "$bhost" slurm "$spec" "$spec" --shards 2
expect 2 "unknown option" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 2 --jobs 2
expect 2 "a bad --set" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 2 --set nope=1 \
  --out "$work/x2" --plugin-path "$plugin_path"
[ ! -e "$work/x2" ] || fail "a run directory was made for a bad spec"
expect 3 "sbatch refuses" env PATH="$fakepath" SBATCH_FAIL=1 "$bhost" slurm "$spec" --shards 2 \
  --out "$work/x3" --plugin-path "$plugin_path"
grep -q "invalid partition" "$work/err" || fail "sbatch's own message is not shown"
expect 2 "an earlier submission" env PATH="$fakepath" "$bhost" slurm "$spec" --shards 2 \
  --out "$work/run" --plugin-path "$plugin_path"
grep -q "already holds slurm (an earlier submission)" "$work/err" || fail "$(cat "$work/err")"
expect 0 "--help" "$bhost" slurm --help
grep -q "usage: bhost slurm SPEC --shards N" "$work/out" || fail "no usage"
echo "test_slurm_cli: PASS"
