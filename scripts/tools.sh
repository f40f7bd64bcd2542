#!/usr/bin/env bash
# Builds the Kubernetes control plane and helper tools that the local test
# cluster (scripts/cluster-up.sh) and the end-to-end tests need, into
# .tools/bin. Everything is compiled from pinned Go modules because the build
# machines can reach the Go module proxy but not the sites that host
# prebuilt release binaries.
#
# Pins live in test/tools/go.mod (Kubernetes), test/tools/etcd/go.mod (etcd)
# and below (metrics-server, grpcurl, helm and prometheus/promtool, which
# install cleanly by version). Debian's prometheus package is no substitute:
# it is built without Kubernetes service discovery, which a kubelet-style
# scrape config needs.
#
# A cold build is slow on 2 cores: the control plane took 34 minutes on a
# fresh machine and 53 on one shared with other builds (kube-apiserver 18,
# metrics-server 15, kube-controller-manager 9, kubectl 6, grpcurl 4, etcd
# 1.5); helm (12) and prometheus/promtool (18) add half an hour on a busy
# machine. The binaries are then kept in the per-user cache below, and any
# other clone on the machine copies them in seconds. One build at a time per
# machine: a second `make tools` waits on the cache's lock, then copies what
# the first built. Long compiles print the elapsed time and the packages
# compiled so far every PROGRESS_SECONDS.
#
# Environment:
#   VK_CMD_TOOLS_CACHE   per-user copy of built binaries shared by all clones
#                        (default: $HOME/.cache/vk-cmd/tools)
#   TOOLS_BUILD_JOBS     go build -p (default: number of CPUs)
#   TOOLS_BUILD_TIMEOUT  seconds allowed for one go build (default: 5400)
#   PROGRESS_SECONDS     seconds between progress lines (default: 10)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_MOD="$ROOT/test/tools"
ETCD_MOD="$ROOT/test/tools/etcd"
BIN_DIR="$ROOT/.tools/bin"
CACHE_DIR="${VK_CMD_TOOLS_CACHE:-${HOME:-/tmp}/.cache/vk-cmd/tools}"
JOBS="${TOOLS_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
BUILD_TIMEOUT="${TOOLS_BUILD_TIMEOUT:-5400}"
PROGRESS_SECONDS="${PROGRESS_SECONDS:-10}"

METRICS_SERVER_VERSION=v0.7.2
GRPCURL_VERSION=v1.9.4
HELM_VERSION=v4.3.2
# The Go module of Prometheus v3.16.0 (its releases are tagged v0.3XX.Y there),
# with Kubernetes service discovery only: the cloud providers' SDKs behind the
# other discovery plugins would double its build time for nothing.
PROMETHEUS_MODULE_VERSION=v0.316.0
PROMETHEUS_VERSION=v3.16.0
PROMETHEUS_TAGS=remove_all_sd,enable_kubernetes_sd

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

# Two concurrent runs in one clone (say a developer and a test target) would
# otherwise race on the same temporary files; two clones on one machine would
# each build everything, though the second could copy what the first builds.
# So: this clone's lock, then the shared cache's (always in that order).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$ROOT/.tools/.lock"
  flock 9
  if [[ -d "$CACHE_DIR" && -w "$CACHE_DIR" ]]; then
    exec 8>"$CACHE_DIR/.lock"
    if ! flock -n 8; then
      # Who holds it, for the message; not this script (nor this subshell,
      # which closes its copy of the descriptor first).
      holder=$(exec 8>&-; fuser "$CACHE_DIR/.lock" 2>/dev/null | tr -s ' ' '\n' | grep -vx -e "$$" -e '' \
        | xargs -r -n1 ps -o pid=,args= -p 2>/dev/null | head -n 3 || true)
      log "Another build holds $CACHE_DIR/.lock${holder:+ (${holder//$'\n'/; })}."
      log "Waiting for it to finish, then copying what it built..."
      wait_start=$SECONDS
      flock 8
      log "Lock acquired after $((SECONDS - wait_start)) s."
    fi
  fi
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
    helm) out=$(timeout 30 "$2" version --short 2>&1) ;;
    promtool) out=$(timeout 30 "$2" --version 2>&1) ;;
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

minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Runs a `go build -v` or `go install -v` command, printing every
# PROGRESS_SECONDS how long it has run and how many packages it compiled (the
# package lines -v writes), out of at most <total> when known. Go's own
# messages are shown only when the command fails.
go_with_progress() { # <label> <total or ""> <command...>
  local label=$1 total=$2 vlog pid rc=0 start=$SECONDS next done_count fetched
  shift 2
  vlog=$(mktemp "$BIN_DIR/.build-log.XXXXXX")
  "$@" 2>"$vlog" &
  pid=$!
  # timeout(1) runs in a process group of its own, which Ctrl-C does not reach.
  trap 'kill -TERM "$pid" 2>/dev/null; rm -f "$vlog"; exit 130' INT TERM
  next=$((SECONDS + PROGRESS_SECONDS))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)); then
      done_count=$(grep -cE '^[[:alnum:]._~/+-]+$' "$vlog" || true)
      fetched=$(grep -c '^go: downloading ' "$vlog" || true)
      [[ "$fetched" != 0 ]] || fetched=""
      log "  $label: $(minutes $((SECONDS - start))) elapsed, $done_count packages compiled${total:+ (of at most $total)}${fetched:+, $fetched modules downloaded}"
      next=$((SECONDS + PROGRESS_SECONDS))
    fi
  done
  wait "$pid" || rc=$?
  trap - INT TERM
  if ((rc != 0)); then
    # Package lines are progress; what remains is Go's error output.
    grep -vE '^[[:alnum:]._~/+-]+$' "$vlog" | tail -n 60 >&2 || true
  fi
  rm -f "$vlog"
  return "$rc"
}

