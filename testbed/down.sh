#!/usr/bin/env bash
# Stop a test bed started by up.sh and remove its directory.
#
#   bash testbed/down.sh DIR              # stop processes recorded in DIR/pids, rm -rf DIR
#   bash testbed/down.sh --keep-dir DIR   # stop processes only (keep logs)
#
# Only the pids recorded in DIR/pids are signalled, and only if the process still
# references DIR on its command line (guards against pid reuse). Each recorded process
# is a session/process-group leader (up.sh starts it with setsid), so the whole group
# is signalled: SIGTERM, then SIGKILL after 10s. A node (up.sh --node) is drained and
# everything it changed on the host is undone first (node/down-node.sh). Idempotent: a
# missing DIR is success.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
keep=0
if [[ "${1:-}" == --keep-dir ]]; then keep=1; shift; fi
[[ $# -eq 1 && -n "$1" ]] || { echo "usage: down.sh [--keep-dir] DIR" >&2; exit 2; }
[[ -d "$1" ]] || exit 0
dir="$(cd "$1" && pwd)"
if [[ ! -e "$dir/.l5d-testbed" ]]; then
  echo "[testbed/down] refusing: $dir is not a test bed directory (no .l5d-testbed marker)" >&2
  exit 1
fi
bin="$(cat "$dir/.bin" 2>/dev/null || true)"

ours() { # ours PID -> true if PID is alive and its command line mentions DIR
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$dir"
}

# stop_recorded NAME: SIGTERM the recorded process group, SIGKILL after 10s; waits until it is gone.
stop_recorded() {
  local f="$dir/pids/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ "$pid" == "$$" ]] && return 0
  ours "$pid" || return 0
  # Process group == pid for setsid-started leaders; fall back to the pid alone.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do ours "$pid" || return 0; sleep 0.1; done
  echo "[testbed/down] $1 (pid $pid) did not exit after SIGTERM; sending SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do ours "$pid" || return 0; sleep 0.1; done
}

# The watchdog first (unless we *are* the watchdog), then the node, then the API server before
# etcd (cleaner shutdown logs).
stop_recorded watchdog
if [[ -d "$dir/node" ]]; then
  # shellcheck source=node/down-node.sh
  source "$here/node/down-node.sh"
  node_down
fi
stop_recorded kube-apiserver
stop_recorded etcd

if [[ $keep -eq 0 ]]; then
  rm -rf -- "$dir"
fi
exit 0
