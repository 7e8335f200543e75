#!/usr/bin/env bash
# tests/slurm/slurm.sh up DIR | down DIR
#
# A private single-node Slurm for tests and benchmarks, run from Debian 12's
# packages (slurmctld, slurmd, slurm-client, munge) without systemd.
#
#   up DIR    writes DIR/slurm.conf (one node on this machine, its real CPUs and
#             memory), a munge key and socket of its own under DIR, starts
#             munged, slurmctld and slurmd as the current user (root), waits
#             until `sinfo` shows the node idle, and writes DIR/env (source it:
#             it sets SLURM_CONF so sbatch, squeue and sinfo find this cluster).
#             On any failure it stops what it started and prints the daemons' logs.
#   down DIR  cancels the jobs still in this cluster, stops the daemons that
#             `up DIR` started, by the PIDs it recorded (DIR/pids), and the step
#             daemons of its slurmd (found by their working directory, DIR/log),
#             and nothing else; it waits until they are gone.
#
# Exit codes: 0 ok; 1 failure (said on stderr); 77 (the tests' skip code) when
# the packages are not installed.
# Why each setting is what it is: docs/slurm.md ("The test's Slurm").
set -euo pipefail

die() { echo "slurm.sh: $*" >&2; exit 1; }

# Stops one process: SIGTERM, then SIGKILL if it is still there after 10 s.
stop_pid() {
  local name=$1 pid=$2
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "slurm.sh: $name (pid $pid) did not stop on SIGTERM in 10 s; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# The step daemons our slurmd started (it runs them in DIR/log, its working
# directory): the only slurmstepd processes that are ours.
our_stepds() {
  local dir=$1 p
  for p in $(pgrep -x slurmstepd || true); do
    case $(readlink "/proc/$p/cwd" 2>/dev/null) in "$dir"/*) echo "$p" ;; esac
  done
}

# Cancels this cluster's jobs and stops the daemons it started, one "name pid"
# a line in DIR/pids: Slurm's first (they talk to munged), munged last.
stop_recorded() {
  local dir=$1 name pid
  [ -f "$dir/pids" ] || return 0
  if [ -f "$dir/slurm.conf" ] && grep -q '^slurmctld ' "$dir/pids"; then
    local jobs
    jobs=$(SLURM_CONF="$dir/slurm.conf" timeout 10 squeue -h -o %A -t PD,R,CG,S 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086 # one job id a word
      SLURM_CONF="$dir/slurm.conf" timeout 10 scancel $jobs 2>/dev/null || true
      for _ in $(seq 100); do
        [ -z "$(our_stepds "$dir")" ] && break
        sleep 0.1
      done
    fi
  fi
  tac "$dir/pids" | while read -r name pid; do
    stop_pid "$name" "$pid"
    if [ "$name" = slurmd ]; then
      for pid in $(our_stepds "$dir"); do stop_pid slurmstepd "$pid"; done
    fi
  done
  rm -f "$dir/pids"
}

# A TCP port nobody listens on, picked at random: never Slurm's defaults (a
# real Slurm may hold them, and two test clusters started at once would race
# for them); `up` retries with others if a daemon still finds its port taken.
free_port() {
  local port
  for port in $(shuf -i 20000-59999 -n 50); do
    if ! ss -Htln "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found for Slurm"
}

# slurmd (22.05) sets up its cgroup plugin even with proctrack/linuxproc and task/none,
# and gives up where nothing is mounted at /sys/fs/cgroup (a chroot, a bare container;
# systemd mounts it on a machine). There it mounts what this process's own cgroups are
# (/proc/self/cgroup: cgroup2 alone, or the v1 hierarchies on a tmpfs, as systemd would:
# slurmd refuses a mix), and `down` unmounts them. Nothing changes where one is mounted.
ensure_cgroup() {
  case $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) in cgroup2fs|tmpfs) return 0 ;; esac
  local fail="slurmd needs a cgroup filesystem at /sys/fs/cgroup; none is mounted, and mounting"
  if ! grep -qv '^0::' /proc/self/cgroup; then
    mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || die "$fail cgroup2 failed"
    echo /sys/fs/cgroup >>"$DIR/mounted"
    return 0
  fi
  mount -t tmpfs cgroup_root /sys/fs/cgroup || die "$fail a tmpfs there failed"
  echo /sys/fs/cgroup >>"$DIR/mounted"
  local id controllers path options
  while IFS=: read -r id controllers path; do
    [ -n "$controllers" ] || continue
    options=$controllers
    case $controllers in name=*) options="none,$controllers" ;; esac
    mkdir -p "/sys/fs/cgroup/${controllers#name=}"
    mount -t cgroup -o "$options" cgroup "/sys/fs/cgroup/${controllers#name=}" ||
      die "$fail the $controllers hierarchy failed"
    echo "/sys/fs/cgroup/${controllers#name=}" >>"$DIR/mounted"
  done </proc/self/cgroup
}

undo_mounts() { # the last mounted first
  local dir=$1 m
  [ -f "$dir/mounted" ] || return 0
  tac "$dir/mounted" | while read -r m; do umount "$m" 2>/dev/null || true; done
  rm -f "$dir/mounted"
}

started() { # name pid: records a daemon `down` must stop
  echo "$1 $2" >>"$DIR/pids"
}

forget() { # name: a daemon stopped already
  grep -v "^$1 " "$DIR/pids" >"$DIR/pids.new" || true
  mv "$DIR/pids.new" "$DIR/pids"
}


# A daemon that forks itself writes its PID file once it is ready: its PID,
# or status 1 if none came within 10 s.
wait_pid_file() {
  local file=$1
  for _ in $(seq 100); do
    [ -s "$file" ] && { cat "$file"; return 0; }
    sleep 0.1
  done
  return 1
}

show_logs() {
  local f
  for f in "$DIR"/log/*.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 30 lines)" >&2
    tail -n 30 "$f" >&2
  done
}

up() {
  for tool in munged mungekey slurmctld slurmd sinfo sbatch; do
    command -v "$tool" >/dev/null || {
      echo "slurm.sh: $tool is not installed (scripts/install-deps.sh --tests installs munge," \
           "slurmctld, slurmd and slurm-client)" >&2
      exit 77
    }
  done
  [ "$(id -u)" -eq 0 ] || die "run as root: slurmd starts jobs as their user and needs root for it"
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  [ ! -s "$DIR/pids" ] || die "$DIR/pids exists: this directory's Slurm is already up (down it first)"
  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
  # munged refuses a key or socket directory that others may write to.
  chmod 0700 "$DIR/munge"

  trap 'rc=$?; if [ $rc -ne 0 ]; then show_logs; stop_recorded "$DIR"; undo_mounts "$DIR"; fi; exit $rc' EXIT
  ensure_cgroup

  # munge: a key of its own; -f because the temporary directory above it
  # (/tmp) is world-writable, which munged otherwise refuses.
  mungekey --create --keyfile="$DIR/munge/munge.key" --bits=1024 2>/dev/null ||
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$DIR/munge/munge.key"
  local sock="$DIR/munge/munge.socket"
  munged --force --socket="$sock" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed"
  local munged
  munged=$(wait_pid_file "$DIR/run/munged.pid") || die "munged wrote no PID file within 10 s"
  started munged "$munged"

  # The node: this machine's CPUs, sockets, cores and memory as slurmd sees them.
  local hw
  hw=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //')
  local attempt ctld_port slurmd_port
  for attempt in 1 2 3; do
    ctld_port=$(free_port)
    slurmd_port=$ctld_port
    while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
    write_conf "$sock" "$hw" "$ctld_port" "$slurmd_port"
    start_slurm && break
    [ $attempt -lt 3 ] || die "slurmctld or slurmd kept finding its port taken"
    echo "slurm.sh: a port was taken meanwhile; again with others" >&2
  done
  trap - EXIT
  echo "slurm.sh: up in $DIR (slurmctld port $ctld_port, slurmd port $slurmd_port)"
}

# DIR/slurm.conf: munge socket, node hardware, the two ports.
write_conf() {
  local sock=$1 hw=$2 ctld_port=$3 slurmd_port=$4
  cat >"$DIR/slurm.conf" <<EOF
# Written by tests/slurm/slurm.sh: a private one-node Slurm for bhost's tests.
ClusterName=bhosttest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# No cgroups: processes tracked through /proc, tasks not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
# One CPU per task by default, so the node runs as many tasks as it has CPUs.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
# Finished jobs stay visible to squeue for a few minutes (sacct needs a database).
MinJobAge=300
NodeName=bhostnode NodeHostname=localhost NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=bhostnode Default=YES MaxTime=INFINITE State=UP
EOF

}

# Whether slurmctld or slurmd logged that its port was taken.
port_taken() {
  grep -qs "Address already in use" "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log"
}

# Starts slurmctld and slurmd and waits until the node is idle. 0; 1 if one of
# them found its port taken (what started is stopped again, to retry); exits
# (through die) on any other failure.
start_slurm() {
  local ctld="" slurmd="" state=""
  : >"$DIR/log/slurmctld.log"
  : >"$DIR/log/slurmd.log"
  rm -f "$DIR/run/slurmctld.pid" "$DIR/run/slurmd.pid"
  slurmctld -f "$DIR/slurm.conf" -i
  if ctld=$(wait_pid_file "$DIR/run/slurmctld.pid"); then
    started slurmctld "$ctld"
    slurmd -f "$DIR/slurm.conf" -N bhostnode
    if slurmd=$(wait_pid_file "$DIR/run/slurmd.pid"); then
      started slurmd "$slurmd"
      echo "export SLURM_CONF=$DIR/slurm.conf" >"$DIR/env"
      for _ in $(seq 300); do
        state=$(SLURM_CONF="$DIR/slurm.conf" sinfo -h -n bhostnode -o '%T' 2>/dev/null || true)
        [ "$state" = "idle" ] && return 0
        kill -0 "$ctld" 2>/dev/null && kill -0 "$slurmd" 2>/dev/null || break
        sleep 0.2
      done
    fi
  fi
  if port_taken; then
    [ -z "$slurmd" ] || { stop_pid slurmd "$slurmd"; forget slurmd; }
    [ -z "$ctld" ] || { stop_pid slurmctld "$ctld"; forget slurmctld; }
    return 1
  fi
  [ -n "$ctld" ] || die "slurmctld wrote no PID file within 10 s"
  [ -n "$slurmd" ] || die "slurmd wrote no PID file within 10 s"
  kill -0 "$ctld" 2>/dev/null || die "slurmctld exited"
  kill -0 "$slurmd" 2>/dev/null || die "slurmd exited"
  die "the node is not idle after 60 s (sinfo says '${state:-nothing}')"
}

[ $# -eq 2 ] || die "usage: slurm.sh up DIR | down DIR"
DIR=$2
case $1 in
  up) up ;;
  down) [ -d "$DIR" ] || die "$DIR: no such directory"; stop_recorded "$DIR"; undo_mounts "$DIR" ;;
  *) die "usage: slurm.sh up DIR | down DIR" ;;
esac
