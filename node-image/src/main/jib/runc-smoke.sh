#!/usr/bin/env bash
# Runs the image's node under runc: read-only root, uid 10001, 256 MiB memory limit, a single-member
# Raft cluster on the host's loopback (no network namespace), data on a bind-mounted directory.
set -euo pipefail
tar="$1"
work=$(mktemp -d /tmp/ballot-runc-XXXXXX)
cd "$work"
skopeo copy -q "oci-archive:$tar" oci:image:latest
umoci unpack --image image:latest bundle >/dev/null
mkdir -p data etc tmp && chown 10001:10001 data tmp
port=$((20000 + RANDOM % 20000)); peer=$((port + 1))
cat > etc/ballot.yaml <<YAML
raft:
  cluster_id: "runc-test"
  node_id: "node-1"
  listen_address: "127.0.0.1:$peer"
  peers: ["127.0.0.1:$peer"]
  client_address: "127.0.0.1:$port"
YAML
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
p = work + '/bundle/config.json'
c = json.load(open(p))
c['process']['terminal'] = False
c['process']['args'] = c['process']['args'][:-1] + ['run', '--config', '/etc/ballot/ballot.yaml']
c['root']['readonly'] = True
c['linux'].setdefault('resources', {})['memory'] = {'limit': 256 * 1024 * 1024}
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network']
c['mounts'] += [
    {'destination': '/var/lib/ballot', 'type': 'bind', 'source': work + '/data', 'options': ['rbind', 'rw']},
    {'destination': '/tmp', 'type': 'bind', 'source': work + '/tmp', 'options': ['rbind', 'rw']},
    {'destination': '/etc/ballot', 'type': 'bind', 'source': work + '/etc', 'options': ['rbind', 'ro']},
]
json.dump(c, open(p, 'w'), indent=1)
print('process:', c['process']['user'], c['process']['args'])
PY
id="ballot-node-$$"
(cd bundle && runc run -d --console-socket /dev/null "$id" >/dev/null 2>&1 || runc run "$id" > ../node.log 2>&1 &)
for i in $(seq 1 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
echo "readyz: $(curl -s 127.0.0.1:$port/readyz)"
echo "PUT: $(curl -s -X PUT --data hello 127.0.0.1:$port/v1/kv/greeting)"
echo "GET: $(curl -s 127.0.0.1:$port/v1/kv/greeting)"
curl -s 127.0.0.1:$port/v1/status | head -c 300; echo
echo "files written by uid 10001 in the data volume:"; ls -ln data | head
runc kill "$id" TERM || true
for i in $(seq 1 50); do runc state "$id" 2>/dev/null | grep -q '"stopped"' && break; sleep 0.2; done
runc delete -f "$id" 2>/dev/null || true
echo "node log tail:"; tail -n 3 node.log
cd /; rm -rf "$work"
