#!/usr/bin/env bash
# A real Kubernetes node on this machine, with the control plane of e2e/controlplane:
#   network  a bridge ballot<N> with 10.244.<N>.1/24 (N: the first free block), pods never routed beyond it
#   control plane on 10.244.<N>.1 (so pods reach it through the `kubernetes` Service)
#   containerd (Debian's, its own root/state/socket under <dir>), runc, CNI bridge + host-local + portmap
#   kubelet + kube-proxy (same k8s.io/kubernetes build as the control plane), serving certs from its CA
#   CoreDNS on 10.244.<N>.1:53 (the pods' cluster DNS), local-path-provisioner (the default StorageClass)
#   images imported into containerd's k8s.io namespace: pause, the provisioner's helper, and every
#   archive in BALLOT_NODE_IMAGES (space-separated `archive[=alias,...]`), under its own name and the aliases
# Usage: start.sh [dir]   prints dir; stop with stop.sh dir [--purge]. Runs as root (bridges, mounts, cgroups).
# Writes dir/node.env (BRIDGE, GATEWAY, SUBNET, NODE_NAME, CONTAINERD_ADDRESS, KUBECONFIG, ...) and
# dir/logs/*.log, dir/pids/*.pid.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION="${BALLOT_K8S_VERSION:-v1.34.4}"
CACHE_ROOT="${BALLOT_CACHE:-$HOME/.cache/ballot}"
K8S_BIN="$CACHE_ROOT/k8s-$K8S_VERSION/bin"
TOOLS="$CACHE_ROOT/node-tools"
STATE="${1:-$(mktemp -d /tmp/ballot-node.XXXXXX)}"
mkdir -p "$STATE"/{logs,pids,pki}
STATE="$(cd "$STATE" && pwd)"
NODE_NAME="${BALLOT_NODE_NAME:-ballot-node}"
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

[[ "$(id -u)" == 0 ]] || { echo "node: run as root (it creates a bridge, mounts and cgroups)" >&2; exit 2; }
for tool in containerd ctr runc ip iptables openssl python3; do
  command -v "$tool" >/dev/null || { echo "node: '$tool' is missing (apt-get install containerd runc containernetworking-plugins iproute2 iptables openssl python3)" >&2; exit 2; }
done
[[ -x /usr/lib/cni/bridge ]] || { echo "node: CNI plugins missing in /usr/lib/cni (apt-get install containernetworking-plugins)" >&2; exit 2; }
if [[ -z "${BALLOT_CP_NO_BUILD:-}" ]]; then "$HERE/../controlplane/build.sh" >&2; "$HERE/build.sh" >&2; fi

fail() { echo "node: $*; logs in $STATE/logs" >&2; "$HERE/stop.sh" "$STATE" >&2 || true; exit 1; }
launch() { # name cmd...
  local name=$1; shift
  nohup "$@" > "$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/pids/$name.pid"
}
alive() { kill -0 "$(cat "$STATE/pids/$1.pid")" 2>/dev/null || fail "$1 exited: $(tail -5 "$STATE/logs/$1.log")"; }
wait_for() { # what seconds component cmd...
  local what=$1 secs=$2 comp=$3; shift 3
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [[ -z "$comp" ]] || alive "$comp"
    (( $(date +%s) < deadline )) || fail "$what not within ${secs}s"
    sleep 0.2
  done
}

# ---- network: our own bridge; nothing forwarded between it and any other interface ----------------
N=
routes=$(ip route show)   # searched as a string: `ip ... | grep -q` under pipefail can fail on SIGPIPE
for n in $(seq "${BALLOT_NODE_BLOCK:-1}" 250); do
  grep -q "^10\.244\.$n\.0/24" <<<"$routes" && continue
  ip link add "ballot$n" type bridge 2>/dev/null && { N=$n; break; }
