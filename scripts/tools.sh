#!/usr/bin/env bash
# Builds the Kubernetes control plane and helper tools that the local test
# cluster (scripts/cluster-up.sh) and the end-to-end tests need, into
# .tools/bin. Everything is compiled from pinned Go modules because the build
# machines can reach the Go module proxy but not the sites that host
# prebuilt release binaries.
#
# Pins live in test/tools/go.mod (Kubernetes), test/tools/etcd/go.mod (etcd)
# and below (metrics-server, grpcurl, which install cleanly by version).
#
# Environment:
#   VK_CMD_TOOLS_CACHE   per-user copy of built binaries shared by all clones
#                        (default: $HOME/.cache/vk-cmd/tools)
#   TOOLS_BUILD_JOBS     go build -p (default: number of CPUs)
#   TOOLS_BUILD_TIMEOUT  seconds allowed for one component (default: 5400)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_MOD="$ROOT/test/tools"
ETCD_MOD="$ROOT/test/tools/etcd"
BIN_DIR="$ROOT/.tools/bin"
CACHE_DIR="${VK_CMD_TOOLS_CACHE:-${HOME:-/tmp}/.cache/vk-cmd/tools}"
JOBS="${TOOLS_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
BUILD_TIMEOUT="${TOOLS_BUILD_TIMEOUT:-5400}"

METRICS_SERVER_VERSION=v0.7.2
GRPCURL_VERSION=v1.9.4

# Part of every stamp: bump it when the way binaries are built changes (flags,
# ldflags), so binaries stamped by an older script are rebuilt.
BUILD_SCHEMA=2

log() { printf '%s\n' "$*"; }
die() { printf 'tools.sh: error: %s\n' "$*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || die "Go is not installed (need Go >= 1.24 on PATH)"

# A go.work further up, or cgo toggled on by the environment, would change
# what gets built; the binaries are meant to be static and identical for all.
export GOWORK=off CGO_ENABLED=0

mkdir -p "$BIN_DIR"
mkdir -p "$CACHE_DIR" 2>/dev/null || true

# Two concurrent runs (say a developer and a test target) would otherwise race
# on the same temporary files.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$ROOT/.tools/.lock"
  flock 9
fi

mod_version() { # <go.mod> <module path>
  awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v/ { print $2; exit }' "$1"
}

KUBE_VERSION=$(mod_version "$TOOLS_MOD/go.mod" k8s.io/kubernetes)
ETCD_VERSION=$(mod_version "$ETCD_MOD/go.mod" go.etcd.io/etcd/server/v3)
[[ -n "$KUBE_VERSION" ]] || die "no k8s.io/kubernetes requirement in $TOOLS_MOD/go.mod"
[[ -n "$ETCD_VERSION" ]] || die "no go.etcd.io/etcd/server/v3 requirement in $ETCD_MOD/go.mod"

files_hash() { cat "$@" | sha256sum | cut -c1-16; }
KUBE_INPUTS=$(files_hash "$TOOLS_MOD/go.mod" "$TOOLS_MOD/go.sum")
ETCD_INPUTS=$(files_hash "$ETCD_MOD/go.mod" "$ETCD_MOD/go.sum" "$ETCD_MOD/main.go")

stamp_for() { # <version> <inputs>
  printf 'version=%s\ninputs=%s\nschema=%s\nplatform=%s\n' "$1" "$2" "$BUILD_SCHEMA" "$(go env GOOS)/$(go env GOARCH)"
}

# Prints the version line of a binary; also proves that it starts at all.
version_of() { # <component> <binary>
  local out
  case "$1" in
    kubectl) out=$(timeout 30 "$2" version --client 2>&1) ;;
    grpcurl) out=$(timeout 30 "$2" -version 2>&1) ;;
    *) out=$(timeout 30 "$2" --version 2>&1) ;;
  esac || return 1
  printf '%s\n' "$out" | head -n1
}

verify() { # <component> <binary> <version>
  local v
  v=$(version_of "$1" "$2") || return 1
  # etcd reports its version without the leading "v".
  [[ "$v" == *"${3#v}"* ]]
}