# How many packages (the standard library included) a build of <pkg...> in
# <module dir> may compile; empty if go list cannot tell.
dep_count() { # <module dir> <pkg...>
  local dir=$1
  shift
  (cd "$dir" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go list -deps "$@" 2>/dev/null | wc -l) || true
}

KUBE_LDFLAGS=""
# Builds several Kubernetes commands with one `go build`, which compiles the
# packages they share once and in parallel: <outdir>/<component> each.
build_kube_many() { # <outdir> <component...>
  local outdir=$1 pkgs=() c total
  shift
  [[ -n "$KUBE_LDFLAGS" ]] || KUBE_LDFLAGS=$(kube_ldflags)
  for c in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  total=$(dep_count "$TOOLS_MOD" "${pkgs[@]}")
  (cd "$TOOLS_MOD" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go_with_progress "$*" "$total" \
    timeout "$BUILD_TIMEOUT" go build -v -p "$JOBS" -trimpath -ldflags "$KUBE_LDFLAGS" -o "$outdir/" "${pkgs[@]}")
}

# etcd reports the short commit of its release as "Git SHA", which its own
# build script sets; the proxy records the tag's commit for etcd.
build_etcd() { # <component> <output>
  local sha
  sha=$(proxy_info "go.etcd.io/etcd/server/v3@$ETCD_VERSION" '{{with .Origin}}{{.Hash}}{{end}}')
  (cd "$ETCD_MOD" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go_with_progress "$1" "$(dep_count "$ETCD_MOD" .)" \
    timeout "$BUILD_TIMEOUT" go build -v -p "$JOBS" -trimpath \
    -ldflags "-s -w${sha:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${sha:0:7}}" -o "$2" .)
}

