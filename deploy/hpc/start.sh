#!/bin/bash
# Starts a vk-cmd node the way virtual-kubelet-cmd's test-run/start.sh started
# the original: the same exported variables, then the kubelet in the
# foreground with its log in ./$NODENAME.log. vk-cmd adds one step first: it
# starts vk-cmd-runner (the process that runs the pods) unless it is already
# running.
#
# Edit the values below, or set any of them in the environment before calling
# this script (the environment wins).
#
# Extra settings, none of which the original had:
#   VK_CMD_RUNNER_BIN     the runner (default: $VK_BIN/vk-cmd-runner, else PATH)
#   VK_CMD_KUBELET_BIN    the kubelet (default: $VK_BIN/vk-cmd-kubelet, else PATH)
#   VK_CMD_RUNNER_SOCKET  the runner's unix socket (default: the runner's own
#                         default, $XDG_RUNTIME_DIR/vk-cmd/runner.sock or
#                         $HOME/.vk-cmd/runner.sock)
#   VK_CMD_RUNNER_ARGS    extra runner flags, e.g. "--root-dir /scratch/$USER"
#   VK_CMD_KUBELET_ARGS   extra kubelet flags, e.g. "--node-labels gpu=a100"
#   VK_CMD_KLOG_V         kubelet verbosity (default 3, as in the original)
#   VK_CMD_DELETE_NODE_ON_EXIT  true (default): when the kubelet is stopped
#                         with SIGTERM (the end of the job or allocation this
#                         runs in), it deletes its Node and Lease, so no
#                         NotReady node is left behind; the original left it.
#                         Set false to keep the Node across a restart of the
#                         kubelet (an upgrade): a deleted Node takes its pods'
#                         API objects with it.
set -uo pipefail

export MAIN="${MAIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export VK_PATH="${VK_PATH:-$MAIN/test-run/apiserver}"
export VK_BIN="${VK_BIN:-$MAIN/bin}"

export APISERVER_CERT_LOCATION="${APISERVER_CERT_LOCATION:-$VK_PATH/client.crt}"
export APISERVER_KEY_LOCATION="${APISERVER_KEY_LOCATION:-$VK_PATH/client.key}"
export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/config}"

export NODENAME="${NODENAME:-vk}"
export VKUBELET_POD_IP="${VKUBELET_POD_IP:-172.17.0.1}"
export KUBELET_PORT="${KUBELET_PORT:-10255}"

export JIRIAF_WALLTIME="${JIRIAF_WALLTIME:-60}"
export JIRIAF_NODETYPE="${JIRIAF_NODETYPE:-cpu}"
export JIRIAF_SITE="${JIRIAF_SITE:-Local}"

export VK_CMD_DELETE_NODE_ON_EXIT="${VK_CMD_DELETE_NODE_ON_EXIT:-true}"

log() { printf 'start.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The kubelet serves the certificate and key named above when both exist, and
# a self-signed certificate otherwise (metrics-server then needs
# --kubelet-insecure-tls).
if [[ ! -r "$APISERVER_CERT_LOCATION" || ! -r "$APISERVER_KEY_LOCATION" ]]; then
  log "no serving certificate at $APISERVER_CERT_LOCATION; the kubelet will use a self-signed one"
  unset APISERVER_CERT_LOCATION APISERVER_KEY_LOCATION
fi

find_bin() { # <name> <override>
  if [[ -n "$2" ]]; then
    echo "$2"
  elif [[ -x "$VK_BIN/$1" ]]; then
    echo "$VK_BIN/$1"
  else
    command -v "$1" || die "$1 not found in $VK_BIN or on PATH; set VK_BIN"
  fi
}
RUNNER_BIN=$(find_bin vk-cmd-runner "${VK_CMD_RUNNER_BIN:-}") || exit 1
KUBELET_BIN=$(find_bin vk-cmd-kubelet "${VK_CMD_KUBELET_BIN:-}") || exit 1

if [[ -n "${VK_CMD_RUNNER_SOCKET:-}" ]]; then
  SOCKET=$VK_CMD_RUNNER_SOCKET
elif [[ -n "${XDG_RUNTIME_DIR:-}" && -d "${XDG_RUNTIME_DIR:-}" ]]; then
  SOCKET=$XDG_RUNTIME_DIR/vk-cmd/runner.sock
else
  SOCKET=$HOME/.vk-cmd/runner.sock
fi
SOCKET_DIR=$(dirname "$SOCKET")
PID_FILE=$SOCKET_DIR/runner.pid

runner_running() {
  local pid
  # Started by this script earlier: the pid file names a live runner.
  if [[ -r "$PID_FILE" ]]; then
    pid=$(<"$PID_FILE")
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
      tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q vk-cmd-runner; then
      return 0
    fi
  fi
  # Or managed by systemd --user (deploy/hpc/vk-cmd-runner.service).
  [[ -z "${VK_CMD_RUNNER_SOCKET:-}" ]] && command -v systemctl >/dev/null 2>&1 &&
    systemctl --user is-active --quiet vk-cmd-runner.service 2>/dev/null && [[ -S "$SOCKET" ]]
}

if runner_running; then
  log "vk-cmd-runner is already running ($SOCKET)"
else
  { mkdir -p "$SOCKET_DIR" && chmod 700 "$SOCKET_DIR"; } || die "cannot create $SOCKET_DIR"
  log "starting vk-cmd-runner on unix://$SOCKET (log: ./$NODENAME-runner.log)"
  # setsid: the runner and the pods it starts must outlive this script and
  # the terminal it runs in.
  # shellcheck disable=SC2086 # VK_CMD_RUNNER_ARGS is a list of flags
  setsid "$RUNNER_BIN" --listen "unix://$SOCKET" ${VK_CMD_RUNNER_ARGS:-} \
    </dev/null >>"./$NODENAME-runner.log" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 300); do
    [[ -S "$SOCKET" ]] && break
    kill -0 "$(<"$PID_FILE")" 2>/dev/null || die "vk-cmd-runner exited; see ./$NODENAME-runner.log"
    sleep 0.1
  done
  [[ -S "$SOCKET" ]] || die "vk-cmd-runner did not create $SOCKET within 30 s; see ./$NODENAME-runner.log"
fi

# shellcheck disable=SC2086 # VK_CMD_KUBELET_ARGS is a list of flags
"$KUBELET_BIN" --nodename $NODENAME --provider mock --klog.v "${VK_CMD_KLOG_V:-3}" \
  --runner "unix://$SOCKET" ${VK_CMD_KUBELET_ARGS:-} >"./$NODENAME.log" 2>&1
