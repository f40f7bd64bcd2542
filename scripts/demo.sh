#!/usr/bin/env bash
# The first thing a new user runs: a local control plane, one vk-cmd node
# started with the original wiki's start.sh variables, and the wiki's example
# pod, shown live from Pending to its end. The cluster is left up afterwards.
#
# Usage: scripts/demo.sh [--check-ports]
#   --check-ports   only choose the node's ports (below), print them and exit:
#                   0 when the demo could start, 1 (naming the port and the
#                   process holding it) when it could not.
#
# Environment:
#   KUBELET_PORT_DEMO   port of the demo node's kubelet HTTPS API (the original's
#                       KUBELET_PORT). Default 10255, or the next free port when
#                       10255 is taken; when set, a taken port stops the demo.
#   HEALTHZ_PORT_DEMO   the kubelet's plain-HTTP /healthz port; default 10248,
#                       or the next free one, as above.
#   CLUSTER_DIR, TOOLS_BIN_DIR, CLUSTER_UP_TIMEOUT
#                       passed to scripts/cluster-up.sh (see there); the demo's
#                       cluster lives in .cluster by default.
# Everything else the kubelet reads (NODENAME, VKUBELET_POD_IP, KUBELET_PORT,
# JIRIAF_*) is set here, as the original's test-run/start.sh sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
demo_dir="$repo/.demo"
kubectl="$repo/.tools/bin/kubectl"
# shellcheck source=scripts/lib/demo-ports.sh
. "$repo/scripts/lib/demo-ports.sh"

say() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

# Shows why a process of the demo ended, and stops the demo.
died() { # <what> <log file>
  printf '\n\033[1;31m%s exited; the last lines of %s:\033[0m\n' "$1" "$2" >&2
  tail -n 20 "$2" >&2 || true
  exit 1
}

stop_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    # Wait for it to let go of its ports (at most 5 s).
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
}
# A previous run's node goes first, so its ports count as free.
if [[ "${1:-}" != --check-ports ]]; then
  stop_pidfile "$demo_dir/kubelet.pid"
  stop_pidfile "$demo_dir/runner.pid"
fi

# The ports next, before anything starts: a taken port stops the demo at
# once, naming the port and who holds it.
kubelet_port=$(pick_port KUBELET_PORT_DEMO "${KUBELET_PORT_DEMO:-}" 10255) || exit 1
healthz_port=$(pick_port HEALTHZ_PORT_DEMO "${HEALTHZ_PORT_DEMO:-}" 10248 "$kubelet_port") || exit 1
if [[ "${1:-}" == --check-ports ]]; then
  printf 'KUBELET_PORT=%s\nHEALTHZ_PORT=%s\n' "$kubelet_port" "$healthz_port"
  exit 0
fi

say "Starting the local control plane (make cluster-up)"
bash scripts/cluster-up.sh
# shellcheck disable=SC1091
source "${CLUSTER_DIR:-$repo/.cluster}/env"
export KUBECONFIG

mkdir -p "$demo_dir"
chmod 700 "$demo_dir"

# The variables of the original's test-run/start.sh, pointed at this machine.
export NODENAME="vk"
export VKUBELET_POD_IP="127.0.0.1"
export KUBELET_PORT="$kubelet_port"
export JIRIAF_WALLTIME="3600"
export JIRIAF_NODETYPE="cpu"
export JIRIAF_SITE="mylin"
socket="$demo_dir/runner.sock"


say "Starting vk-cmd-runner (root dir $demo_dir/home, socket $socket)"
mkdir -p "$demo_dir/home"
nohup node --max-semi-space-size=2 --optimize-for-size --no-turbofan bin/vk-cmd-runner --listen "unix://$socket" --root-dir "$demo_dir/home" --v 2 \
  >"$demo_dir/runner.log" 2>&1 &
echo $! >"$demo_dir/runner.pid"
runner_pid=$(cat "$demo_dir/runner.pid")
for _ in $(seq 1 100); do
  [ -S "$socket" ] && break
  kill -0 "$runner_pid" 2>/dev/null || died vk-cmd-runner "$demo_dir/runner.log"
  sleep 0.1
