#!/bin/bash
# Makes the credentials for a vk-cmd-runner that listens on TCP: a private CA,
# the runner's serving certificate, a client certificate for vk-cmd-kubelet,
# and a bearer token. Needs openssl.
#
#   make-runner-certs.sh <out dir> <runner host name or IP>...
#
# <out dir>/runner/   for the runner's host (keep it private):
#     vk-cmd-runner --listen tcp://0.0.0.0:50051 --tls-cert tls.crt --tls-key tls.key \
#       --client-ca ca.crt --token-file token
# <out dir>/kubelet/  for the kubelet, e.g. as the Secret deploy/base expects:
#     kubectl -n vk-cmd create secret generic vk-cmd-runner-credentials --from-file=<out dir>/kubelet
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 <out dir> <runner host name or IP>..." >&2; exit 2; }
out=$1
shift
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }
[[ -e "$out/runner/tls.key" ]] && { echo "$out already holds credentials; remove it first" >&2; exit 1; }

umask 077
mkdir -p "$out/ca" "$out/runner" "$out/kubelet"
days=${VK_CMD_CERT_DAYS:-365}

sans=""
for h in "$@"; do
  if [[ "$h" =~ ^[0-9.]+$ || "$h" == *:* ]]; then sans+="IP:$h,"; else sans+="DNS:$h,"; fi
done
sans=${sans%,}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=vk-cmd-runner-ca" -keyout "$out/ca/ca.key" -out "$out/ca/ca.crt" 2>/dev/null

issue() { # <dir> <common name> <extendedKeyUsage> [subjectAltName]
  local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$3"
  [[ -n "${4:-}" ]] && ext+="
subjectAltName=$4"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
    -keyout "$1/tls.key" -out "$1/tls.csr" 2>/dev/null
  openssl x509 -req -in "$1/tls.csr" -CA "$out/ca/ca.crt" -CAkey "$out/ca/ca.key" -CAcreateserial \
    -days "$days" -extfile <(printf '%s\n' "$ext") -out "$1/tls.crt" 2>/dev/null
  rm -f "$1/tls.csr"
  cp "$out/ca/ca.crt" "$1/ca.crt"
}
issue "$out/runner" vk-cmd-runner serverAuth "$sans"
issue "$out/kubelet" vk-cmd-kubelet clientAuth

openssl rand -hex 32 >"$out/runner/token"
cp "$out/runner/token" "$out/kubelet/token"
chmod 600 "$out"/*/*

echo "runner credentials:  $out/runner  (for $*)"
echo "kubelet credentials: $out/kubelet"
echo "CA key (keep offline): $out/ca/ca.key"
