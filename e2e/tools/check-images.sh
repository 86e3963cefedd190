#!/usr/bin/env bash
# Checks the two OCI archives `mvn -B -Pimage package -DskipTests` builds, and with --run runs them.
#
#   e2e/tools/check-images.sh [--run]
#
# Always (needs skopeo): each archive names the registry-qualified image of this build's version
# (ballot.dev/ballot/{node,operator}:<project version> from the root pom), runs as uid 10001, starts
# /opt/java/bin/java -jar <the program>, is linux/amd64 and stays under its size budget. Prints one line per
# image: name, manifest digest, archive size.
# --run (needs root, containerd, runc): imports both into a private containerd (own socket and state under
# a temp dir, stopped at the end; never the node's containerd) and runs them with a read-only root file
# system and the image's user: the node prints its version and runs a short simulation with violations=0;
# the operator starts its controller and fails only because there is no Kubernetes API server to reach.
set -euo pipefail
cd "$(dirname "$0")/../.."
run=
[[ "${1:-}" == --run ]] && run=1

fail() { echo "check-images: FAIL: $*" >&2; exit 1; }
command -v skopeo >/dev/null || fail "skopeo is missing (apt-get install skopeo)"
command -v python3 >/dev/null || fail "python3 is missing"

# The names the build gives the images, from the root pom (what Jib was told: ballot.node.image etc.).
read -r repository version < <(python3 - <<'PY'
import xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = ET.parse("pom.xml").getroot()
print(root.find("m:properties/m:ballot.image.repository", ns).text, root.find("m:version", ns).text)
PY
)

NODE_TAR=node-image/target/ballot-node-image.tar
OPERATOR_TAR=operator/target/ballot-operator-image.tar
NODE_IMAGE="$repository/node:$version"
OPERATOR_IMAGE="$repository/operator:$version"

check() { # archive image-name program-jar max-mb
  local tar=$1 name=$2 jar=$3 max_mb=$4
  [[ -f "$tar" ]] || fail "$tar is missing: build it with mvn -B -Pimage package -DskipTests"
  python3 - "$tar" "$name" "$jar" "$max_mb" <<'PY'
import json, os, subprocess, sys, tarfile
tar, name, jar, max_mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def fail(msg): sys.exit(f"check-images: FAIL: {tar}: {msg}")
with tarfile.open(tar) as t:
    index = json.load(t.extractfile("index.json"))
manifests = index["manifests"]
if len(manifests) != 1: fail(f"{len(manifests)} manifests in index.json, expected 1")
ref = manifests[0].get("annotations", {}).get("org.opencontainers.image.ref.name")
if ref != name: fail(f"names {ref!r}, expected {name!r} (what deploy/, the chart and the CRD default name)")
def inspect(*args):
    return json.loads(subprocess.run(["skopeo", "inspect", *args, f"oci-archive:{tar}"],
                                     check=True, capture_output=True, text=True).stdout)
image, config = inspect(), inspect("--config")
c = config["config"]
if c.get("User") != "10001:10001": fail(f"user {c.get('User')!r}, expected 10001:10001 (runAsUser in deploy/ and the operator's pods)")
ep = c.get("Entrypoint") or []
if not ep or ep[0] != "/opt/java/bin/java" or ep[-2:] != ["-jar", jar]: fail(f"entrypoint {ep}, expected /opt/java/bin/java ... -jar {jar}")
if "-Djava.io.tmpdir=/tmp" not in ep: fail("entrypoint does not keep temporary files in /tmp (the only writable place)")
if "/tmp" not in (c.get("Volumes") or {}): fail("no /tmp volume")
if (image["Os"], image["Architecture"]) != ("linux", "amd64"): fail(f"platform {image['Os']}/{image['Architecture']}")
size = os.path.getsize(tar)
if size > max_mb * 1024 * 1024: fail(f"{size} bytes, over the budget of {max_mb} MB")
print(f"check-images: ok {name} digest={manifests[0]['digest']} archive={tar} size={size} bytes "
      f"({size / 1048576:.1f} MiB) layers={len(image['Layers'])} user={c['User']}")
PY
}
# Budgets: about 20 MB above today's sizes (node 58 MiB since the etcd API's gRPC stack, operator 67 MiB). An
# unstripped or full JDK, or a duplicated program layer, goes over them.
check "$NODE_TAR" "$NODE_IMAGE" /app/ballot-node.jar 80
check "$OPERATOR_TAR" "$OPERATOR_IMAGE" /app/quarkus-run.jar 90
[[ -n "$run" ]] || exit 0