done
[[ -n "$N" ]] || { echo "node: no free bridge ballot1..250 / 10.244.N.0/24" >&2; exit 1; }
BRIDGE="ballot$N"; GATEWAY="10.244.$N.1"; SUBNET="10.244.$N.0/24"
echo "$BRIDGE" > "$STATE/bridge"
ip addr add "$GATEWAY/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
# Service traffic is DNATed on the host and routed back into the bridge (ip_forward); bridged replies must
# pass conntrack (br_netfilter). The mangle rules run before any filter rule (kube-proxy's included) and
# drop whatever would cross between the bridge and another interface.
cat /proc/sys/net/ipv4/ip_forward > "$STATE/ip_forward.before"
echo 1 > /proc/sys/net/ipv4/ip_forward
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null || true
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || fail "br_netfilter is not available (modprobe br_netfilter)"
echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables
iptables -w -t mangle -I FORWARD 1 -i "$BRIDGE" ! -o "$BRIDGE" -j DROP -m comment --comment "ballot e2e: pods stay on this machine"
iptables -w -t mangle -I FORWARD 1 -o "$BRIDGE" ! -i "$BRIDGE" -j DROP -m comment --comment "ballot e2e: pods stay on this machine"

cat > "$STATE/node.env" <<ENV
BRIDGE=$BRIDGE
GATEWAY=$GATEWAY
SUBNET=$SUBNET
NODE_NAME=$NODE_NAME
CONTAINERD_ADDRESS=$STATE/containerd/containerd.sock
KUBECONFIG=$STATE/controlplane/admin.kubeconfig
ENV

# ---- control plane on the bridge address --------------------------------------------------------
tcp=$(date +%s%N)
BALLOT_CP_NO_BUILD=1 BALLOT_APISERVER_ADDRESS="$GATEWAY" "$HERE/../controlplane/start.sh" "$STATE/controlplane" >/dev/null \
  || fail "the control plane did not start"
echo "CONTROLPLANE_MS=$(ms "$tcp")" >> "$STATE/node.env"
CP="$STATE/controlplane"
export KUBECONFIG="$CP/admin.kubeconfig" PATH="$K8S_BIN:$PATH"
API_URL=$(sed -n 's/^APISERVER_URL=//p' "$CP/env")

# ---- certificates from the control plane's CA ------------------------------------------------------
PKI="$STATE/pki"
sign() { # name subject [san]
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [[ -z "${3:-}" ]] || echo "subjectAltName=$3"; } > "$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$CP/pki/ca.crt" -CAkey "$CP/pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null
}
# one certificate for the kubelet as a client (Node authorizer: system:node:<name>) and as the server that
# the API server dials for logs/exec (InternalIP = the bridge address)
sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "IP:$GATEWAY,DNS:$NODE_NAME"
sign kube-proxy "/CN=system:kube-proxy"
kubeconfig() { # file cert
  local f="$STATE/$1.kubeconfig"
  kubectl --kubeconfig "$f" config set-cluster ballot-e2e --server="$API_URL" --certificate-authority="$CP/pki/ca.crt" --embed-certs=true >/dev/null
  kubectl --kubeconfig "$f" config set-credentials "$2" --client-certificate="$PKI/$2.crt" --client-key="$PKI/$2.key" --embed-certs=true >/dev/null
  kubectl --kubeconfig "$f" config set-context ballot-e2e --cluster=ballot-e2e --user="$2" >/dev/null
  kubectl --kubeconfig "$f" config use-context ballot-e2e >/dev/null
}
kubeconfig kubelet kubelet
kubeconfig kube-proxy kube-proxy

