#!/usr/bin/env bash
# Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler on 127.0.0.1 with freshly
# generated certificates, RBAC authorization and service-account signing keys. All state lives under
# one directory (argument 1, or a new temp dir); stop everything with `stop.sh <dir>`.
#
# Writes into <dir>:
#   admin.kubeconfig        system:masters client certificate
#   env                     APISERVER_URL=..., KUBECONFIG=... (sourceable)
#   pids/*.pid, logs/*.log  one per component; logs/audit.log the ElectionClusters' status writes (JSON lines)
# Needs the binaries from build.sh (it runs it when they are missing) and openssl, kubectl.
#
# BALLOT_APISERVER_ADDRESS (default 127.0.0.1): where the API server listens and what it advertises. The real
# node (e2e/node) sets its bridge's address, so that pods reach it through the `kubernetes` Service.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION="${BALLOT_K8S_VERSION:-v1.34.4}"
BIN="${BALLOT_CACHE:-$HOME/.cache/ballot}/k8s-$K8S_VERSION/bin"
STATE="${1:-$(mktemp -d /tmp/ballot-cp.XXXXXX)}"
mkdir -p "$STATE"/{pki,pids,logs,etcd}
STATE="$(cd "$STATE" && pwd)"

[[ -n "${BALLOT_CP_NO_BUILD:-}" ]] || "$HERE/build.sh" >&2
export PATH="$BIN:$PATH"   # the kubectl built with the control plane, when there is one
for tool in openssl kubectl; do
  command -v "$tool" >/dev/null || { echo "controlplane: '$tool' is missing (apt-get install ${tool/kubectl/kubernetes-client})" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT="${BALLOT_APISERVER_PORT:-$(free_port)}"
KCM_PORT=$(free_port); SCHED_PORT=$(free_port)
API_ADDR="${BALLOT_APISERVER_ADDRESS:-127.0.0.1}"
API_URL="https://$API_ADDR:$API_PORT"
# On loopback no pod can reach the API server, so the `kubernetes` Service gets no endpoints; elsewhere the
# API server keeps them (lease reconciler) and kube-proxy routes 10.0.0.1:443 to it.
RECONCILER=none; [[ "$API_ADDR" == 127.0.0.1 ]] || RECONCILER=lease

# ---- certificates --------------------------------------------------------------------------------
PKI="$STATE/pki"
ossl() { openssl "$@" >/dev/null 2>&1; }
# EC P-256 keys: as good here as RSA and generated in milliseconds
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=ballot-e2e-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
sign() { # name subject [san] [keytype]
  local name=$1 subj=$2 san=${3:-} key=${4:-ec}
  local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
  [[ "$key" == rsa ]] && newkey=(-newkey rsa:2048)
  ossl req "${newkey[@]}" -nodes -subj "$subj" -keyout "$PKI/$name.key" -out "$PKI/$name.csr"
  local ext="$PKI/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi; } > "$ext"
  ossl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 30 -extfile "$ext" -out "$PKI/$name.crt"
}
sign apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$API_ADDR,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
# RSA for the admin: Java clients (fabric8 without BouncyCastle) read PKCS#8 RSA keys but not EC ones
sign admin "/O=system:masters/CN=ballot-admin" "" rsa
sign controller-manager "/CN=system:kube-controller-manager"
sign scheduler "/CN=system:kube-scheduler"
# the API server's client certificate towards kubelets (logs, exec, port-forward)
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
ossl ecparam -genkey -name prime256v1 -noout -out "$PKI/sa.key"
ossl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

kubeconfig() { # file user
  local f="$STATE/$1.kubeconfig" u=$2
  KUBECONFIG="$f" kubectl config set-cluster ballot-e2e --server="$API_URL" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  KUBECONFIG="$f" kubectl config set-credentials "$u" --client-certificate="$PKI/$u.crt" \
    --client-key="$PKI/$u.key" --embed-certs=true >/dev/null
  KUBECONFIG="$f" kubectl config set-context ballot-e2e --cluster=ballot-e2e --user="$u" >/dev/null
  KUBECONFIG="$f" kubectl config use-context ballot-e2e >/dev/null
}
kubeconfig admin admin
kubeconfig controller-manager controller-manager
kubeconfig scheduler scheduler

launch() { # name cmd...
  local name=$1; shift
  nohup "$@" > "$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name.pid"
}
started=$(date +%s%N)

# BALLOT_CP_ETCD_SERVERS (comma-separated URLs): use that etcd API (e.g. a Ballot Raft cluster's) instead of
# starting etcd.
ETCD_SERVERS="${BALLOT_CP_ETCD_SERVERS:-http://127.0.0.1:$ETCD_PORT}"
STORE=kube-apiserver
if [[ -z "${BALLOT_CP_ETCD_SERVERS:-}" ]]; then
STORE="etcd kube-apiserver"
launch etcd "$BIN/etcd" --name ballot-e2e --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "ballot-e2e=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn

# the API server gives up on an etcd that does not answer for a while; start it once etcd listens
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$ETCD_PORT") 2>/dev/null && break; sleep 0.1; done
fi

# BALLOT_CP_ETCD_CAFILE, _CERTFILE, _KEYFILE: that etcd API over TLS with this client certificate (a TLS cluster's).
ETCD_TLS=()
if [[ -n "${BALLOT_CP_ETCD_CAFILE:-}" ]]; then
  ETCD_TLS=(--etcd-cafile "$BALLOT_CP_ETCD_CAFILE" --etcd-certfile "$BALLOT_CP_ETCD_CERTFILE" --etcd-keyfile "$BALLOT_CP_ETCD_KEYFILE")
fi

# An audit log of the ElectionClusters' status writes only, with the object as stored: it tells to the microsecond
# when the API server stored a status (the e2e leader-failover scenarios time the operator by it, not by when a
# watch on a busy machine got round to delivering it). Nothing else is audited.
cat > "$STATE/audit-policy.yaml" <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: RequestResponse
  verbs: [patch, update]
  resources:
  - group: ballot.dev
    resources: [electionclusters/status]
- level: None
POLICY

launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "$ETCD_SERVERS" "${ETCD_TLS[@]}" \
  --bind-address "$API_ADDR" --advertise-address "$API_ADDR" --secure-port "$API_PORT" \
  --endpoint-reconciler-type "$RECONCILER" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --authorization-mode Node,RBAC \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --api-audiences https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.0.0.0/24 \
  --allow-privileged=true \
  --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$STATE/logs/audit.log" --audit-log-format json \
  --profiling=false

cat > "$STATE/env" <<ENV
APISERVER_URL=$API_URL
KUBECONFIG=$STATE/admin.kubeconfig
BALLOT_CP_STATE=$STATE
AUDIT_LOG=$STATE/logs/audit.log
ENV

# Ready when the API server answers /readyz and has created its bootstrap RBAC roles.
deadline=$(( $(date +%s) + ${BALLOT_CP_START_TIMEOUT:-120} ))
until KUBECONFIG="$STATE/admin.kubeconfig" kubectl get --raw /readyz >/dev/null 2>&1 \
   && KUBECONFIG="$STATE/admin.kubeconfig" kubectl get clusterrole system:kube-scheduler >/dev/null 2>&1 \
   && KUBECONFIG="$STATE/admin.kubeconfig" kubectl -n kube-system get configmap extension-apiserver-authentication >/dev/null 2>&1; do
  for c in $STORE; do
    kill -0 "$(cat "$STATE/pids/$c.pid")" 2>/dev/null || { echo "controlplane: $c exited; log tail:" >&2; tail -20 "$STATE/logs/$c.log" >&2; "$HERE/stop.sh" "$STATE" >&2; exit 1; }
  done
  if (( $(date +%s) > deadline )); then
    echo "controlplane: API server not ready in time; see $STATE/logs" >&2; "$HERE/stop.sh" "$STATE" >&2; exit 1
  fi
  sleep 0.5
done
# The controller manager and scheduler start once RBAC's bootstrap roles exist (else they fail to read
# their authentication ConfigMap and exit).
launch kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --service-cluster-ip-range 10.0.0.0/24 \
  --controllers '*,-bootstrapsigner,-tokencleaner,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller'

launch kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false

# The default namespace's ServiceAccount is made by the controller manager; wait so pods can be created.
until KUBECONFIG="$STATE/admin.kubeconfig" kubectl get serviceaccount default -n default >/dev/null 2>&1; do
  for c in kube-controller-manager kube-scheduler; do
    kill -0 "$(cat "$STATE/pids/$c.pid")" 2>/dev/null || { echo "controlplane: $c exited; log tail:" >&2; tail -20 "$STATE/logs/$c.log" >&2; "$HERE/stop.sh" "$STATE" >&2; exit 1; }
  done
  if (( $(date +%s) > deadline )); then
    echo "controlplane: controller manager made no default ServiceAccount; see $STATE/logs" >&2; "$HERE/stop.sh" "$STATE" >&2; exit 1
  fi
  sleep 0.5
done
echo "controlplane: ready in $(( ($(date +%s%N) - started) / 1000000 ))ms at $API_URL (state $STATE)" >&2
echo "$STATE"
