#!/usr/bin/env bash
# Builds versitygw (an Apache-2.0 S3 gateway over a directory: `versitygw posix <dir>`) from its Go module
# (github.com/versity/versitygw, from the Go module proxy) into ~/.cache/ballot/versitygw-<version>/bin/versitygw,
# once, and prints the binary's path on stdout (progress goes to stderr). Nothing is written into the repository.
# The operator's backup tests and the e2e backup-restore scenario use it as a real S3-compatible server
# (MinIO is AGPL: not used). .ci/run calls it before the Maven build.
#
# Env: BALLOT_VERSITYGW_VERSION (default below), and lib-gobuild.sh's BALLOT_CACHE, BALLOT_BUILD_PARALLELISM.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-gobuild.sh"

VGW_VERSION="${BALLOT_VERSITYGW_VERSION:-v1.8.0}"
BIN_DIR="$(gobuild_bin versitygw "$VGW_VERSION")"
BIN="$BIN_DIR/versitygw"

gobuild_needed build-versitygw "install Go 1.25+ to build versitygw" "$BIN" "$BIN"

module=github.com/versity/versitygw
echo "build-versitygw: building $module/cmd/versitygw@$VGW_VERSION into $BIN_DIR ($(date -u +%H:%M:%S))" >&2
# versitygw stamps its version through ldflags (main.Version), as its Makefile does.
gobuild_install "$BIN_DIR" "-s -w -X=main.Version=$VGW_VERSION -X=main.Build=module" \
  "$module/cmd/versitygw@$VGW_VERSION"
"$GOBUILD_TMP/versitygw" --version >&2 || { echo "build-versitygw: the built binary does not run" >&2; exit 1; }
mv "$GOBUILD_TMP/versitygw" "$BIN"
gobuild_finish build-versitygw "versitygw $VGW_VERSION" "$BIN"
