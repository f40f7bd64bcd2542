#!/usr/bin/env bash
# Stops the local test cluster started by scripts/cluster-up.sh and removes
# its state directory.
#
# Environment:
#   CLUSTER_DIR           state directory (default: <repo>/.cluster)
#   KEEP_CLUSTER_LOGS=1   keep $CLUSTER_DIR/logs (everything else is removed)
#   CLUSTER_DOWN_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default: 10)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/cluster.sh
. "$ROOT/scripts/lib/cluster.sh"

TIMEOUT="${CLUSTER_DOWN_TIMEOUT:-10}"

if [[ ! -d "$CLUSTER_DIR" ]]; then
  echo "no cluster in $CLUSTER_DIR"
  exit 0
fi
if [[ ! -f "$CLUSTER_DIR/$CLUSTER_MARKER" ]]; then
  echo "cluster-down: error: $CLUSTER_DIR was not created by cluster-up.sh; not touching it" >&2
  exit 1
fi

# Reverse start order: clients go before the apiserver, the apiserver before
# etcd, so nothing spends its last seconds logging connection errors.
running=()
for ((i = ${#CLUSTER_COMPONENTS[@]} - 1; i >= 0; i--)); do
  c=${CLUSTER_COMPONENTS[i]}
  if cluster_pid_alive "$c"; then
    kill -TERM "$(cluster_pid "$c")" 2>/dev/null || true
    running+=("$c")
  fi
done

# wait_gone <seconds>: prunes `running` down to what is still alive.
wait_gone() {
  local deadline=$((SECONDS + $1)) c still
  while ((${#running[@]} > 0)); do
    still=()
    for c in "${running[@]}"; do
      if cluster_pid_alive "$c"; then still+=("$c"); fi
    done
    running=("${still[@]+"${still[@]}"}")
    ((${#running[@]} > 0 && SECONDS < deadline)) || break
    sleep 0.1
  done
}

wait_gone "$TIMEOUT"
for c in "${running[@]+"${running[@]}"}"; do
  echo "cluster-down: $c did not exit within ${TIMEOUT}s of SIGTERM; killing it" >&2
  kill -KILL "$(cluster_pid "$c")" 2>/dev/null || true
done
wait_gone 5
if ((${#running[@]} > 0)); then
  echo "cluster-down: error: still running after SIGKILL: ${running[*]}; $CLUSTER_DIR left in place" >&2
  exit 1
fi

if [[ "${KEEP_CLUSTER_LOGS:-0}" == 1 ]]; then
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name logs ! -name "$CLUSTER_MARKER" -exec rm -rf {} +
  echo "cluster stopped; logs kept in $CLUSTER_DIR/logs"
else
  rm -rf "$CLUSTER_DIR"
  echo "cluster stopped and $CLUSTER_DIR removed"
fi
