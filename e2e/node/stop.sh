#!/usr/bin/env bash
# Stops what start.sh started in <dir> and leaves the machine as it was: every container killed, the pods'
# network namespaces, mounts and cgroups removed, the bridge and its iptables rules deleted, kube-proxy's
# rules cleaned, the control plane stopped. With --purge, deletes <dir>. Safe to run twice.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${1:?usage: stop.sh <state-dir> [--purge]}"
[[ -d "$STATE" ]] || exit 0
STATE="$(cd "$STATE" && pwd)"
K8S_BIN="${BALLOT_CACHE:-$HOME/.cache/ballot}/k8s-${BALLOT_K8S_VERSION:-v1.34.4}/bin"
SOCK="$STATE/containerd/containerd.sock"

stop_pid() { # name [seconds]
  local f="$STATE/pids/$1.pid"; [[ -f "$f" ]] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 $(( ${2:-10} * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
}
for c in local-path-provisioner coredns kube-proxy kubelet; do stop_pid "$c" 5; done

# Containers: kill every task, then drop the network namespaces that belonged to them (found by the
# sandbox processes' netns inode, so another run's namespaces are left alone) and the containers.
if [[ -S "$SOCK" ]] && [[ -f "$STATE/pids/containerd.pid" ]] && kill -0 "$(cat "$STATE/pids/containerd.pid")" 2>/dev/null; then
  ctr_() { timeout 20 ctr --address "$SOCK" -n k8s.io "$@"; }
  inodes=()
  while read -r id pid _; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    ino=$(readlink "/proc/$pid/ns/net" 2>/dev/null | tr -dc '0-9')
    [[ -n "$ino" ]] && inodes+=("$ino")
  done < <(ctr_ tasks ls 2>/dev/null | tail -n +2)
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$id" >/dev/null 2>&1; done
  for id in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$id" >/dev/null 2>&1; done
  for ns in /run/netns/cni-*; do
    [[ -e "$ns" ]] || continue
    ino=$(stat -L -c %i "$ns" 2>/dev/null) || continue
    for mine in "${inodes[@]}"; do
      if [[ "$ino" == "$mine" ]]; then umount "$ns" 2>/dev/null; rm -f "$ns"; fi
    done
  done
fi
stop_pid containerd 10

# Mounts under the state dir (kubelet volumes and its root bind mount, container rootfs), deepest first.
findmnt -rn -o TARGET | grep -F "$STATE/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done

# cgroups of the pods under this run's own cgroup root
if [[ -f "$STATE/cgroup-root" ]]; then
  root=$(cat "$STATE/cgroup-root")
  for h in $(awk '$3 == "cgroup" {print $2}' /proc/mounts); do
    [[ -d "$h$root" ]] && find "$h$root" -depth -type d -exec rmdir {} + 2>/dev/null
  done
fi

# network
if [[ -f "$STATE/bridge" ]]; then
  br=$(cat "$STATE/bridge")
  iptables -w -t mangle -D FORWARD -i "$br" ! -o "$br" -j DROP -m comment --comment "ballot e2e: pods stay on this machine" 2>/dev/null
  iptables -w -t mangle -D FORWARD -o "$br" ! -i "$br" -j DROP -m comment --comment "ballot e2e: pods stay on this machine" 2>/dev/null
  ip link delete "$br" 2>/dev/null
  rm -f "$STATE/bridge"
  if ! grep -q '^ballot[0-9]' <<<"$(ip -br link show type bridge)"; then
    # the last node run on this machine: kube-proxy's chains go, forwarding as it was before
    [[ -x "$K8S_BIN/kube-proxy" ]] && "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1
    # the kubelet's own chains (older runs, or makeIPTablesUtilChains on)
    iptables -w -D INPUT -j KUBE-FIREWALL 2>/dev/null; iptables -w -D OUTPUT -j KUBE-FIREWALL 2>/dev/null
    for t in filter nat mangle; do
      for c in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        iptables -w -t "$t" -F "$c" 2>/dev/null && iptables -w -t "$t" -X "$c" 2>/dev/null
      done
    done
    [[ -f "$STATE/ip_forward.before" ]] && cat "$STATE/ip_forward.before" > /proc/sys/net/ipv4/ip_forward
  fi
fi

"$HERE/../controlplane/stop.sh" "$STATE/controlplane" >/dev/null 2>&1
[[ "${2:-}" == "--purge" ]] && rm -rf "$STATE"
exit 0
