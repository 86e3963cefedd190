#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, a matching kubectl, and the node's
# kubelet and kube-proxy (e2e/node) from the Go module proxy
# into ~/.cache/ballot/k8s-<version>/bin, once. Nothing is written into the repository.
#
# k8s.io/kubernetes replaces its k8s.io/* staging modules with ./staging paths, which a dependent
# module cannot follow; so we build from a generated wrapper module that requires k8s.io/kubernetes
# and replaces every staging module with its published v0.<minor>.<patch> twin.
#
# Env: BALLOT_K8S_VERSION (default below), BALLOT_CACHE (default ~/.cache/ballot),
#      BALLOT_BUILD_PARALLELISM (go build -p, default 1: the machine is shared).
set -euo pipefail

K8S_VERSION="${BALLOT_K8S_VERSION:-v1.34.4}"
CACHE_ROOT="${BALLOT_CACHE:-$HOME/.cache/ballot}"
OUT="$CACHE_ROOT/k8s-$K8S_VERSION"
BIN="$OUT/bin"
PARALLEL="${BALLOT_BUILD_PARALLELISM:-1}"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

have_all() {
  for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || return 1; done
}

if have_all; then
  echo "controlplane: cached binaries in $BIN"
  exit 0
fi

command -v go >/dev/null || { echo "controlplane: 'go' is not on PATH; install Go 1.24+ to build the control plane" >&2; exit 2; }

staging_minor="0.${K8S_VERSION#v1.}"     # v1.34.4 -> 0.34.4
STAGING_VERSION="v$staging_minor"
WORK="$OUT/src"
mkdir -p "$WORK" "$BIN"
cd "$WORK"
start=$(date +%s)

# Learn the staging module list from k8s.io/kubernetes's own go.mod rather than hard-coding it.
gomod_json=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION")
gomod_file=$(printf '%s' "$gomod_json" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[[ -f "$gomod_file" ]] || { echo "controlplane: cannot read go.mod of k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
mapfile -t staging < <(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$gomod_file" | awk '{print $1}')
(( ${#staging[@]} > 0 )) || { echo "controlplane: no staging replaces found in $gomod_file" >&2; exit 1; }
go_directive=$(grep -m1 -E '^go [0-9]' "$gomod_file" | awk '{print $2}')

{
  echo "module ballot.dev/controlplane"
  echo
  echo "go $go_directive"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	$m => $m $STAGING_VERSION"; done
  echo ")"
} > go.mod

cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
GO

echo "controlplane: resolving modules for k8s.io/kubernetes $K8S_VERSION (staging $STAGING_VERSION, ${#staging[@]} modules)"
GOFLAGS=-mod=mod go mod tidy

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

build() { # name package; a binary already in the cache is kept
  [[ -x "$BIN/$1" ]] && return 0
  echo "controlplane: building $1 ($(date -u +%H:%M:%S))"
  CGO_ENABLED=0 go build -p "$PARALLEL" -trimpath -ldflags "$ldflags" -o "$BIN/$1.tmp" "$2"
  mv "$BIN/$1.tmp" "$BIN/$1"
}
etcd_version=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
if [[ ! -x "$BIN/etcd" ]]; then
  CGO_ENABLED=0 go build -p "$PARALLEL" -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  echo "controlplane: built etcd $etcd_version"
fi
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
build kubectl k8s.io/kubernetes/cmd/kubectl
build kubelet k8s.io/kubernetes/cmd/kubelet
build kube-proxy k8s.io/kubernetes/cmd/kube-proxy
echo "$K8S_VERSION etcd=$etcd_version" > "$BIN/VERSION"
echo "controlplane: built ${BINARIES[*]} into $BIN in $(( $(date +%s) - start ))s"