# ---- --run: the images in a private containerd ---------------------------------------------------------
for tool in containerd ctr runc; do command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install containerd runc)"; done
[[ "$(id -u)" == 0 ]] || fail "--run needs root (containerd)"
dir=$(mktemp -d /tmp/ballot-check-images.XXXXXX)
sock="$dir/containerd.sock"
cat > "$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
EOF
containerd --config "$dir/config.toml" > "$dir/containerd.log" 2>&1 &
containerd_pid=$!
ctr_() { ctr -a "$sock" -n k8s.io "$@"; }
cleanup() {
  for c in ballot-check-node ballot-check-sim ballot-check-operator; do
    ctr_ task kill -s SIGKILL "$c" >/dev/null 2>&1 || true
    ctr_ task rm -f "$c" >/dev/null 2>&1 || true
    ctr_ container rm "$c" >/dev/null 2>&1 || true
  done
  kill "$containerd_pid" 2>/dev/null || true
  wait "$containerd_pid" 2>/dev/null || true
  rm -rf "$dir" 2>/dev/null || { umount -R "$dir/root" 2>/dev/null || true; rm -rf "$dir" || true; }
}
trap cleanup EXIT
for _ in $(seq 1 50); do ctr_ version >/dev/null 2>&1 && break; sleep 0.2; done
ctr_ version >/dev/null 2>&1 || fail "containerd did not start: $(tail -5 "$dir/containerd.log")"

ctr_ images import "$NODE_TAR" >/dev/null
ctr_ images import "$OPERATOR_TAR" >/dev/null
# Listed once, then searched: `ctr ... | grep -q` under pipefail fails whenever grep exits at its first match before
# ctr wrote its last line (SIGPIPE), which failed a CI rehearsal with both images imported.
listed=$(ctr_ images ls -q)
grep -qx "$NODE_IMAGE" <<<"$listed" || fail "containerd lists no $NODE_IMAGE after the import (it lists: $listed)"
grep -qx "$OPERATOR_IMAGE" <<<"$listed" || fail "containerd lists no $OPERATOR_IMAGE after the import (it lists: $listed)"

# ctr run replaces the whole command (entrypoint included): rebuild it from the image's configuration.
entrypoint() { skopeo inspect --config "oci-archive:$1" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["config"]["Entrypoint"]))'; }
node_ep=$(entrypoint "$NODE_TAR")
tmpfs=(--mount type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev)
# shellcheck disable=SC2086
out=$(timeout 60 ctr -a "$sock" -n k8s.io run --rm --read-only "$NODE_IMAGE" ballot-check-node $node_ep --version 2>&1) ||
  fail "node --version: $out"
echo "check-images: node --version: $out"
[[ "$out" == "ballot-node "* ]] || fail "node --version printed '$out'"
# shellcheck disable=SC2086
out=$(timeout 120 ctr -a "$sock" -n k8s.io run --rm --read-only --memory-limit 268435456 "${tmpfs[@]}" "$NODE_IMAGE" \
  ballot-check-sim $node_ep simulate --protocol raft --seeds 3 --steps 1000 2>&1) || fail "node simulate: $out"
echo "check-images: node simulate: $(tail -1 <<<"$out")"
grep -q "violations=0" <<<"$out" || fail "node simulate: $out"

# The operator with its default command, the image's user, a read-only root and only /tmp writable, and no
# Kubernetes API server: it must get as far as starting its controller and then fail on the API server alone.
log="$dir/operator.log"
ctr_ run -d --read-only --memory-limit 536870912 "${tmpfs[@]}" --log-uri "file://$log" "$OPERATOR_IMAGE" ballot-check-operator >/dev/null
pid=$(ctr_ task ls | awk '$1 == "ballot-check-operator" {print $2}')
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "?")
deadline=$((SECONDS + 120))
until grep -q "kubernetes.default.svc" "$log" 2>/dev/null; do
  (( SECONDS < deadline )) || fail "operator: no attempt to reach the API server within 120 s: $(tail -20 "$log")"
  sleep 1
done
grep -q "Starting 'electioncluster' controller" "$log" || fail "operator did not start its controller: $(head -20 "$log")"
if grep -E "Read-only file system|AccessDeniedException|NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError" "$log"; then
  fail "operator: a missing module, library or writable path (above)"
fi
[[ "$uid" == 10001 ]] || fail "operator process runs as uid $uid, expected 10001"
echo "check-images: operator ran as uid $uid on a read-only root: $(grep -m1 -o "Starting 'electioncluster' controller" "$log"), then $(grep -m1 -o 'UnknownHostException: kubernetes.default.svc' "$log") (no API server here)"
echo "check-images: ok, both images run"