# metrics-server and grpcurl carry no replace directives, so `go install
# pkg@version` builds them exactly as pinned by their own go.mod files.
go_install() { # <package@version> <output> <extra ldflags>
  local gobin
  gobin=$(mktemp -d "$BIN_DIR/.gobin.XXXXXX")
  # The module path must not be resolved against test/tools/go.mod.
  if ! (cd "$gobin" && GOBIN="$gobin" go_with_progress "${1%@*}" "" \
      timeout "$BUILD_TIMEOUT" go install -v -p "$JOBS" -trimpath -ldflags "-s -w $3" "$1"); then
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

build_helm() { # <component> <output>
  local pkg=helm.sh/helm/v4/internal/version commit
  commit=$(proxy_info "helm.sh/helm/v4@$HELM_VERSION" '{{with .Origin}}{{.Hash}}{{end}}')
  go_install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" "$2" \
    "-X $pkg.version=$HELM_VERSION -X $pkg.gitCommit=$commit -X $pkg.gitTreeState=clean"
}

# Installs a component that needs no build: already in .tools/bin with the
# same stamp, or copied from the per-user cache. Returns 1 when it must be built.
install_current() { # <component> <version> <inputs>
  local name=$1 version=$2 stamp bin stamp_file cached tmp
  stamp=$(stamp_for "$version" "$3")
  bin="$BIN_DIR/$name"
  stamp_file="$BIN_DIR/.$name.version"
  cached="$CACHE_DIR/$name-$version"
  if [[ -x "$bin" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    log "$name $version: up to date"
    return 0
  fi
  tmp="$BIN_DIR/.$name.tmp"
  rm -f "$tmp"
  if [[ -x "$cached" && -f "$cached.stamp" && "$(cat "$cached.stamp")" == "$stamp" ]] \
      && cp "$cached" "$tmp" && verify "$name" "$tmp" "$version"; then
    log "$name $version: copied from $CACHE_DIR"
    mv -f "$tmp" "$bin"
    printf '%s\n' "$stamp" > "$stamp_file"
    return 0
  fi
  rm -f "$tmp"
  return 1
}

# Checks a freshly built binary, stores a copy in the per-user cache (so the
# next clone on this machine is quick) and installs it.
install_built() { # <component> <version> <inputs> <built file>
  local name=$1 version=$2 file=$4 stamp cached
  stamp=$(stamp_for "$version" "$3")
  cached="$CACHE_DIR/$name-$version"
  verify "$name" "$file" "$version" \
    || die "$name was built but '$(version_of "$name" "$file" || true)' does not report $version"
  # Write-then-rename so a concurrent clone never copies a partial file.
  # The cache only saves time, so failing to fill it is not an error.
  { cp "$file" "$cached.tmp.$$" && mv -f "$cached.tmp.$$" "$cached" \
      && printf '%s\n' "$stamp" > "$cached.stamp"; } 2>/dev/null \
    || { rm -f "$cached.tmp.$$"; log "$name: could not store a copy in $CACHE_DIR (continuing)"; }
  mv -f "$file" "$BIN_DIR/$name"
  printf '%s\n' "$stamp" > "$BIN_DIR/.$name.version"
}

# Installs one component unless an identical build is already in place:
# .tools/bin first, then the per-user cache, then a real build.
ensure() { # <component> <version> <inputs> <build function>
  local name=$1 version=$2 start tmp
  install_current "$name" "$version" "$3" && return 0
  start=$SECONDS
  tmp="$BIN_DIR/.$name.tmp"
  log "$name $version: building..."
  if ! "$4" "$name" "$tmp"; then
    rm -f "$tmp"
    die "building $name $version failed (see the go output above)"
  fi
  install_built "$name" "$version" "$3" "$tmp"
  log "$name $version: done in $(minutes $((SECONDS - start)))"
}

# prometheus and promtool, built by one go install (they share most packages).
ensure_prometheus() {
  local missing=() c start gobin pkg=github.com/prometheus/common/version commit date
  for c in prometheus promtool; do
    install_current "$c" "$PROMETHEUS_VERSION" "$PROMETHEUS_MODULE_VERSION+$PROMETHEUS_TAGS" || missing+=("$c")
  done
  ((${#missing[@]} > 0)) || return 0
  start=$SECONDS
  log "${missing[*]} $PROMETHEUS_VERSION: building..."
  commit=$(proxy_info "github.com/prometheus/prometheus@$PROMETHEUS_MODULE_VERSION" '{{with .Origin}}{{.Hash}}{{end}}')
  date=$(proxy_info "github.com/prometheus/prometheus@$PROMETHEUS_MODULE_VERSION" '{{.Time.UTC.Format "20060102-15:04:05"}}')
  gobin=$(mktemp -d "$BIN_DIR/.gobin.XXXXXX")
  local flags="-s -w -X $pkg.Version=${PROMETHEUS_VERSION#v} -X $pkg.Revision=$commit -X $pkg.Branch=HEAD"
  flags+=" -X $pkg.BuildUser=vk-cmd -X $pkg.BuildDate=$date"
  local targets=()
  for c in "${missing[@]}"; do targets+=("github.com/prometheus/prometheus/cmd/$c@$PROMETHEUS_MODULE_VERSION"); done
  # The web UI is left out (no builtinassets tag): the tests use the HTTP API.
  if ! (cd "$gobin" && GOBIN="$gobin" go_with_progress "${missing[*]}" "" \
      timeout "$BUILD_TIMEOUT" go install -v -p "$JOBS" -trimpath -tags "$PROMETHEUS_TAGS" -ldflags "$flags" "${targets[@]}"); then
    rm -rf "$gobin"
    die "building ${missing[*]} $PROMETHEUS_VERSION failed (see the go output above)"
  fi
  for c in "${missing[@]}"; do
    install_built "$c" "$PROMETHEUS_VERSION" "$PROMETHEUS_MODULE_VERSION+$PROMETHEUS_TAGS" "$gobin/$c"
  done
  rm -rf "$gobin"
  log "${missing[*]} $PROMETHEUS_VERSION: done in $(minutes $((SECONDS - start)))"
}

# The Kubernetes components that are not current, built by one go build.
ensure_kube() { # <component...>
  local missing=() c start outdir
  for c in "$@"; do
    install_current "$c" "$KUBE_VERSION" "$KUBE_INPUTS" || missing+=("$c")
  done
  ((${#missing[@]} > 0)) || return 0
  start=$SECONDS
  outdir=$(mktemp -d "$BIN_DIR/.kube-build.XXXXXX")
  log "${missing[*]} $KUBE_VERSION: building together (shared packages compile once)..."
  if ! build_kube_many "$outdir" "${missing[@]}"; then
    rm -rf "$outdir"
    die "building ${missing[*]} $KUBE_VERSION failed (see the go output above)"
  fi
  for c in "${missing[@]}"; do install_built "$c" "$KUBE_VERSION" "$KUBE_INPUTS" "$outdir/$c"; done
  rm -rf "$outdir"
  log "${missing[*]} $KUBE_VERSION: done in $(minutes $((SECONDS - start)))"
}

total_start=$SECONDS
# etcd first: it is the quickest Kubernetes-sized build and fails fast if the
# toolchain or proxy is unusable.
ensure etcd "$ETCD_VERSION" "$ETCD_INPUTS" build_etcd
ensure_kube kube-apiserver kube-controller-manager kube-scheduler kubectl
ensure metrics-server "$METRICS_SERVER_VERSION" "$METRICS_SERVER_VERSION" build_metrics_server
ensure grpcurl "$GRPCURL_VERSION" "$GRPCURL_VERSION" build_grpcurl
ensure helm "$HELM_VERSION" "$HELM_VERSION" build_helm
ensure_prometheus
log "tools ready in $BIN_DIR ($(minutes $((SECONDS - total_start))))"
