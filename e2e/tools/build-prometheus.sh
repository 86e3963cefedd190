#!/usr/bin/env bash
# Builds Prometheus and promtool from their Go module (github.com/prometheus/prometheus, from the Go module
# proxy) into ~/.cache/ballot/prometheus-<version>/bin/{prometheus,promtool}, once, and prints that bin
# directory on stdout (progress goes to stderr); a second run prints it at once. Nothing is written into the
# repository. The node's PrometheusMetricsTest, the rules' PrometheusRulesTest and the e2e `prometheus`
# scenario use it; .ci/run calls it before the Maven build.
#
# Module v0.316.0 is Prometheus 3.16.0 (Prometheus tags its Go module v0.3MM.P for release 3.MM.P).
# Build tags (Prometheus' own, plugins/plugin_*.go and web/ui/ui.go):
#   remove_all_sd                        only the file, http and static service discovery (what the e2e uses), not the
#                                        twenty cloud SDKs (AWS, Azure, GCE, ...) the default build links in;
#   no `builtinassets`                   the web UI's assets are not embedded (they would need the npm build);
#                                        the HTTP API (/api/v1/...) that the tests and the e2e use is unaffected.
# Env: BALLOT_PROMETHEUS_VERSION (module version, default below), and lib-gobuild.sh's BALLOT_CACHE,
#      BALLOT_BUILD_PARALLELISM.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib-gobuild.sh"

MODULE_VERSION="${BALLOT_PROMETHEUS_VERSION:-v0.316.0}"
BIN="$(gobuild_bin prometheus "$MODULE_VERSION")"
TAGS="remove_all_sd"

gobuild_needed build-prometheus "install Go 1.26.7+ to build Prometheus" "$BIN" "$BIN/prometheus" "$BIN/promtool"

module=github.com/prometheus/prometheus
# v0.316.0 -> 3.16.0: what `prometheus --version` reports (github.com/prometheus/common/version, set by ldflags
# the way Prometheus' own release build does; without them it says "version (branch: , revision: )").
minor_patch="${MODULE_VERSION#v0.}"                 # 316.0
release="${minor_patch:0:1}.$(( 10#${minor_patch:1:2} )).${minor_patch#*.}"
echo "build-prometheus: building $module/cmd/{prometheus,promtool}@$MODULE_VERSION ($release, tags $TAGS) into $BIN ($(date -u +%H:%M:%S))" >&2
gobuild_install "$BIN" \
  "-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=$MODULE_VERSION -X github.com/prometheus/common/version.BuildUser=ballot" \
  -tags "$TAGS" "$module/cmd/prometheus@$MODULE_VERSION" "$module/cmd/promtool@$MODULE_VERSION"
for tool in prometheus promtool; do
  said=$("$GOBUILD_TMP/$tool" --version 2>&1 | sed -n 1p)
  [[ "$said" == *"version $release "* ]] || { echo "build-prometheus: built $tool says '$said', wanted version $release" >&2; exit 1; }
done
mv "$GOBUILD_TMP/promtool" "$BIN/promtool"
mv "$GOBUILD_TMP/prometheus" "$BIN/prometheus"
gobuild_finish build-prometheus "prometheus and promtool $release" "$BIN"
