#!/usr/bin/env bash
# Starts a Slurm cluster on this machine for end-to-end tests of
# deploy/hpc/vk-cmd.sbatch and vk-cmd-fleet.sbatch: munged, slurmctld and one
# slurmd per node (one node unless SLURMD_PORTS names several) as plain processes
# (no systemd needed), every file under one state directory, nothing written
# to /etc. Installs the Debian packages when they are missing. Needs root.
#
# Environment:
#   SLURM_TEST_DIR     state directory (default /tmp/vk-cmd-slurm)
#   SLURMCTLD_PORT     (default 6817)
#   SLURMD_PORT        (default 6818)
#   SLURMD_PORTS       space-separated ports, one slurmd and one Slurm node
#                      per port on this host (node names HOST, HOST-2, HOST-3...,
#                      each with its own spool, log and pid files); overrides
#                      SLURMD_PORT, so that multi-node jobs (--nodes=2) can run
#   SLURM_UP_TIMEOUT   seconds to wait for the node to be idle (default 60)
#
# Writes $SLURM_TEST_DIR/env (KEY=value lines): SLURM_CONF, which every Slurm
# command (sbatch, squeue, scancel, ...) needs in its environment, and the
# node and partition names. Stop with scripts/slurm/slurm-down.sh.
set -euo pipefail

