#!/usr/bin/env bash
# Builds helm from its Go module (helm.sh/helm/v3, from the Go module proxy) into
# ~/.cache/ballot/helm-<version>/bin/helm, once, and prints the binary's path on stdout (progress goes to
# stderr). Nothing is written into the repository. HelmChartTest and the e2e helm-install scenario use it;
# .ci/run calls it before the Maven build.
#
# v3.21.4, not v3.22.0 (issue 11: do not use v3.22.0).
# Env: BALLOT_HELM_VERSION (default below), BALLOT_CACHE (default ~/.cache/ballot),
#      BALLOT_BUILD_PARALLELISM (go build -p, default 1: the machine is shared).
set -euo pipefail

HELM_VERSION="${BALLOT_HELM_VERSION:-v3.21.4}"
CACHE_ROOT="${BALLOT_CACHE:-$HOME/.cache/ballot}"
OUT="$CACHE_ROOT/helm-$HELM_VERSION"
BIN="$OUT/bin/helm"
PARALLEL="${BALLOT_BUILD_PARALLELISM:-1}"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "build-helm: 'go' is not on PATH; install Go 1.24+ to build helm" >&2; exit 2; }

major="${HELM_VERSION%%.*}"              # v3.21.4 -> v3
module="helm.sh/helm/$major"
start=$(date +%s)
echo "build-helm: building $module/cmd/helm@$HELM_VERSION into $OUT/bin ($(date -u +%H:%M:%S))" >&2
mkdir -p "$OUT/bin"
# helm stamps its version through ldflags (internal/version); without them `helm version` says "v3.21+unreleased".
ldflags="-s -w -X $module/internal/version.version=$HELM_VERSION -X $module/internal/version.gitTreeState=clean"
tmp="$OUT/bin/.install-$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOBIN="$tmp" go install -p "$PARALLEL" -trimpath -ldflags "$ldflags" "$module/cmd/helm@$HELM_VERSION" >&2
built_version=$("$tmp/helm" version --template '{{.Version}}')
[[ "$built_version" == "$HELM_VERSION" ]] || { echo "build-helm: built helm says $built_version, wanted $HELM_VERSION" >&2; exit 1; }
mv "$tmp/helm" "$BIN"
echo "build-helm: built helm $HELM_VERSION in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
