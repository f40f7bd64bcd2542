#!/usr/bin/env bash
# The first thing a new user runs: a local control plane, one vk-cmd node
# started with the original wiki's start.sh variables, and the wiki's example
# pod, shown live from Pending to its end. The cluster is left up afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
demo_dir="$repo/.demo"
kubectl="$repo/.tools/bin/kubectl"

say() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

say "Starting the local control plane (make cluster-up)"
bash scripts/cluster-up.sh
# shellcheck disable=SC1091
source "$repo/.cluster/env"
export KUBECONFIG

mkdir -p "$demo_dir"
chmod 700 "$demo_dir"

# The variables of the original's test-run/start.sh, pointed at this machine.
export NODENAME="vk"
export VKUBELET_POD_IP="127.0.0.1"
export KUBELET_PORT="${KUBELET_PORT_DEMO:-10255}"
export JIRIAF_WALLTIME="3600"
export JIRIAF_NODETYPE="cpu"
export JIRIAF_SITE="mylin"
socket="$demo_dir/runner.sock"

stop_pidfile() {
  local f=$1
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then kill "$(cat "$f")" 2>/dev/null || true; fi
  rm -f "$f"
}
stop_pidfile "$demo_dir/kubelet.pid"
stop_pidfile "$demo_dir/runner.pid"

say "Starting vk-cmd-runner (root dir $demo_dir/home, socket $socket)"
mkdir -p "$demo_dir/home"
nohup node --max-semi-space-size=2 --optimize-for-size bin/vk-cmd-runner --listen "unix://$socket" --root-dir "$demo_dir/home" --v 2 \
  >"$demo_dir/runner.log" 2>&1 &
echo $! >"$demo_dir/runner.pid"
for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { echo "runner did not start; see $demo_dir/runner.log" >&2; exit 1; }

say "Starting vk-cmd-kubelet --nodename $NODENAME --provider mock --klog.v 3"
nohup node --max-semi-space-size=2 --optimize-for-size bin/vk-cmd-kubelet --nodename "$NODENAME" --provider mock --klog.v 3 --runner "unix://$socket" \
  >"$demo_dir/$NODENAME.log" 2>&1 &
echo $! >"$demo_dir/kubelet.pid"

say "Waiting for node $NODENAME to join"
if ! "$kubectl" wait --for=condition=Ready "node/$NODENAME" --timeout=60s 2>/dev/null; then
  # The node object may not exist yet when kubectl wait starts.
  for _ in $(seq 1 60); do "$kubectl" get node "$NODENAME" >/dev/null 2>&1 && break; sleep 1; done
  "$kubectl" wait --for=condition=Ready "node/$NODENAME" --timeout=60s
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
