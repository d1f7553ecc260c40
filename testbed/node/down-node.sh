# Sourced by ../down.sh for a test bed started with --node: stops the node's processes and pods and
# undoes what up-node.sh changed on the host (pod network namespaces, the bridge, iptables chains,
# sysctls, mounts, cgroups), in that order. Uses down.sh's dir, here, bin and stop_recorded.
# shellcheck shell=bash

# shellcheck source=node/constants.sh
source "$here/node/constants.sh"
node_dir="$dir/node"

# The pods' processes: everything in the node's pod cgroups. Stopping pods through the API first
# took half a minute and left nothing less behind: what the CNI plugin would tear down per pod (the
# veth and netns, the IPAM lease under DIR) goes with the netns and the directory anyway.
node_kill_pods() {
  local procs pid
  for procs in /sys/fs/cgroup/pids/kubepods /sys/fs/cgroup/unified/kubepods; do
    [[ -d "$procs" ]] || continue
    for pid in $(find "$procs" -name cgroup.procs -exec cat {} + 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null || true
    done
  done
}

node_remove_cgroups() {
  local root
  for root in /sys/fs/cgroup/*/kubepods; do
    [[ -d "$root" ]] || continue
    find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

node_remove_netns() {
  local ns
  [[ -d /run/netns ]] || return 0
  for ns in $(ls /run/netns); do
    [[ "$ns" == cni-* ]] || continue
    grep -qxF "$ns" "$node_dir/state/netns-before" 2>/dev/null && continue
    ip netns delete "$ns" 2>/dev/null || true
  done
}

node_unmount() {
  local m
  # Deepest first; lazily, in case a dying process still holds one.
  findmnt -rn -o TARGET | grep -F -- "$dir/" | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# kube-proxy's chains (KUBE-SERVICES, …), the kubelet's (KUBE-FIREWALL, KUBE-KUBELET-CANARY, …),
# portmap's (CNI-HOSTPORT-*) and the node's guard, for IPv4 and IPv6: the jumps to them from the
# built-in chains first, then the chains. Only a test bed node makes such chains on this machine.
node_iptables_cleanup() {
  [[ -x "$bin/kube-proxy" ]] && "$bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  local ipt table rule chain
  for ipt in iptables ip6tables; do
    for table in filter nat mangle; do
      "$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-A" && $2 ~ /^(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/ && / -j (KUBE-|CNI-|L5D-NODE)/' |
        while read -r rule; do
          # shellcheck disable=SC2086
          eval "$ipt -w -t $table ${rule/#-A/-D}" 2>/dev/null || true
        done
      for chain in $("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-|L5D-NODE)/ {print $2}'); do
        "$ipt" -w -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-|L5D-NODE)/ {print $2}'); do
        "$ipt" -w -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

node_down() {
  # A start that failed its preflight (another node owns the machine) stops only its own
  # processes: the bridge, cgroups and chains belong to the other node.
  local owner=0 name
  [[ "$(cat "$NODE_OWNER_FILE" 2>/dev/null)" == "$dir" ]] && owner=1
  for name in kubelet kube-proxy coredns kube-scheduler kube-controller-manager; do stop_recorded "$name"; done
  [[ $owner -eq 1 ]] && node_kill_pods
  # The shims carry the containerd socket path on their command line, so pids/ is not needed.
  pkill -KILL -f -- "containerd-shim-runc-v2 .*-address $node_dir/containerd/" 2>/dev/null || true
  stop_recorded containerd
  node_unmount
  [[ $owner -eq 1 ]] || return 0
  node_remove_netns
  node_remove_cgroups
  node_iptables_cleanup
  ip link del "$NODE_BRIDGE" 2>/dev/null || true
  [[ -f "$node_dir/state/ip_forward" ]] && sysctl -qw "net.ipv4.ip_forward=$(cat "$node_dir/state/ip_forward")"
  rm -f "$NODE_OWNER_FILE"
}
