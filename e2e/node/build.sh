#!/usr/bin/env bash
# Builds what the e2e node needs besides kubelet and kube-proxy (those come from e2e/controlplane/build.sh,
# the same k8s.io/kubernetes build as the control plane), once, into ~/.cache/ballot/node-tools:
#   bin/coredns                  CoreDNS (github.com/coredns/coredns, only the plugins cluster DNS needs)
#   bin/local-path-provisioner   github.com/rancher/local-path-provisioner, the claims' provisioner
#   images/pause.tar             the pod sandbox image (a static C binary; no registry is reachable here)
#   images/busybox.tar           the provisioner's helper image (Debian's busybox-static)
# Env: BALLOT_CACHE, BALLOT_BUILD_PARALLELISM (go build -p, default 1), BALLOT_COREDNS_VERSION,
#      BALLOT_LOCAL_PATH_VERSION.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${BALLOT_CACHE:-$HOME/.cache/ballot}"
OUT="$CACHE_ROOT/node-tools"
COREDNS_VERSION="${BALLOT_COREDNS_VERSION:-v1.15.0}"
LOCAL_PATH_VERSION="${BALLOT_LOCAL_PATH_VERSION:-v0.0.30}"
PARALLEL="${BALLOT_BUILD_PARALLELISM:-1}"
mkdir -p "$OUT/bin" "$OUT/images" "$OUT/src"
start=$(date +%s)

need_go() { command -v go >/dev/null || { echo "node: 'go' is not on PATH; install Go 1.26+ to build $1" >&2; exit 2; }; }

if [[ ! -x "$OUT/bin/coredns" || "$(cat "$OUT/bin/coredns.version" 2>/dev/null)" != "$COREDNS_VERSION" ]]; then
  need_go coredns
  # A custom main with a short plugin list (CoreDNS's documented way to choose plugins at build time): the
  # full plugin set pulls in every cloud SDK and takes far longer to build on two shared cores.
  src="$OUT/src/coredns"; mkdir -p "$src"
  cat > "$src/go.mod" <<MOD
module ballot.dev/coredns

go 1.26.0

require github.com/coredns/coredns $COREDNS_VERSION
MOD
  cat > "$src/main.go" <<'GO'
// CoreDNS with only the plugins the e2e node needs: cluster DNS from the API server, nothing forwarded
// beyond the machine.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "errors", "ready", "kubernetes"}
}

func main() {
	coremain.Run()
}
GO
  echo "node: building coredns $COREDNS_VERSION ($(date -u +%H:%M:%S))"
  (cd "$src" && GOFLAGS=-mod=mod go mod tidy && CGO_ENABLED=0 go build -p "$PARALLEL" -trimpath -ldflags "-s -w" -o "$OUT/bin/coredns.tmp" .)
  mv "$OUT/bin/coredns.tmp" "$OUT/bin/coredns"; echo "$COREDNS_VERSION" > "$OUT/bin/coredns.version"
fi

if [[ ! -x "$OUT/bin/local-path-provisioner" || "$(cat "$OUT/bin/local-path-provisioner.version" 2>/dev/null)" != "$LOCAL_PATH_VERSION" ]]; then
  need_go local-path-provisioner
  echo "node: building local-path-provisioner $LOCAL_PATH_VERSION ($(date -u +%H:%M:%S))"
  GOBIN="$OUT/bin" CGO_ENABLED=0 go install -p "$PARALLEL" -trimpath -ldflags "-s -w" \
    "github.com/rancher/local-path-provisioner@$LOCAL_PATH_VERSION"
  echo "$LOCAL_PATH_VERSION" > "$OUT/bin/local-path-provisioner.version"
fi

if [[ ! -s "$OUT/images/pause.tar" || "$HERE/pause.c" -nt "$OUT/images/pause.tar" ]]; then
  command -v gcc >/dev/null || { echo "node: 'gcc' is missing (apt-get install gcc libc6-dev) to build the pause image" >&2; exit 2; }
  gcc -static -Os -o "$OUT/bin/pause" "$HERE/pause.c"
  python3 "$HERE/oci_archive.py" ballot.local/pause:3.10 "$OUT/images/pause.tar" \
    --file "$OUT/bin/pause:/pause" --entrypoint /pause --user 65535:65535
fi
if [[ ! -s "$OUT/images/busybox.tar" ]]; then
  [[ -x /bin/busybox ]] || { echo "node: /bin/busybox is missing (apt-get install busybox-static) for the provisioner's helper image" >&2; exit 2; }
  python3 "$HERE/oci_archive.py" ballot.local/busybox:1 "$OUT/images/busybox.tar" \
    --file /bin/busybox:/bin/busybox --link /bin/sh:busybox --link /bin/mkdir:busybox --link /bin/rm:busybox \
    --entrypoint /bin/sh
fi
echo "node: tools in $OUT ($(( $(date +%s) - start ))s)"
