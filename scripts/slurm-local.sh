#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests and for trying `flbench slurm` on a laptop:
#   scripts/slurm-local.sh start    # installs slurm-wlm and munge if missing (apt-get), starts munged,
#                                   # slurmctld and slurmd on localhost with a partition `local` of all cores
#   scripts/slurm-local.sh status   # daemons, node state, queue; prints the `export SLURM_CONF=…` line
#   scripts/slurm-local.sh stop     # cancels every job, stops the daemons, removes the state directory
# Run as root (Debian 12's slurm-wlm 22.05). Everything lives in $FLBENCH_SLURM_DIR (default /tmp/flbench-slurm):
# slurm.conf, its own munge key and socket, state, logs, pid files; nothing in /etc is changed. Slurm commands
# find the cluster through SLURM_CONF: `export SLURM_CONF=$FLBENCH_SLURM_DIR/slurm.conf`. start is idempotent
# (a running cluster is left as it is); stop always cleans up, whatever state it finds.
# No cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none (works inside containers too).
set -euo pipefail

root=${FLBENCH_SLURM_DIR:-/tmp/flbench-slurm}
conf=$root/slurm.conf
export SLURM_CONF=$conf
host=$(hostname -s)

log() { echo "slurm-local: $*" >&2; }

# The pid in FILE if that process is alive, else nothing.
alive() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

install_packages() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get)"
    apt-get update -qq
    # The packages' own services are not wanted (we run our own daemons); in containers they cannot start anyway.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

write_config() {
  local cpus
  cpus=$(nproc)
  mkdir -p "$root"/{state,spool,log,munge}
  chmod 700 "$root/munge"
  if [ ! -f "$root/munge/munge.key" ]; then
    dd if=/dev/urandom of="$root/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$root/munge/munge.key"
  fi
  cat >"$conf" <<EOF
# Single-node Slurm for flbench tests, written by scripts/slurm-local.sh (removed by its stop).
ClusterName=flbench-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$root/munge/munge.socket
StateSaveLocation=$root/state
SlurmdSpoolDir=$root/spool
SlurmctldPidFile=$root/slurmctld.pid
SlurmdPidFile=$root/slurmd.pid
SlurmctldLogFile=$root/log/slurmctld.log
SlurmdLogFile=$root/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" -eq 0 ] || { log "run as root (it starts slurmd, which runs jobs as their users)"; exit 2; }
  if alive "$root/slurmctld.pid" >/dev/null && alive "$root/slurmd.pid" >/dev/null && alive "$root/munge/munged.pid" >/dev/null; then
    log "already running ($root)"
    status
    return 0
  fi
  stop quiet  # whatever half-started state is left, start from nothing
  install_packages
  write_config
  munged --force --socket="$root/munge/munge.socket" --key-file="$root/munge/munge.key" \
    --pid-file="$root/munge/munged.pid" --log-file="$root/munge/munged.log" --seed-file="$root/munge/munged.seed"
  wait_for "[ -S '$root/munge/munge.socket' ]" 10 || { log "munged did not start: $root/munge/munged.log"; exit 1; }
  slurmctld -c -f "$conf"
  wait_for "scontrol ping | grep -q UP" 30 || { log "slurmctld did not start: $root/log/slurmctld.log"; tail -20 "$root/log/slurmctld.log" >&2; exit 1; }
  slurmd -f "$conf"
  wait_for "sinfo -h -N -o %T | grep -Eq '^(idle|mixed|allocated)'" 60 ||
    { log "slurmd did not register: $root/log/slurmd.log"; tail -20 "$root/log/slurmd.log" >&2; exit 1; }
  log "started: partition 'local' with $(nproc) CPUs on $host"
  status
}

# Stops everything this script started (by pid file), cancels jobs first; removes $root. Never fails.
stop() {
  if alive "$root/slurmctld.pid" >/dev/null; then
    scancel --full --signal=KILL --quiet $(squeue -h -o %A 2>/dev/null) 2>/dev/null || true
    scancel --quiet $(squeue -h -o %A 2>/dev/null) 2>/dev/null || true
    wait_for "[ -z \"\$(squeue -h -o %A)\" ]" 15 || true
  fi
  local f pid
  for f in "$root/slurmd.pid" "$root/slurmctld.pid" "$root/munge/munged.pid"; do
    pid=$(alive "$f") || continue
    kill "$pid" 2>/dev/null || true
    wait_for "! kill -0 $pid" 10 || kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$root"
  [ "${1:-}" = quiet ] || log "stopped; removed $root"
}

status() {
  local d f ok=0
  for d in munged:munge/munged.pid slurmctld:slurmctld.pid slurmd:slurmd.pid; do
    f=$root/${d#*:}
    if pid=$(alive "$f"); then echo "${d%%:*}: running (pid $pid)"; else echo "${d%%:*}: not running"; ok=1; fi
  done
  if ((ok == 0)); then
    sinfo -N -o "%N %P %c %T" || ok=1
    squeue || ok=1
    echo "export SLURM_CONF=$conf"
  fi
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
