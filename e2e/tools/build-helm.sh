#!/usr/bin/env bash
# Builds helm from its Go module (helm.sh/helm/v3, from the Go module proxy) into
# ~/.cache/ballot/helm-<version>/bin/helm, once, and prints the binary's path on stdout (progress goes to
# stderr). Nothing is written into the repository. HelmChartTest and the e2e helm-install scenario use it;
# .ci/run calls it before the Maven build.
#
# v3.21.4, not v3.22.0 (issue 11: do not use v3.22.0).
# Env: BALLOT_HELM_VERSION (default below), and lib-gobuild.sh's BALLOT_CACHE, BALLOT_BUILD_PARALLELISM.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-gobuild.sh"

HELM_VERSION="${BALLOT_HELM_VERSION:-v3.21.4}"
BIN_DIR="$(gobuild_bin helm "$HELM_VERSION")"
BIN="$BIN_DIR/helm"

gobuild_needed build-helm "install Go 1.24+ to build helm" "$BIN" "$BIN"

major="${HELM_VERSION%%.*}"              # v3.21.4 -> v3
module="helm.sh/helm/$major"
echo "build-helm: building $module/cmd/helm@$HELM_VERSION into $BIN_DIR ($(date -u +%H:%M:%S))" >&2
# helm stamps its version through ldflags (internal/version); without them `helm version` says "v3.21+unreleased".
gobuild_install "$BIN_DIR" \
  "-s -w -X $module/internal/version.version=$HELM_VERSION -X $module/internal/version.gitTreeState=clean" \
  "$module/cmd/helm@$HELM_VERSION"
built_version=$("$GOBUILD_TMP/helm" version --template '{{.Version}}')
[[ "$built_version" == "$HELM_VERSION" ]] || { echo "build-helm: built helm says $built_version, wanted $HELM_VERSION" >&2; exit 1; }
mv "$GOBUILD_TMP/helm" "$BIN"
gobuild_finish build-helm "helm $HELM_VERSION" "$BIN"
