#!/usr/bin/env bash
# Starts a throwaway Kubernetes control plane (etcd, kube-apiserver,
# kube-scheduler, kube-controller-manager, metrics-server) as plain processes
# on 127.0.0.1, for running vk-cmd against. Nothing is installed system-wide
# and no root is needed; binaries come from .tools/bin (scripts/tools.sh).
#
# Environment:
#   CLUSTER_DIR         state directory (default: <repo>/.cluster), so tests can
#                       run clusters of their own side by side
#   TOOLS_BIN_DIR       where the binaries are (default: <repo>/.tools/bin)
#   CLUSTER_UP_TIMEOUT  seconds to wait for the control plane (default: 120)
#
# Writes $CLUSTER_DIR/env (KEY=value lines, shell-sourceable) describing the
# ports, URLs, kubeconfigs and PKI of the cluster.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/pki.sh
. "$ROOT/scripts/lib/pki.sh"
# shellcheck source=scripts/lib/cluster.sh
. "$ROOT/scripts/lib/cluster.sh"

BIN="${TOOLS_BIN_DIR:-$ROOT/.tools/bin}"
TIMEOUT="${CLUSTER_UP_TIMEOUT:-120}"
KUBECTL="$BIN/kubectl"
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
PIDS="$CLUSTER_DIR/pids"

SERVICE_CIDR=10.0.0.0/24
# First address of SERVICE_CIDR, which the apiserver gives the `kubernetes`
# Service; its serving certificate must be valid for it.
KUBERNETES_SERVICE_IP=10.0.0.1

