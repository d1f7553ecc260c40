#!/usr/bin/env bash
# Stop a test bed started by up.sh and remove its directory.
#
#   bash testbed/down.sh DIR              # stop processes recorded in DIR/pids, rm -rf DIR
#   bash testbed/down.sh --keep-dir DIR   # stop processes only (keep logs)
#
# Only the pids recorded in DIR/pids are signalled, and only if the process still
# references DIR on its command line (guards against pid reuse). Each recorded process
# is a session/process-group leader (up.sh starts it with setsid), so the whole group
# is signalled: SIGTERM, then SIGKILL after 10s. Idempotent: a missing DIR is success.
set -uo pipefail

keep=0
if [[ "${1:-}" == --keep-dir ]]; then keep=1; shift; fi
[[ $# -eq 1 && -n "$1" ]] || { echo "usage: down.sh [--keep-dir] DIR" >&2; exit 2; }
[[ -d "$1" ]] || exit 0
dir="$(cd "$1" && pwd)"
if [[ ! -e "$dir/.l5d-testbed" ]]; then
  echo "[testbed/down] refusing: $dir is not a test bed directory (no .l5d-testbed marker)" >&2
  exit 1
fi

ours() { # ours PID -> true if PID is alive and its command line mentions DIR
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$dir"
}

pids=()
# Stop the watchdog first (unless we *are* the watchdog), then the API server, then etcd.
for name in watchdog kube-apiserver etcd; do
  f="$dir/pids/$name.pid"
  [[ -f "$f" ]] || continue
  pid="$(cat "$f")"
  [[ "$pid" == "$$" ]] && continue
  if ours "$pid"; then
    # Process group == pid for setsid-started leaders; fall back to the pid alone.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
    # Give the API server a moment before etcd goes away (cleaner shutdown logs).
    if [[ $name == kube-apiserver ]]; then
      for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
    fi
  fi
done

for _ in $(seq 1 100); do
  left=()
  for pid in "${pids[@]}"; do ours "$pid" && left+=("$pid"); done
  [[ ${#left[@]} -eq 0 ]] && break
  sleep 0.1
done
for pid in "${left[@]}"; do
  echo "[testbed/down] pid $pid did not exit after SIGTERM; sending SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
done
for pid in "${left[@]}"; do
  for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
done

if [[ $keep -eq 0 ]]; then
  rm -rf -- "$dir"
fi
exit 0