# Kubernetes records its version through ldflags (hack/lib/version.sh
# upstream); without them /version and `kubectl version` report v0.0.0-master.
# buildDate is the tag's commit time rather than now, so rebuilds are
# byte-identical. The module proxy does not record the tag's git commit, and
# a made-up one would be worse than none, so gitCommit is left empty.
kube_ldflags() {
  local v=$KUBE_VERSION major minor date pkg flags="-s -w"
  major=${v#v}; major=${major%%.*}
  minor=${v#v*.}; minor=${minor%%.*}
  date=$(cd "$TOOLS_MOD" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitVersion=$v"
    flags+=" -X $pkg.gitCommit= -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  printf '%s' "$flags"
}

# Release metadata for a module as recorded by the proxy (commit time, and the
# commit hash when the proxy knows it).
# Run from / so that no go.mod is in scope.
proxy_info() { # <module>@<version> <go template>
  (cd / && GOFLAGS="" go list -m -f "$2" "$1" 2>/dev/null) || true
}

KUBE_LDFLAGS=""
build_kube() { # <component> <output>
  [[ -n "$KUBE_LDFLAGS" ]] || KUBE_LDFLAGS=$(kube_ldflags)
  (cd "$TOOLS_MOD" && GOFLAGS="${GOFLAGS:-} -mod=readonly" timeout "$BUILD_TIMEOUT" \
    go build -p "$JOBS" -trimpath -ldflags "$KUBE_LDFLAGS" -o "$2" "k8s.io/kubernetes/cmd/$1")
}

# etcd reports the short commit of its release as "Git SHA", which its own
# build script sets; the proxy records the tag's commit for etcd.
build_etcd() { # <component> <output>
  local sha
  sha=$(proxy_info "go.etcd.io/etcd/server/v3@$ETCD_VERSION" '{{with .Origin}}{{.Hash}}{{end}}')
  (cd "$ETCD_MOD" && GOFLAGS="${GOFLAGS:-} -mod=readonly" timeout "$BUILD_TIMEOUT" \
    go build -p "$JOBS" -trimpath -ldflags "-s -w${sha:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${sha:0:7}}" -o "$2" .)
}

# metrics-server and grpcurl carry no replace directives, so `go install
# pkg@version` builds them exactly as pinned by their own go.mod files.
go_install() { # <package@version> <output> <extra ldflags>
  local gobin
  gobin=$(mktemp -d "$BIN_DIR/.gobin.XXXXXX")
  # The module path must not be resolved against test/tools/go.mod.
  if ! (cd "$gobin" && GOBIN="$gobin" timeout "$BUILD_TIMEOUT" \
      go install -p "$JOBS" -trimpath -ldflags "-s -w $3" "$1"); then
    rm -rf "$gobin"
    return 1
  fi
  mv "$gobin"/* "$2"
  rm -rf "$gobin"
}

build_metrics_server() { # <component> <output>
  local pkg=k8s.io/client-go/pkg/version commit date
  commit=$(proxy_info "sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION" '{{with .Origin}}{{.Hash}}{{end}}')
  date=$(proxy_info "sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION" '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  go_install "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION" "$2" \
    "-X $pkg.gitVersion=$METRICS_SERVER_VERSION -X $pkg.gitCommit=$commit -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
}

build_grpcurl() { # <component> <output>
  go_install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" "$2" "-X main.version=$GRPCURL_VERSION"
}

# Installs one component unless an identical build is already in place:
# .tools/bin first, then the per-user cache, then a real build (which also
# fills the cache so the next clone on this machine is quick).
ensure() { # <component> <version> <inputs> <build function>
  local name=$1 version=$2 stamp bin stamp_file cached start tmp
  stamp=$(stamp_for "$version" "$3")
  bin="$BIN_DIR/$name"
  stamp_file="$BIN_DIR/.$name.version"
  cached="$CACHE_DIR/$name-$version"

  if [[ -x "$bin" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    log "$name $version: up to date"
    return 0
  fi

  start=$SECONDS
  tmp="$BIN_DIR/.$name.tmp"
  rm -f "$tmp"
  if [[ -x "$cached" && -f "$cached.stamp" && "$(cat "$cached.stamp")" == "$stamp" ]] \
      && cp "$cached" "$tmp" && verify "$name" "$tmp" "$version"; then
    log "$name $version: copied from $CACHE_DIR"
  else
    log "$name $version: building..."
    if ! "$4" "$name" "$tmp"; then
      rm -f "$tmp"
      die "building $name $version failed (see the go output above)"
    fi
    verify "$name" "$tmp" "$version" \
      || die "$name was built but '$(version_of "$name" "$tmp" || true)' does not report $version"
    # Write-then-rename so a concurrent clone never copies a partial file.
    # The cache only saves time, so failing to fill it is not an error.
    { cp "$tmp" "$cached.tmp.$$" && mv -f "$cached.tmp.$$" "$cached" \
        && printf '%s\n' "$stamp" > "$cached.stamp"; } 2>/dev/null \
      || { rm -f "$cached.tmp.$$"; log "$name: could not store a copy in $CACHE_DIR (continuing)"; }
    log "$name $version: done in $((SECONDS - start)) s"
  fi
  mv -f "$tmp" "$bin"
  printf '%s\n' "$stamp" > "$stamp_file"
}

total_start=$SECONDS
# etcd first: it is the quickest Kubernetes-sized build and fails fast if the
# toolchain or proxy is unusable.
ensure etcd "$ETCD_VERSION" "$ETCD_INPUTS" build_etcd
for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  ensure "$c" "$KUBE_VERSION" "$KUBE_INPUTS" build_kube
done
ensure metrics-server "$METRICS_SERVER_VERSION" "$METRICS_SERVER_VERSION" build_metrics_server
ensure grpcurl "$GRPCURL_VERSION" "$GRPCURL_VERSION" build_grpcurl
log "tools ready in $BIN_DIR ($((SECONDS - total_start)) s)"
