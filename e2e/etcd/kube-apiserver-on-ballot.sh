#!/usr/bin/env bash
# Kubernetes on Ballot: three Ballot Raft nodes serve the etcd v3 API on 127.0.R.{1,2,3}; a kube-apiserver
# (with controller manager and scheduler, e2e/controlplane/start.sh) uses them as --etcd-servers. kubectl
# creates, gets and watches through a SIGKILL of the Ballot leader and its restart.
# Prints: scenario kube-apiserver-on-ballot result=pass|fail ...   Exit 0 on pass.
# Needs: node-image/target/ballot-node.jar (mvn -pl engine,etcd-api,node-image -am package -DskipTests),
# the control plane binaries (e2e/controlplane/build.sh), etcdctl (apt-get install etcd-client).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${BALLOT_NODE_JAR:-$ROOT/node-image/target/ballot-node.jar}"
K8S_VERSION="${BALLOT_K8S_VERSION:-v1.34.4}"
export PATH="${BALLOT_CACHE:-$HOME/.cache/ballot}/k8s-$K8S_VERSION/bin:$PATH"
WORK="$(mktemp -d /tmp/ballot-kube-on-ballot.XXXXXX)"
export ETCDCTL_API=3
[[ -f "$JAR" ]] || { echo "kube-on-ballot: $JAR missing; build it first" >&2; exit 2; }

NET="127.0.$(( RANDOM % 200 + 20 ))"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP=$(port); PEER=$(port); ETCD=$(port)
EP="http://$NET.1:$ETCD,http://$NET.2:$ETCD,http://$NET.3:$ETCD"
start_node() {
  nohup java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" run --config "$WORK/node-$1.yaml" \
    >> "$WORK/node-$1.log" 2>&1 &
  echo $! > "$WORK/node-$1.pid"
  disown   # no "Killed" job notices when the scenario kills it
}
for i in 1 2 3; do
  cat > "$WORK/node-$i.yaml" <<Y
raft:
  cluster_id: "kube-on-ballot"
  node_id: "node-$i"
  listen_address: "$NET.$i:$PEER"
  peers: ["$NET.1:$PEER", "$NET.2:$PEER", "$NET.3:$PEER"]
  client_address: "$NET.$i:$HTTP"
  etcd_address: "$NET.$i:$ETCD"
  data_dir: "$WORK/data-$i"
  # Slower elections than the seed's 150-300 ms: on a shared 2-core machine (load 30-60) those changed
  # leaders every few seconds, and a write in flight at a leader change fails with "leader changed".
  election_timeout_min: "${BALLOT_ELECTION_MIN:-500ms}"
  election_timeout_max: "${BALLOT_ELECTION_MAX:-1000ms}"
  heartbeat_interval: "${BALLOT_HEARTBEAT:-100ms}"
Y
  start_node "$i"
done
CP=""
PASSED=""
cleanup() {
  [[ -n "$CP" ]] && "$ROOT/e2e/controlplane/stop.sh" "$CP" >/dev/null 2>&1
  for i in 1 2 3; do kill -9 "$(cat "$WORK/node-$i.pid")" 2>/dev/null || true; done
  if [[ -n "$PASSED" ]]; then rm -rf "$WORK"; else echo "kube-on-ballot: logs kept in $WORK" >&2; fi
}
trap cleanup EXIT
leader() { etcdctl --endpoints="$EP" --dial-timeout=1s --command-timeout=2s endpoint status -w json 2>/dev/null | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    s = e["Status"]
    if s["leader"] == s["header"]["member_id"]: print(s["leader"]); break'; }
for _ in $(seq 1 120); do
  [[ -n "$(leader)" ]] && break
  for i in 1 2 3; do kill -0 "$(cat "$WORK/node-$i.pid")" 2>/dev/null \
    || { echo "scenario kube-apiserver-on-ballot result=fail reason=node-$i-exited work=$WORK"; tail -2 "$WORK/node-$i.log"; exit 1; }; done
  sleep 0.5
done
[[ -n "$(leader)" ]] || { echo "scenario kube-apiserver-on-ballot result=fail reason=no-ballot-leader work=$WORK"; exit 1; }

CP="$WORK/cp"
t0=$(date +%s%N)
BALLOT_CP_ETCD_SERVERS="$EP" BALLOT_CP_NO_BUILD=1 BALLOT_CP_START_TIMEOUT=180 "$ROOT/e2e/controlplane/start.sh" "$CP" >/dev/null
started_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
export KUBECONFIG="$CP/admin.kubeconfig"
fail() { echo "scenario kube-apiserver-on-ballot result=fail reason=$1 work=$WORK"; exit 1; }

kubectl create namespace demo >/dev/null
kubectl -n demo create deployment web --image=nginx --replicas=2 >/dev/null
timeout 120 kubectl -n demo get configmaps -w -o name > "$WORK/watch.out" 2>&1 &
WATCH=$!
kubectl -n demo create configmap before --from-literal=k=v >/dev/null
for _ in $(seq 1 60); do [[ "$(kubectl -n demo get pods -o name | wc -l)" -ge 2 ]] && break; sleep 0.5; done
[[ "$(kubectl -n demo get pods -o name | wc -l)" -ge 2 ]] || fail "controllers-made-no-pods"

old=$(leader)
tk=$(date +%s%N)
kill -9 "$(cat "$WORK/node-$old.pid")"
created=""
for i in $(seq 1 100); do
  if kubectl -n demo create configmap during --from-literal=k=v >/dev/null 2>"$WORK/kerr"; then created=1; break; fi
  grep -q AlreadyExists "$WORK/kerr" && { created=1; break; }   # an earlier attempt committed
  sleep 0.2
done
[[ -n "$created" ]] || fail "no-create-after-leader-kill"
unavailable_ms=$(( ($(date +%s%N) - tk) / 1000000 ))
kubectl -n demo get configmap during -o name >/dev/null || fail "get-after-kill"
start_node "$old"
for _ in $(seq 1 60); do etcdctl --endpoints="http://$NET.$old:$ETCD" endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
kubectl -n demo create configmap after --from-literal=k=v >/dev/null || fail "create-after-restart"
new=$(leader)
for _ in $(seq 1 40); do grep -q "configmap/after" "$WORK/watch.out" && break; sleep 0.25; done
kill "$WATCH" 2>/dev/null || true
for cm in before during after; do
  n=$(grep -c "^configmap/$cm\$" "$WORK/watch.out" || true)
  [[ "$n" == 1 ]] || fail "watch-saw-$cm-$n-times"
done
# Consistent lists served from the watch cache (they need progress requests answered by the etcd API).
cache_reads=$(kubectl get --raw /metrics 2>/dev/null | awk '/^apiserver_watch_cache_consistent_read_total/ && /fallback="false"/ && /success="true"/ {n += $NF} END {print n + 0}')
echo "scenario kube-apiserver-on-ballot result=pass apiserver_ready_ms=$started_ms killed_leader=node-$old new_leader=node-$new create_after_kill_ms=$unavailable_ms pods=$(kubectl -n demo get pods -o name | wc -l) watch_lines=$(wc -l < "$WORK/watch.out") consistent_reads_from_cache=$cache_reads"
PASSED=1
