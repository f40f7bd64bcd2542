#!/usr/bin/env bash
# PKI and kubeconfig helpers for the local test cluster, sourced by
# scripts/cluster-up.sh. Tests can source it too, to issue e.g. kubelet
# client/serving certificates from the cluster CA recorded in .cluster/env:
#
#   . scripts/lib/pki.sh
#   pki_cert "$dir" node-a "$CA_CERT" "$CA_KEY" system:node:node-a system:nodes client
#
# Keys are ECDSA P-256: every Kubernetes component accepts them, and they are
# generated in milliseconds, which keeps cluster start-up fast.

# Days a certificate is valid. Clusters are short-lived, but long enough that
# a cluster left running for a while does not silently break.
PKI_DAYS="${PKI_DAYS:-825}"

_pki_key() { # <out.key>
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

_pki_serial() {
  # Random serials: certificates re-issued with the same subject must still
  # be distinguishable to clients that cache them.
  printf '0x%s' "$(openssl rand -hex 16)"
}

_pki_subject() { # <CN> [O[,O...]]
  local subj="/CN=$1" org
  if [[ -n "${2:-}" ]]; then
    local IFS=,
    for org in $2; do subj+="/O=$org"; done
  fi
  printf '%s' "$subj"
}

# pki_ca <dir> <name> <CN>: self-signed CA as <dir>/<name>.{crt,key}.
pki_ca() {
  local dir=$1 name=$2 cn=$3
  _pki_key "$dir/$name.key"
  openssl req -x509 -new -key "$dir/$name.key" -subj "/CN=$cn" -days "$((PKI_DAYS * 4))" \
    -set_serial "$(_pki_serial)" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$dir/$name.crt" 2>/dev/null
}

# pki_cert <dir> <name> <ca.crt> <ca.key> <CN> <O,...|""> <client|server|both> [SAN...]
# SANs are given as openssl expects them: DNS:foo, IP:127.0.0.1.
pki_cert() {
  local dir=$1 name=$2 ca_crt=$3 ca_key=$4 cn=$5 org=$6 usage=$7
  shift 7
  local eku sans=""
  case "$usage" in
    client) eku=clientAuth ;;
    server) eku=serverAuth ;;
    both) eku=serverAuth,clientAuth ;;
    *) echo "pki_cert: unknown usage '$usage'" >&2; return 1 ;;
  esac
  if (($# > 0)); then
    local IFS=,
    sans="subjectAltName=$*"
  fi
  _pki_key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "$(_pki_subject "$cn" "$org")" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca_crt" -CAkey "$ca_key" -set_serial "$(_pki_serial)" \
    -days "$PKI_DAYS" -out "$dir/$name.crt" \
    -extfile <(printf '%s\n' \
      "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=$eku" \
      "authorityKeyIdentifier=keyid" \
      ${sans:+"$sans"}) 2>/dev/null
  rm -f "$dir/$name.csr"
}

# pki_keypair <dir> <name>: bare key pair (<name>.key, <name>.pub), as used
# for signing service-account tokens.
pki_keypair() {
  local dir=$1 name=$2
  _pki_key "$dir/$name.key"
  openssl pkey -in "$dir/$name.key" -pubout -out "$dir/$name.pub" 2>/dev/null
}

# kubeconfig_write <file> <server-url> <ca.crt> <client.crt> <client.key> <user>
# Certificates are embedded so the file keeps working when copied elsewhere.
kubeconfig_write() {
  local file=$1 server=$2 ca=$3 crt=$4 key=$5 user=$6
  (umask 077 && cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: vk-cmd
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 < "$ca")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 < "$crt")
    client-key-data: $(base64 -w0 < "$key")
contexts:
- name: vk-cmd
  context:
    cluster: vk-cmd
    user: $user
current-context: vk-cmd
preferences: {}
EOF
  )
}
