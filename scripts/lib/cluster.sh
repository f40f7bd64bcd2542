#!/usr/bin/env bash
# State shared by scripts/cluster-up.sh and scripts/cluster-down.sh. Expects
# ROOT (the repository root) to be set by the sourcing script.

CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/.cluster}"
# Relative paths would break for anything started from another directory.
[[ "$CLUSTER_DIR" == /* ]] || CLUSTER_DIR="$PWD/$CLUSTER_DIR"

# In start order; cluster-down stops them in reverse.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler metrics-server)

# cluster-down removes the state directory recursively; it only does so when
# this file shows cluster-up created it, so a mistyped CLUSTER_DIR is safe.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLUSTER_MARKER=.vk-cmd-cluster

# cluster_pid <component>: the recorded pid, if any.
cluster_pid() {
  local f="$CLUSTER_DIR/pids/$1.pid"
  [[ -f "$f" ]] && cat "$f"
}

# cluster_pid_alive <component>: true when the recorded pid is still that
# component. Comparing the command name guards against a recycled pid (after
# a reboot, say) pointing at an unrelated process; exited but unreaped
# processes have an empty cmdline and count as dead.
cluster_pid_alive() {
  local pid argv0
  pid=$(cluster_pid "$1") || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  argv0=$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | head -n1) || return 1
  [[ "${argv0##*/}" == "$1" ]]
}

# cluster_ports_in_use: local TCP ports of every socket on the machine, read
# from /proc so that no extra tool (ss, netstat) is needed.
cluster_ports_in_use() {
  local f _ addr
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r "$f" ]] || continue
    while read -r _ addr _; do
      if [[ "$addr" == *:* ]]; then echo "$((16#${addr##*:}))"; fi
    done < "$f"
  done
}
