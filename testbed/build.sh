#!/usr/bin/env bash
# Build (or reuse from cache) the l5d Kubernetes test bed binaries:
#   kube-apiserver, etcd, kubectl and the node's kubelet, kube-controller-manager, kube-scheduler
#   and kube-proxy, all from the wrapper module in testbed/kube, and the node's cluster DNS (CoreDNS)
#   from its own module in testbed/dns.
#
# Output: ${L5D_TESTBED_CACHE:-${XDG_CACHE_HOME:-~/.cache}/l5d/testbed}/<key>/bin/
#   key = k8s-<version>_etcd-<version>_<sha256 of go.mod, go.sum, cmd/*/main.go and this script's build recipe>
#
# Usage:
#   bash testbed/build.sh           build if needed, print the bin dir on the last line of stdout
#   bash testbed/build.sh --check   print the bin dir and exit 0 if it is built, else exit 1 (never builds)
#   bash testbed/build.sh --print-key
#
# Idempotent, unattended (no stdin, CI=true friendly), safe to run concurrently (flock).
# A warm run (binaries cached) does not invoke go at all and takes milliseconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mod="$here/kube"
dns_mod="$here/dns"
mode="${1:-build}"

log() { printf '[testbed/build] %s\n' "$*" >&2; }
die() { printf '[testbed/build] ERROR: %s\n' "$*" >&2; exit 1; }

# ---- cache key -------------------------------------------------------------------
k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2; exit}' "$mod/go.mod")"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2; exit}' "$mod/go.mod")"
[[ -n "$k8s_version" && -n "$etcd_version" ]] || die "cannot read k8s/etcd versions from $mod/go.mod"
# Bump recipe_rev when the build flags / outputs below change.
recipe_rev=2
hash="$( { echo "recipe=$recipe_rev"; cat "$mod/go.mod" "$mod/go.sum" "$mod"/cmd/*/main.go "$dns_mod/go.mod" "$dns_mod/go.sum" "$dns_mod"/coredns/main.go; } | sha256sum | cut -c1-12)"
key="k8s-${k8s_version}_etcd-${etcd_version}_${hash}"
cache_root="${L5D_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/l5d/testbed}"
out="$cache_root/$key"
bin="$out/bin"

node_binaries=(kubelet kube-controller-manager kube-scheduler kube-proxy coredns)
is_built() {
  [[ -f "$out/.complete" ]] || return 1
  local b
  for b in kube-apiserver etcd kubectl "${node_binaries[@]}"; do [[ -x "$bin/$b" ]] || return 1; done
}

case "$mode" in
  --print-key) echo "$key"; exit 0 ;;
  --check)
    if is_built; then echo "$bin"; exit 0; fi
    log "test bed binaries not built (expected $bin); run: bash testbed/build.sh"
    exit 1 ;;
  build|--build) ;;
  *) die "unknown argument: $mode (use --check, --print-key or no argument)" ;;
esac

t0=$(date +%s)
if is_built; then
  log "cached: $bin (k8s $k8s_version, etcd $etcd_version) in $(( $(date +%s) - t0 ))s"
  echo "$bin"
  exit 0
fi

# ---- apt prerequisites (update once, only when something is missing) ---------------
apt_updated=0
need_pkg() { # need_pkg <command> <debian package>
  command -v "$1" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "'$1' is missing and apt-get is unavailable; install package $2"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo -n"
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update (needed for $2)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq </dev/null >&2
    apt_updated=1
  fi
  log "apt-get install $2"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" </dev/null >&2
}
need_pkg flock util-linux
need_pkg sha256sum coreutils
need_pkg openssl openssl # used by up.sh (PKI)
need_pkg curl curl       # used by up.sh (health checks)

# ---- go toolchain -----------------------------------------------------------------
GO="${GO:-$(command -v go || true)}"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
[[ -x "$GO" ]] || die "Go toolchain not found (need Go >= 1.25; set GO=/path/to/go)"

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
log "waiting for build lock" ; flock 9
if is_built; then # another process finished it while we waited
  log "cached (built concurrently): $bin"
  echo "$bin"
  exit 0
fi

# kubectl: the version skew policy allows a client within one minor version of the
# server. If a system kubectl is exactly the same minor version, reuse it;
# otherwise (absent, or e.g. the gcloud 1.32 dispatcher) build it here: it shares
# almost all dependencies with kube-apiserver so it is cheap.
k8s_minor="$(echo "$k8s_version" | cut -d. -f1-2)" # v1.34
sys_kubectl=""
if [[ "${L5D_TESTBED_BUILD_KUBECTL:-}" != 1 ]] && command -v kubectl >/dev/null 2>&1; then
  v="$(timeout 20 kubectl version --client -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -1 || true)"
  if [[ "$v" == "$k8s_minor".* && "$v" != *dispatcher* ]]; then sys_kubectl="$(command -v kubectl)"; fi
  log "system kubectl: ${v:-unknown} -> $([[ -n $sys_kubectl ]] && echo reuse || echo 'build our own')"
fi

export CGO_ENABLED=0            # static binaries, no C toolchain needed
export GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
# GOCACHE / GOMODCACHE: default Go locations (~/.cache/go-build, ~/go/pkg/mod) unless set.

build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
major="$(echo "$k8s_version" | sed -E 's/^v([0-9]+)\..*/\1/')"
minor="$(echo "$k8s_version" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

targets=(./cmd/kube-apiserver ./cmd/etcd)
for b in "${node_binaries[@]}"; do [[ $b == coredns ]] || targets+=("./cmd/$b"); done
[[ -n "$sys_kubectl" ]] || targets+=(./cmd/kubectl)

tmp="$out.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp/bin"
trap 'rm -rf "$tmp"' EXIT

log "go: $("$GO" version)"
log "downloading modules"
t1=$(date +%s)
(cd "$mod" && "$GO" mod download && cd "$dns_mod" && "$GO" mod download) >&2
log "modules ready in $(( $(date +%s) - t1 ))s; building ${targets[*]} (k8s $k8s_version, etcd $etcd_version)"
t2=$(date +%s)
(cd "$mod" && "$GO" build -ldflags="$ldflags" -o "$tmp/bin/" "${targets[@]}") >&2
(cd "$dns_mod" && "$GO" build -ldflags="-s -w" -o "$tmp/bin/coredns" ./coredns) >&2
log "go build done in $(( $(date +%s) - t2 ))s"
[[ -n "$sys_kubectl" ]] && ln -s "$sys_kubectl" "$tmp/bin/kubectl"

# Smoke-test the binaries (capture first: `| head -1` could SIGPIPE under pipefail).
v_api="$("$tmp/bin/kube-apiserver" --version)"
v_etcd="$("$tmp/bin/etcd" --version)"
v_kubectl="$("$tmp/bin/kubectl" version --client 2>/dev/null)"
log "${v_api%%$'\n'*} | ${v_etcd%%$'\n'*} | kubectl ${v_kubectl%%$'\n'*}"

printf 'k8s=%s\netcd=%s\nkey=%s\nbuilt=%s\n' "$k8s_version" "$etcd_version" "$key" "$build_date" >"$tmp/VERSIONS"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
log "built $bin in $(( $(date +%s) - t0 ))s"
echo "$bin"
