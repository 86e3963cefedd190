#!/usr/bin/env bash
# Builds versitygw (an Apache-2.0 S3 gateway over a directory: `versitygw posix <dir>`) from its Go module
# (github.com/versity/versitygw, from the Go module proxy) into ~/.cache/ballot/versitygw-<version>/bin/versitygw,
# once, and prints the binary's path on stdout (progress goes to stderr). Nothing is written into the repository.
# The operator's backup tests and the e2e backup-restore scenario use it as a real S3-compatible server
# (MinIO is AGPL: not used). .ci/run calls it before the Maven build.
#
# Env: BALLOT_VERSITYGW_VERSION (default below), BALLOT_CACHE (default ~/.cache/ballot),
#      BALLOT_BUILD_PARALLELISM (go build -p, default 1: the machine is shared).
set -euo pipefail

VGW_VERSION="${BALLOT_VERSITYGW_VERSION:-v1.8.0}"
CACHE_ROOT="${BALLOT_CACHE:-$HOME/.cache/ballot}"
OUT="$CACHE_ROOT/versitygw-$VGW_VERSION"
BIN="$OUT/bin/versitygw"
PARALLEL="${BALLOT_BUILD_PARALLELISM:-1}"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "build-versitygw: 'go' is not on PATH; install Go 1.25+ to build versitygw" >&2; exit 2; }

module=github.com/versity/versitygw
start=$(date +%s)
echo "build-versitygw: building $module/cmd/versitygw@$VGW_VERSION into $OUT/bin ($(date -u +%H:%M:%S))" >&2
mkdir -p "$OUT/bin"
# versitygw stamps its version through ldflags (main.Version), as its Makefile does.
ldflags="-s -w -X=main.Version=$VGW_VERSION -X=main.Build=module"
tmp="$OUT/bin/.install-$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOBIN="$tmp" go install -p "$PARALLEL" -trimpath -ldflags "$ldflags" "$module/cmd/versitygw@$VGW_VERSION" >&2
"$tmp/versitygw" --version >&2 || { echo "build-versitygw: the built binary does not run" >&2; exit 1; }
mv "$tmp/versitygw" "$BIN"
echo "build-versitygw: built versitygw $VGW_VERSION in $(( $(date +%s) - start ))s" >&2
echo "$BIN"
