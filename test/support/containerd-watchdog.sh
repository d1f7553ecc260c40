#!/usr/bin/env bash
# Started by test/support/containerd.ts next to a private containerd: once the test process is gone
# (killed, or crashed before its cleanup ran), removes the containers, the daemon, its shims, the
# mounts and the directory. Everything it kills names the private socket on its command line.
#   containerd-watchdog.sh PARENT_PID DIR ADDRESS
set -u
parent="$1" dir="$2" address="$3"
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
runc_root="$dir/runc/k8s.io"
if [ -d "$runc_root" ]; then
  for id in $(runc --root "$runc_root" list -q 2>/dev/null); do runc --root "$runc_root" delete --force "$id"; done
fi
for proc in /proc/[0-9]*; do
  pid="${proc#/proc/}"
  [ "$pid" = "$$" ] && continue
  tr '\0' '\n' <"$proc/cmdline" 2>/dev/null | grep -qxF -- "$address" && kill -9 "$pid" 2>/dev/null
done
sleep 1
awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r point; do
  umount --lazy "$point"
done
if ! awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
  rm -rf --one-file-system "$dir"
fi
