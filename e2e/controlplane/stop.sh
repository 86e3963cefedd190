#!/usr/bin/env bash
# Stops what start.sh started in <dir> (SIGTERM, then SIGKILL after 10 s) and, with --purge, deletes <dir>.
set -uo pipefail
STATE="${1:?usage: stop.sh <state-dir> [--purge]}"
for c in kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f="$STATE/pids/$c.pid"; [[ -f "$f" ]] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
done
[[ "${2:-}" == "--purge" ]] && rm -rf "$STATE"
exit 0