die() { printf 'cluster-up: error: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*"; }

for c in "${CLUSTER_COMPONENTS[@]}" kubectl; do
  [[ -x "$BIN/$c" ]] || die "$BIN/$c is missing; build the tools first (make tools)"
done
for c in openssl curl setsid; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is required but not installed"
done

# ---------------------------------------------------------------- health ---

etcd_healthy() {
  curl -sf --max-time 2 "$ETCD_URL/health" 2>/dev/null | grep -q '"health":"true"'
}
apiserver_ready() {
  curl -sf --max-time 2 --cacert "$CA_CERT" --cert "$ADMIN_CERT" --key "$ADMIN_KEY" \
    "$APISERVER_URL/readyz" >/dev/null 2>&1
}
# The scheduler and controller-manager serve /healthz with a self-signed
# certificate they generate in memory; the check only asks whether they are
# alive, so it does not verify it.
secure_healthz() { # <port> <path>
  curl -sfk --max-time 2 "https://127.0.0.1:$1$2" >/dev/null 2>&1
}
scheduler_healthy() { secure_healthz "$SCHEDULER_PORT" /healthz; }
controller_manager_healthy() { secure_healthz "$CONTROLLER_MANAGER_PORT" /healthz; }
# metrics-server's /readyz stays red until it has scraped a node, and a fresh
# cluster has none; /livez plus the APIService check below is what matters.
metrics_server_healthy() { secure_healthz "$METRICS_SERVER_PORT" /livez; }
metrics_api_available() {
  [[ "$("$KUBECTL" --kubeconfig "$KUBECONFIG" get apiservice v1beta1.metrics.k8s.io \
    -o 'jsonpath={.status.conditions[?(@.type=="Available")].status}' 2>/dev/null)" == True ]]
}
default_sa_exists() {
  "$KUBECTL" --kubeconfig "$KUBECONFIG" -n default get serviceaccount default >/dev/null 2>&1
}

cluster_healthy() {
  local c
  for c in "${CLUSTER_COMPONENTS[@]}"; do
    cluster_pid_alive "$c" || return 1
  done
  etcd_healthy && apiserver_ready && scheduler_healthy && controller_manager_healthy \
    && metrics_server_healthy && metrics_api_available && default_sa_exists
}

# ------------------------------------------------------- already running? ---

if [[ -f "$CLUSTER_DIR/env" ]]; then
  # The directory may have been moved since; where it is now wins.
  dir=$CLUSTER_DIR
  # shellcheck source=/dev/null
  . "$CLUSTER_DIR/env"
  CLUSTER_DIR=$dir
  if cluster_healthy; then
    log "cluster in $CLUSTER_DIR is already up and healthy ($APISERVER_URL)"
    log "  export KUBECONFIG=$KUBECONFIG; $KUBECTL get nodes"
    exit 0
  fi
  log "cluster in $CLUSTER_DIR is not healthy; restarting it from scratch"
fi
if [[ -e "$CLUSTER_DIR" ]]; then
  if [[ -f "$CLUSTER_DIR/$CLUSTER_MARKER" ]]; then
    CLUSTER_DIR="$CLUSTER_DIR" bash "$ROOT/scripts/cluster-down.sh" >/dev/null
  elif [[ -n "$(ls -A "$CLUSTER_DIR" 2>/dev/null)" ]]; then
    die "$CLUSTER_DIR exists and was not created by this script; refusing to use it"
  fi
fi

start=$SECONDS
mkdir -p "$CLUSTER_DIR" "$PKI" "$LOGS" "$PIDS"
touch "$CLUSTER_DIR/$CLUSTER_MARKER"

# ------------------------------------------------------------------ ports ---

# Ports below the kernel's ephemeral range, so outgoing connections made while
# the cluster starts cannot grab them between picking and binding.
IN_USE=""
pick_port() { # <variable>
  local port _
  [[ -n "$IN_USE" ]] || IN_USE=" $(cluster_ports_in_use | tr '\n' ' ') "
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if [[ "$IN_USE" != *" $port "* ]]; then
      IN_USE+="$port "
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  die "could not find a free loopback port"
}
for v in ETCD_PORT ETCD_PEER_PORT APISERVER_PORT SCHEDULER_PORT CONTROLLER_MANAGER_PORT METRICS_SERVER_PORT; do
  pick_port "$v"
done

ETCD_URL="http://127.0.0.1:$ETCD_PORT"
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"

# -------------------------------------------------------------------- PKI ---

CA_CERT="$PKI/ca.crt" CA_KEY="$PKI/ca.key"
FRONT_PROXY_CA_CERT="$PKI/front-proxy-ca.crt" FRONT_PROXY_CA_KEY="$PKI/front-proxy-ca.key"
ADMIN_CERT="$PKI/admin.crt" ADMIN_KEY="$PKI/admin.key"

pki_ca "$PKI" ca vk-cmd-test-ca
pki_ca "$PKI" front-proxy-ca vk-cmd-test-front-proxy-ca
pki_cert "$PKI" apiserver "$CA_CERT" "$CA_KEY" kube-apiserver "" server \
  DNS:localhost DNS:kubernetes DNS:kubernetes.default DNS:kubernetes.default.svc \
  DNS:kubernetes.default.svc.cluster.local IP:127.0.0.1 "IP:$KUBERNETES_SERVICE_IP"
pki_cert "$PKI" admin "$CA_CERT" "$CA_KEY" kubernetes-admin system:masters client
pki_cert "$PKI" kube-scheduler "$CA_CERT" "$CA_KEY" system:kube-scheduler "" client
pki_cert "$PKI" kube-controller-manager "$CA_CERT" "$CA_KEY" system:kube-controller-manager "" client
pki_cert "$PKI" apiserver-kubelet-client "$CA_CERT" "$CA_KEY" kube-apiserver-kubelet-client system:masters client
pki_cert "$PKI" front-proxy-client "$FRONT_PROXY_CA_CERT" "$FRONT_PROXY_CA_KEY" front-proxy-client "" client
pki_cert "$PKI" metrics-server-client "$CA_CERT" "$CA_KEY" system:metrics-server "" client
# The aggregator dials the address of the Service but verifies the
# certificate against <service>.<namespace>.svc, so both names are needed.
pki_cert "$PKI" metrics-server "$CA_CERT" "$CA_KEY" metrics-server "" server \
  DNS:metrics-server.kube-system.svc DNS:localhost IP:127.0.0.1
pki_keypair "$PKI" sa

# ------------------------------------------------------------ kubeconfigs ---

KUBECONFIG="$CLUSTER_DIR/kubeconfig"
kubeconfig_write "$KUBECONFIG" "$APISERVER_URL" "$CA_CERT" "$ADMIN_CERT" "$ADMIN_KEY" kubernetes-admin
for c in kube-scheduler kube-controller-manager metrics-server; do
  crt="$PKI/$c.crt" key="$PKI/$c.key"
  [[ $c == metrics-server ]] && crt="$PKI/metrics-server-client.crt" key="$PKI/metrics-server-client.key"
  kubeconfig_write "$CLUSTER_DIR/$c.kubeconfig" "$APISERVER_URL" "$CA_CERT" "$crt" "$key" "$c"
done

# ---------------------------------------------------------------- env file ---

write_env() {
  local k
  {
    echo "# Local test cluster started by scripts/cluster-up.sh; remove it with scripts/cluster-down.sh."
    echo "# Plain KEY=value lines; in a shell: set -a; . \"$CLUSTER_DIR/env\"; set +a"
    for k in CLUSTER_DIR KUBECONFIG APISERVER_URL APISERVER_PORT ETCD_URL ETCD_PORT ETCD_PEER_PORT \
        SCHEDULER_PORT CONTROLLER_MANAGER_PORT METRICS_SERVER_PORT SERVICE_CIDR KUBERNETES_SERVICE_IP \
        CA_CERT CA_KEY FRONT_PROXY_CA_CERT FRONT_PROXY_CA_KEY ADMIN_CERT ADMIN_KEY \
        SERVICE_ACCOUNT_KEY SERVICE_ACCOUNT_PUB TOOLS_BIN_DIR; do
      printf '%s=%q\n' "$k" "${!k}"
    done
  } > "$CLUSTER_DIR/env.tmp"
  mv "$CLUSTER_DIR/env.tmp" "$CLUSTER_DIR/env"
}
SERVICE_ACCOUNT_KEY="$PKI/sa.key" SERVICE_ACCOUNT_PUB="$PKI/sa.pub" TOOLS_BIN_DIR="$BIN"
# Written before anything starts, so cluster-down.sh and a re-run can find
# and stop a half-started cluster.
write_env

# ---------------------------------------------------------------- startup ---

launch() { # <component> <args...>
  local c=$1
  shift
  # setsid: the control plane must outlive the shell (or make) that started
  # it, and a Ctrl-C there must not take it down.
  setsid "$BIN/$c" "$@" </dev/null >"$LOGS/$c.log" 2>&1 &
  echo $! > "$PIDS/$c.pid"
  # Not this shell's job to report on: cluster-down may SIGKILL it.
  disown $!
}

fail() { # <component> <what>
  local log="$LOGS/$1.log"
  # Ports are picked before they are bound, so a cluster starting in parallel
  # (tests running side by side) can occasionally take one first; one retry
  # with fresh ports covers that.
  if [[ -z "${CLUSTER_UP_RETRIED:-}" ]] && grep -qs 'address already in use' "$LOGS"/*.log; then
    log "cluster-up: a port was taken while starting; retrying with new ports"
    CLUSTER_DIR="$CLUSTER_DIR" bash "$ROOT/scripts/cluster-down.sh" >/dev/null 2>&1 || true
    CLUSTER_DIR="$CLUSTER_DIR" CLUSTER_UP_RETRIED=1 exec bash "$ROOT/scripts/cluster-up.sh"
  fi
  {
    printf 'cluster-up: error: %s %s\n' "$1" "$2"
    printf 'cluster-up: last lines of %s:\n' "$log"
    tail -n 15 "$log" 2>/dev/null | sed 's/^/    /'
    printf 'cluster-up: control plane stopped; logs kept in %s\n' "$LOGS"
  } >&2
  CLUSTER_DIR="$CLUSTER_DIR" KEEP_CLUSTER_LOGS=1 bash "$ROOT/scripts/cluster-down.sh" >/dev/null 2>&1 || true
  exit 1
}

deadline=$((SECONDS + TIMEOUT))
wait_for() { # <component> <description> <check function>
  until "$3"; do
    cluster_pid_alive "$1" || fail "$1" "exited while waiting for $2"
    ((SECONDS < deadline)) || fail "$1" "did not become ready ($2) within ${TIMEOUT}s"
    sleep 0.2
  done
}

log "starting control plane in $CLUSTER_DIR (apiserver $APISERVER_URL)"
launch etcd \
  --name=vk-cmd-test \
  --data-dir="$CLUSTER_DIR/etcd-data" \
  --listen-client-urls="$ETCD_URL" --advertise-client-urls="$ETCD_URL" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="vk-cmd-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync \
  --log-level=warn

# --advertise-address: left unset the apiserver advertises the host's primary
# interface address, not loopback.
# --endpoint-reconciler-type=none: the reconciler would publish the advertise
# address as the Endpoints of the `kubernetes` Service, and Endpoints
# validation rejects loopback addresses, so it would fail forever. Nothing in
# this cluster runs pods that reach the apiserver through that Service.
# No --kubelet-certificate-authority: vk-cmd kubelets may serve self-signed
# certificates.
launch kube-apiserver \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
  --etcd-servers="$ETCD_URL" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$CA_CERT" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --endpoint-reconciler-type=none \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$SERVICE_ACCOUNT_PUB" \
  --service-account-signing-key-file="$SERVICE_ACCOUNT_KEY" \
  --kubelet-preferred-address-types=InternalIP,Hostname \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --requestheader-client-ca-file="$FRONT_PROXY_CA_CERT" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
  --proxy-client-key-file="$PKI/front-proxy-client.key"

wait_for etcd "etcd /health" etcd_healthy
wait_for kube-apiserver "/readyz" apiserver_ready

# Everything else starts only once the apiserver is ready: they exit at once
# if their RBAC roles (bootstrapped by the apiserver, or applied below) are not
# in place yet, rather than retrying.
# --leader-elect=false: a single instance need not wait to acquire a lease.
launch kube-controller-manager \
  --kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$CONTROLLER_MANAGER_PORT" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --cluster-signing-cert-file="$CA_CERT" --cluster-signing-key-file="$CA_KEY" \
  --root-ca-file="$CA_CERT" \
  --service-account-private-key-file="$SERVICE_ACCOUNT_KEY" \
  --service-cluster-ip-range="$SERVICE_CIDR"

launch kube-scheduler \
  --kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" \
  --leader-elect=false

# metrics-server runs outside the cluster, on loopback. The aggregator cannot
# reach it through a ClusterIP Service (there are no Service proxies here) nor
# through Endpoints (validation rejects loopback addresses), but it dials an
# ExternalName Service's name directly, on the port the APIService names.
# 127.0.0.1 rather than localhost: metrics-server listens on IPv4 loopback
# only, and localhost may resolve to ::1 first.
# Subjects and rules follow metrics-server's own deployment manifest, bound to
# the user of its client certificate instead of a ServiceAccount.
"$KUBECTL" --kubeconfig "$KUBECONFIG" apply -f - >"$LOGS/manifests.log" 2>&1 <<EOF || fail manifests "could not be applied"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:metrics-server
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregated-metrics-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: [metrics.k8s.io]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:metrics-server
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:metrics-server
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: system:metrics-server
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-server:system:auth-delegator
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:auth-delegator
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: system:metrics-server
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: metrics-server-auth-reader
  namespace: kube-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: extension-apiserver-authentication-reader
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: system:metrics-server
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
spec:
  type: ExternalName
  externalName: 127.0.0.1
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  caBundle: $(base64 -w0 < "$CA_CERT")
  service:
    name: metrics-server
    namespace: kube-system
    port: $METRICS_SERVER_PORT
EOF

# --kubelet-insecure-tls: vk-cmd kubelets may serve self-signed certificates.
# --kubelet-use-node-status-port: scrape the port each node reports rather
# than 10250, since several vk-cmd kubelets share one host.
# --metric-resolution=10s is the lowest metrics-server accepts, and it must be
# above the kubelet request timeout (10s by default); loopback kubelets answer
# well within 5s.
launch metrics-server \
  --kubeconfig="$CLUSTER_DIR/metrics-server.kubeconfig" \
  --authentication-kubeconfig="$CLUSTER_DIR/metrics-server.kubeconfig" \
  --authorization-kubeconfig="$CLUSTER_DIR/metrics-server.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$METRICS_SERVER_PORT" \
  --tls-cert-file="$PKI/metrics-server.crt" --tls-private-key-file="$PKI/metrics-server.key" \
  --kubelet-use-node-status-port \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-insecure-tls \
  --metric-resolution=10s --kubelet-request-timeout=5s

wait_for kube-controller-manager "/healthz" controller_manager_healthy
wait_for kube-scheduler "/healthz" scheduler_healthy
wait_for metrics-server "/livez" metrics_server_healthy
wait_for metrics-server "APIService v1beta1.metrics.k8s.io Available" metrics_api_available
wait_for kube-controller-manager "default ServiceAccount in namespace default" default_sa_exists

log "cluster is up in $((SECONDS - start)) s; state and logs in $CLUSTER_DIR"
log "  export KUBECONFIG=$KUBECONFIG; $KUBECTL get nodes"
if [[ "$CLUSTER_DIR" == "$ROOT/.cluster" ]]; then
  log "  (ports and paths: $CLUSTER_DIR/env; stop with: make cluster-down)"
else
  log "  (ports and paths: $CLUSTER_DIR/env; stop with: CLUSTER_DIR=$CLUSTER_DIR scripts/cluster-down.sh)"
fi
