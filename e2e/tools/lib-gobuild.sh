# Sourced (not run) by build-helm.sh, build-prometheus.sh and build-versitygw.sh: what building a tool from its Go
# module means for all three. Binaries go once into ~/.cache/ballot/<tool>-<version>/bin (a second run finds them
# there); progress goes to stderr, the result the caller wants on stdout. Nothing is written into the repository.
# Env: BALLOT_CACHE (default ~/.cache/ballot), BALLOT_BUILD_PARALLELISM (go build -p, default 1: the machine is
# shared).
set -euo pipefail

GOBUILD_CACHE="${BALLOT_CACHE:-$HOME/.cache/ballot}"
GOBUILD_PARALLEL="${BALLOT_BUILD_PARALLELISM:-1}"

# gobuild_bin TOOL VERSION: the directory the tool's binaries go into.
gobuild_bin() {
  echo "$GOBUILD_CACHE/$1-$2/bin"
}

# gobuild_needed WHO GO_FIX RESULT BINARY...: when every BINARY is already built, prints RESULT and ends the script;
# otherwise there must be a Go toolchain (else exit 2 saying GO_FIX, e.g. "install Go 1.24+ to build helm").
gobuild_needed() {
  local who=$1 fix=$2 result=$3 binary built=true
  shift 3
  for binary in "$@"; do
    [[ -x "$binary" ]] || built=false
  done
  if $built; then
    echo "$result"
    exit 0
  fi
  command -v go >/dev/null || { echo "$who: 'go' is not on PATH; $fix" >&2; exit 2; }
}

# gobuild_install BIN LDFLAGS GO_INSTALL_ARGS...: a static, trimmed `go install` of the packages into a fresh
# directory under BIN, left in GOBUILD_TMP (removed when the script exits) for the caller to check and move into BIN;
# GOBUILD_START is when the build began.
gobuild_install() {
  local bin=$1 ldflags=$2
  shift 2
  GOBUILD_START=$(date +%s)
  GOBUILD_TMP="$bin/.install-$$"
  mkdir -p "$GOBUILD_TMP"
  trap 'rm -rf "$GOBUILD_TMP"' EXIT
  CGO_ENABLED=0 GOBIN="$GOBUILD_TMP" go install -p "$GOBUILD_PARALLEL" -trimpath -ldflags "$ldflags" "$@" >&2
}

# gobuild_finish WHO WHAT RESULT: says how long building WHAT took, and prints RESULT.
gobuild_finish() {
  echo "$1: built $2 in $(( $(date +%s) - GOBUILD_START ))s" >&2
  echo "$3"
}