# ---- containerd ---------------------------------------------------------------------------------
tct=$(date +%s%N)
CTD="$STATE/containerd"; mkdir -p "$CTD" "$STATE/cni/net.d" "$STATE/cni/ipam"
SOCK="$CTD/containerd.sock"
cat > "$CTD/config.toml" <<TOML
version = 2
root = "$CTD/root"
state = "$CTD/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "ballot.local/pause:3.10"
  # the VM lacks CAP_SYS_RESOURCE: a sandbox must not try to lower its oom_score_adj (REAL-NODE.md trap 1)
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
TOML
cat > "$STATE/cni/net.d/10-ballot.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "$BRIDGE",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$STATE/cni/ipam",
              "ranges": [[{"subnet": "$SUBNET", "rangeStart": "10.244.$N.10", "gateway": "$GATEWAY"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
launch containerd containerd --config "$CTD/config.toml"
ctr_() { ctr --address "$SOCK" -n k8s.io "$@"; }
wait_for "containerd" 30 containerd ctr_ version
import() { # archive [alias...]
  local archive=$1; shift
  local before out imported
  before=$(ctr_ images ls -q)
  out=$(ctr_ images import --all-platforms "$archive" 2>&1) || fail "ctr images import $archive: $out"
  # the name the archive gives its image (containerd's annotation, or the OCI tag Jib writes), plus aliases
  imported=$(comm -13 <(printf '%s\n' "$before" | sort) <(ctr_ images ls -q | sort) | grep -v '^sha256:' | sed -n 1p)   # sed reads it all: no SIGPIPE under pipefail
  [[ -n "$imported" ]] || fail "ctr images import $archive added no named image: $out"
  for n in "$@"; do
    ctr_ images tag --force "$imported" "$n" >/dev/null || fail "cannot tag $imported as $n"
  done
  echo "node: image $imported${*:+ (also $*)} from $(basename "$archive")" >&2
  IMPORTED+=("$imported" "$@")
}
IMPORTED=()
import "$TOOLS/images/pause.tar"
import "$TOOLS/images/busybox.tar"
for spec in ${BALLOT_NODE_IMAGES:-}; do
  archive=${spec%%=*}; aliases=
  [[ "$spec" == *=* ]] && aliases=${spec#*=}
  [[ -s "$archive" ]] || fail "image archive $archive is missing"
  IFS=, read -r -a n <<< "$aliases"
  import "$archive" "${n[@]}"
done
echo "IMAGES=${IMPORTED[*]}" >> "$STATE/node.env"
echo "CONTAINERD_MS=$(ms "$tct")" >> "$STATE/node.env"

# ---- kubelet -------------------------------------------------------------------------------------
# its own cgroup root, so two runs (or a run and a sandbox) do not share /kubepods
CGROOT="/ballot$N"
for h in $(awk '$3 == "cgroup" {print $2}' /proc/mounts); do
  mkdir -p "$h$CGROOT"
  if [[ -e "$h/cpuset.cpus" ]]; then cat "$h/cpuset.cpus" > "$h$CGROOT/cpuset.cpus"; cat "$h/cpuset.mems" > "$h$CGROOT/cpuset.mems"; fi
done
echo "$CGROOT" > "$STATE/cgroup-root"
# The pods' CPU weight as a group: the process provider's JVMs ran at nice 0 among niced builds, each with the
# weight 1024; one cgroup of 1024 for all the pods would give a dozen JVMs less than one such process on a busy
# machine, and elections would churn. BALLOT_NODE_CPU_SHARES tunes it (cgroup v1 cpu.shares).
[[ -e "/sys/fs/cgroup/cpu$CGROOT/cpu.shares" ]] && echo "${BALLOT_NODE_CPU_SHARES:-8192}" > "/sys/fs/cgroup/cpu$CGROOT/cpu.shares"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
KUBELET_PORT=$(free_port)
: > "$STATE/resolv.conf"   # no host search domains or resolvers in pods: cluster DNS only
mkdir -p "$STATE/kubelet"
cat > "$STATE/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $GATEWAY
port: $KUBELET_PORT
readOnlyPort: 0
healthzPort: 0
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $CP/pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROOT
# Kubernetes 1.34 refuses cgroup v1 unless told; this VM has only v1 (REAL-NODE.md trap 4)
failCgroupV1: false
failSwapOn: false
clusterDNS: [$GATEWAY]
clusterDomain: cluster.local
resolvConf: $STATE/resolv.conf
serializeImagePulls: false
# a shared CI disk must not make the node evict the journey's pods
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 4s
# no KUBE-FIREWALL/canary chains in the host's iptables: kube-proxy has what it needs, and stop.sh leaves
# the machine's rules as they were
makeIPTablesUtilChains: false
volumePluginDir: $STATE/kubelet/volume-plugins
YAML
tk=$(date +%s%N)
launch kubelet "$K8S_BIN/kubelet" --config "$STATE/kubelet/config.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
  --root-dir "$STATE/kubelet/root" --cert-dir "$PKI" --node-ip "$GATEWAY" --hostname-override "$NODE_NAME" -v 1

# ---- kube-proxy ----------------------------------------------------------------------------------
launch kube-proxy "$K8S_BIN/kube-proxy" --kubeconfig "$STATE/kube-proxy.kubeconfig" --hostname-override "$NODE_NAME" \
  --proxy-mode iptables --cluster-cidr "$SUBNET" --conntrack-max-per-core 0 \
  --healthz-bind-address "127.0.0.1:$(free_port)" --metrics-bind-address "127.0.0.1:$(free_port)"

# ---- CoreDNS: the pods' resolver, answering the cluster zone only ---------------------------------
DNS_READY=$(free_port)
cat > "$STATE/Corefile" <<CORE
cluster.local:53 in-addr.arpa:53 {
  bind $GATEWAY
  errors
  ready 127.0.0.1:$DNS_READY
  kubernetes cluster.local in-addr.arpa {
    kubeconfig $CP/admin.kubeconfig ballot-e2e
    pods insecure
    ttl 0
  }
}
CORE
launch coredns "$TOOLS/bin/coredns" -conf "$STATE/Corefile"

# ---- local-path-provisioner: the default StorageClass -------------------------------------------
mkdir -p "$STATE/volumes"
kubectl apply -f - >/dev/null <<YAML || fail "cannot apply the provisioner's objects"
apiVersion: v1
kind: Namespace
metadata: {name: local-path-storage}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: local-path-provisioner, namespace: local-path-storage}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
---
apiVersion: v1
kind: ConfigMap
metadata: {name: local-path-config, namespace: local-path-storage}
data:
  config.json: '{"nodePathMap":[{"node":"DEFAULT_PATH_FOR_NON_LISTED_NODES","paths":["$STATE/volumes"]}]}'
  setup: |-
    #!/bin/sh
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |-
    #!/bin/sh
    set -eu
    rm -rf "\$VOL_DIR"
  helperPod.yaml: |-
    apiVersion: v1
    kind: Pod
    metadata:
      name: helper-pod
    spec:
      priorityClassName: system-node-critical
      tolerations:
        - key: node.kubernetes.io/disk-pressure
          operator: Exists
          effect: NoSchedule
      containers:
      - name: helper-pod
        image: ballot.local/busybox:1
        imagePullPolicy: Never
YAML
launch local-path-provisioner "$TOOLS/bin/local-path-provisioner" start --kubeconfig "$CP/admin.kubeconfig" \
  --namespace local-path-storage --service-account-name local-path-provisioner \
  --helper-image ballot.local/busybox:1 --configmap-name local-path-config

# ---- ready: node Ready, DNS synced ---------------------------------------------------------------
wait_for "node $NODE_NAME Ready" 120 kubelet kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
wait_for "CoreDNS ready" 60 coredns python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$DNS_READY/ready', timeout=2)"
alive kube-proxy; alive local-path-provisioner
echo "KUBELET_MS=$(ms "$tk")" >> "$STATE/node.env"
echo "node: $NODE_NAME Ready in $(ms "$t0")ms, API $API_URL, pods on $BRIDGE $SUBNET (state $STATE)" >&2
echo "$STATE"