done
[ -S "$socket" ] || { echo "runner did not start; see $demo_dir/runner.log" >&2; exit 1; }

say "Starting vk-cmd-kubelet --nodename $NODENAME --provider mock --klog.v 3 (HTTPS port $KUBELET_PORT, health port $healthz_port)"
MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 \
  nohup node --max-semi-space-size=4 bin/vk-cmd-kubelet --nodename "$NODENAME" --provider mock --klog.v 3 --runner "unix://$socket" \
  --healthz-port "$healthz_port" >"$demo_dir/$NODENAME.log" 2>&1 &
kubelet_pid=$!
echo "$kubelet_pid" >"$demo_dir/kubelet.pid"

say "Waiting for node $NODENAME to join"
# Polled once a second, so a kubelet that dies (a port taken since the check,
# a bad kubeconfig) is reported at once with its log, not after a timeout.
ready=""
for _ in $(seq 1 90); do
  kill -0 "$kubelet_pid" 2>/dev/null || died vk-cmd-kubelet "$demo_dir/$NODENAME.log"
  kill -0 "$runner_pid" 2>/dev/null || died vk-cmd-runner "$demo_dir/runner.log"
  ready=$("$kubectl" get node "$NODENAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
  [ "$ready" = True ] && break
  sleep 1
done
if [ "$ready" != True ]; then
  echo "node $NODENAME is not Ready after 90 s; the last lines of $demo_dir/$NODENAME.log:" >&2
  tail -n 20 "$demo_dir/$NODENAME.log" >&2
  exit 1
fi
"$kubectl" get node "$NODENAME" -L jiriaf.nodetype,jiriaf.site,jiriaf.walltime,jiriaf.alivetime

say "Applying the wiki's example (examples/wiki-example.yaml)"
"$kubectl" delete -f examples/wiki-example.yaml --ignore-not-found --wait=true >/dev/null 2>&1 || true
"$kubectl" apply -f examples/wiki-example.yaml

say "Watching pod p1 (Pending -> Running -> Succeeded)"
"$kubectl" get pod p1 -o wide --watch &
watch_pid=$!
"$kubectl" wait --for=jsonpath='{.status.phase}'=Running pod/p1 --timeout=120s >/dev/null
sleep 1
say "Its process group on the host"
pgid_file="$demo_dir/home/default/p1/containers/c1/pgid"
echo "$pgid_file: $(cat "$pgid_file")"
ps -o pid,pgid,stat,etime,cmd -g "$(cat "$pgid_file")" || true

say "kubectl logs p1"
"$kubectl" logs p1

say "kubectl top (metrics-server needs two scrapes; this can take ~30 s)"
for _ in $(seq 1 30); do
  if "$kubectl" top pod p1 2>/dev/null; then break; fi
  sleep 3
done
"$kubectl" top node "$NODENAME" 2>/dev/null || true

"$kubectl" wait --for=jsonpath='{.status.phase}'=Succeeded pod/p1 --timeout=180s >/dev/null || true
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
say "Final state"
"$kubectl" get pod p1 -o jsonpath='{.status.phase}{" exitCode="}{.status.containerStatuses[0].state.terminated.exitCode}{" reason="}{.status.containerStatuses[0].state.terminated.reason}{"\n"}'

cat <<EOT

The cluster and the vk-cmd node are still running. Explore them with:

  export KUBECONFIG=$KUBECONFIG
  $kubectl get nodes -o wide
  $kubectl describe node $NODENAME
  $kubectl get pod p1 -o yaml
  $kubectl logs p1
  $kubectl top node
  $repo/.tools/bin/grpcurl -plaintext -unix $socket vkcmd.runner.v1.Runner/ListPods

Logs: $demo_dir/runner.log, $demo_dir/$NODENAME.log, $repo/.cluster/logs/
Stop everything with: make demo-down
EOT
