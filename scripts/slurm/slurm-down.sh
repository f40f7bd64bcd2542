#!/usr/bin/env bash
# Stops the Slurm test cluster that scripts/slurm/slurm-up.sh started:
# cancels its jobs, stops slurmd, slurmctld and munged, and removes the state
# directory (kept when KEEP_SLURM_LOGS is set).
#
# Environment: SLURM_TEST_DIR (default /tmp/vk-cmd-slurm), KEEP_SLURM_LOGS.
set -uo pipefail

DIR=${SLURM_TEST_DIR:-/tmp/vk-cmd-slurm}
[[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
MARKER=.vk-cmd-slurm

log() { printf 'slurm-down: %s\n' "$*"; }

if [[ ! -f "$DIR/$MARKER" ]]; then
  log "nothing to stop in $DIR"
  exit 0
fi

if [[ -f "$DIR/env" ]]; then
  # shellcheck source=/dev/null
  . "$DIR/env"
  export SLURM_CONF
  # Jobs first, so their steps get a clean SIGTERM while slurmd is still up.
  if scontrol ping 2>/dev/null | grep -q 'is UP'; then
    scancel --full --quiet --partition="${SLURM_TEST_PARTITION:-debug}" 2>/dev/null || true
    for _ in $(seq 100); do
      [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
fi

# stop <pid file> <name>: SIGTERM, then SIGKILL after 10 s.
stop() {
  local pid
  [[ -f "$1" ]] || return 0
  pid=$(<"$1")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  # Only what this script's counterpart started: the command must match.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$2" || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $2"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  log "killed $2"
}

for pidfile in "$DIR"/pids/slurmd*.fg.pid; do stop "$pidfile" slurmd; done
stop "$DIR/pids/slurmctld.fg.pid" slurmctld
stop "$DIR/pids/munged.pid" munged

if [[ -n "${KEEP_SLURM_LOGS:-}" ]]; then
  log "logs kept in $DIR/log"
else
  rm -rf "$DIR"
fi