DIR=${SLURM_TEST_DIR:-/tmp/vk-cmd-slurm}
[[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
CTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
read -r -a SLURMD_PORT_LIST <<<"${SLURMD_PORTS:-$SLURMD_PORT}"
((${#SLURMD_PORT_LIST[@]} > 0)) || die "SLURMD_PORTS names no port"
TIMEOUT=${SLURM_UP_TIMEOUT:-60}
MARKER=.vk-cmd-slurm
PACKAGES=(slurmctld slurmd munge slurm-client)

log() { printf 'slurm-up: %s\n' "$*"; }
die() { printf 'slurm-up: error: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "must run as root (it installs packages and runs slurmd, which starts jobs as their users)"

# -------------------------------------------------------------- packages ---

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  # policy-rc.d: the packages must not try to start their services; this
  # script starts the daemons itself, with its own configuration.
  had_policy=0
  [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
  if ((!had_policy)); then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { ((had_policy)) || rm -f /usr/sbin/policy-rc.d; die "apt-get install ${missing[*]} failed"; }
  ((had_policy)) || rm -f /usr/sbin/policy-rc.d
fi
for c in munged slurmctld slurmd sinfo scontrol; do
  command -v "$c" >/dev/null || die "$c is missing after installing ${PACKAGES[*]}"
done

# ------------------------------------------------------ already running? ---

if [[ -f "$DIR/env" ]]; then
  # shellcheck source=/dev/null
  . "$DIR/env"
  export SLURM_CONF
  if scontrol ping 2>/dev/null | grep -q 'is UP' &&
    [[ "$(sinfo -h -n "$SLURM_TEST_NODE" -o %T 2>/dev/null)" =~ ^(idle|mixed|allocated) ]]; then
    log "Slurm in $DIR is already up (SLURM_CONF=$SLURM_CONF)"
    exit 0
  fi
  log "Slurm in $DIR is not healthy; restarting it"
fi
if [[ -e "$DIR" ]]; then
  if [[ -f "$DIR/$MARKER" ]]; then
    bash "$(dirname "${BASH_SOURCE[0]}")/slurm-down.sh" >/dev/null 2>&1 || true
  elif [[ -n "$(ls -A "$DIR" 2>/dev/null)" ]]; then
    die "$DIR exists and was not created by this script; refusing to use it"
  fi
fi

mkdir -p "$DIR"/{munge,state,spool,log,pids}
touch "$DIR/$MARKER"
chmod 700 "$DIR/munge"

# ----------------------------------------------------------------- munge ---

# A fresh key for this cluster only (the package's /etc/munge/munge.key is
# left alone).
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$DIR/munge/munge.key"
MUNGE_SOCKET=$DIR/munge/munge.socket.2
# --force: munged is meant to run as its own user; root is fine for a test
# cluster that lives as long as the tests.
munged --force --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" \
  --pid-file="$DIR/pids/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" ||
  die "munged did not start; see $DIR/log/munged.log"

# ------------------------------------------------------------ slurm.conf ---

NODE=$(hostname -s)
CPUS=$(nproc)
MEMORY_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
getent hosts "$NODE" >/dev/null || die "host name $NODE does not resolve; add it to /etc/hosts"
# Node i (from 1) is HOST-i but the first, which keeps the host's name; every
# slurmd runs here (NodeHostname), told apart by its port and -N.
NODES=()
for ((i = 1; i <= ${#SLURMD_PORT_LIST[@]}; i++)); do
  if ((i == 1)); then NODES+=("$NODE"); else NODES+=("$NODE-$i"); fi
done
# One slurmd keeps the single-node file names; several need one file each (%n: the node name).
PER_NODE=""
((${#NODES[@]} > 1)) && PER_NODE="-%n"
NODE_LINES=""
for ((i = 0; i < ${#NODES[@]}; i++)); do
  NODE_LINES+="NodeName=${NODES[i]} NodeHostname=$NODE NodeAddr=127.0.0.1 Port=${SLURMD_PORT_LIST[i]} CPUs=$CPUS RealMemory=$MEMORY_MB State=UNKNOWN"$'\n'
done
NODE_RANGE=$(IFS=,; echo "${NODES[*]}")

SLURM_CONF=$DIR/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Single-node test cluster written by scripts/slurm/slurm-up.sh.
ClusterName=vkcmdtest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=${SLURMD_PORT_LIST[0]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool$PER_NODE
SlurmctldPidFile=$DIR/pids/slurmctld.pid
SlurmdPidFile=$DIR/pids/slurmd$PER_NODE.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd$PER_NODE.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: processes are tracked through their parent pids.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
# Seconds between SIGTERM and SIGKILL when a job is cancelled or times out.
KillWait=30
InactiveLimit=0
MinJobAge=300
${NODE_LINES}PartitionName=debug Nodes=$NODE_RANGE Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF

{
  echo "# Single-node Slurm started by scripts/slurm/slurm-up.sh; stop it with scripts/slurm/slurm-down.sh."
  printf 'SLURM_TEST_DIR=%q\n' "$DIR"
  printf 'SLURM_CONF=%q\n' "$SLURM_CONF"
  printf 'SLURM_TEST_NODE=%q\n' "$NODE"
  printf 'SLURM_TEST_NODES=%q\n' "${NODES[*]}"
  printf 'SLURM_TEST_PARTITION=%q\n' debug
} >"$DIR/env"

# --------------------------------------------------------------- daemons ---

# -D: stay in the foreground, so the pid recorded is the daemon's; setsid:
# they must outlive the shell that started them.
setsid slurmctld -D -i -f "$SLURM_CONF" </dev/null >>"$DIR/log/slurmctld.stdout" 2>&1 &
echo $! >"$DIR/pids/slurmctld.fg.pid"
for ((i = 0; i < ${#NODES[@]}; i++)); do
  suffix=""
  ((i > 0)) && suffix="-${NODES[i]}"
  mkdir -p "$DIR/spool${PER_NODE:+-${NODES[i]}}"
  setsid slurmd -D -N "${NODES[i]}" -f "$SLURM_CONF" </dev/null >>"$DIR/log/slurmd$suffix.stdout" 2>&1 &
  echo $! >"$DIR/pids/slurmd$suffix.fg.pid"
done

fail() {
  {
    printf 'slurm-up: error: %s\n' "$1"
    for f in "$DIR"/log/*; do
      f=${f##*/}
      [[ -s "$DIR/log/$f" ]] || continue
      printf 'slurm-up: last lines of %s:\n' "$DIR/log/$f"
      tail -n 15 "$DIR/log/$f" | sed 's/^/    /'
    done
  } >&2
  exit 1
}

# Up once every node is: one state line per node, none other than these.
all_up() {
  local lines
  lines=$(sinfo -h -N -n "$NODE_RANGE" -o %T 2>/dev/null) || return 1
  [[ "$(grep -c . <<<"$lines")" -eq ${#NODES[@]} ]] && ! grep -qvE '^(idle|mixed|allocated)$' <<<"$lines"
}
deadline=$((SECONDS + TIMEOUT))
until all_up; do
  kill -0 "$(<"$DIR/pids/slurmctld.fg.pid")" 2>/dev/null || fail "slurmctld exited"
  for pidfile in "$DIR"/pids/slurmd*.fg.pid; do
    kill -0 "$(<"$pidfile")" 2>/dev/null || fail "slurmd exited (${pidfile##*/})"
  done
  ((SECONDS < deadline)) || fail "nodes $NODE_RANGE not idle within ${TIMEOUT}s (states: $(sinfo -h -N -n "$NODE_RANGE" -o '%N=%T' 2>/dev/null | tr '\n' ' '))"
  sleep 0.5
done
log "Slurm is up: node(s) $NODE_RANGE ($CPUS CPUs each), partition debug"
log "  export SLURM_CONF=$SLURM_CONF"
