# Sourced by ../up.sh when it is given --node: the single node's network, PKI, containerd, the
# control-plane controllers, kubelet, kube-proxy and the cluster DNS. Uses up.sh's dir, bin, pki,
# spawn, alive, mk_cert, client_ext, write_kubeconfig, free_ports, log and die.
# shellcheck shell=bash

# shellcheck source=node/constants.sh
source "$here/node/constants.sh"
# shellcheck source=node/down-node.sh
source "$here/node/down-node.sh" # node_iptables_cleanup for a crashed earlier node's chains

node_dir="$dir/node"

node_preflight() {
  [[ $(id -u) -eq 0 ]] || die "--node needs root (kubelet, containerd, bridge and iptables)"
  local b
  for b in kubelet kube-controller-manager kube-scheduler kube-proxy coredns; do
    [[ -x "$bin/$b" ]] || die "missing $bin/$b; run: bash testbed/build.sh"
  done
  for b in containerd containerd-shim-runc-v2 ctr runc iptables conntrack; do
    command -v "$b" >/dev/null || die "missing $b; run: bash scripts/install-system-deps.sh"
  done
  for b in bridge host-local loopback portmap; do
    [[ -x "$NODE_CNI_BIN/$b" ]] || die "missing CNI plugin $NODE_CNI_BIN/$b; run: bash scripts/install-system-deps.sh"
  done
  # One node per machine: the bridge, its address and the cgroup root are machine-wide.
  if [[ -e "$NODE_OWNER_FILE" ]]; then
    local other
    other="$(cat "$NODE_OWNER_FILE")"
    [[ -e "$other/.l5d-testbed" ]] && die "a test bed node already runs in $other (stop it: bash testbed/down.sh $other)"
    rm -f "$NODE_OWNER_FILE"
  fi
  node_iptables_cleanup
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 && die "bridge $NODE_BRIDGE exists but no test bed owns it; remove it: ip link del $NODE_BRIDGE"
  echo "$dir" >"$NODE_OWNER_FILE"
  mkdir -p "$node_dir/state"
  # What the node changes on the host, so down.sh can put it back.
  ls /run/netns 2>/dev/null >"$node_dir/state/netns-before" || true
  sysctl -n net.ipv4.ip_forward >"$node_dir/state/ip_forward"
}

node_network_up() {
  ip link add "$NODE_BRIDGE" type bridge
  ip addr add "$NODE_IP/24" dev "$NODE_BRIDGE"
  ip link set "$NODE_BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1
  # Pods talk to each other, to Services and to the node; nothing they send is forwarded elsewhere,
  # and nothing from elsewhere is forwarded to them.
  iptables -w -N "$NODE_GUARD_CHAIN"
  iptables -w -A "$NODE_GUARD_CHAIN" -s "$NODE_CLUSTER_CIDR" -d "$NODE_CLUSTER_CIDR" -j RETURN
  iptables -w -A "$NODE_GUARD_CHAIN" -s "$NODE_CLUSTER_CIDR" -j DROP
  iptables -w -A "$NODE_GUARD_CHAIN" -d "$NODE_CLUSTER_CIDR" -j DROP
  iptables -w -I FORWARD 1 -m comment --comment "l5d test bed node" -j "$NODE_GUARD_CHAIN"
}

node_pki() {
  local server_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth'
  mk_cert ca kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$client_ext"
  mk_cert ca kubelet-serving "/CN=$NODE_NAME" "$server_ext\nsubjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
  mk_cert ca kube-controller-manager /CN=system:kube-controller-manager "$client_ext"
  mk_cert ca kube-scheduler /CN=system:kube-scheduler "$client_ext"
  mk_cert ca kube-proxy /CN=system:kube-proxy "$client_ext"
  mk_cert ca coredns /CN=l5d-testbed:coredns "$client_ext"
  chmod 600 "$pki"/*.key
  local c
  for c in kubelet kube-controller-manager kube-scheduler kube-proxy coredns; do
    write_kubeconfig "$node_dir/$c.kubeconfig" "$c" "$pki/$c.crt" "$pki/$c.key" # context $c@l5d-testbed
  done
}

wait_for() { # wait_for what seconds command...
  local what=$1 secs=$2
  shift 2
  local i
  for i in $(seq 1 $((secs * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$what not ready after ${secs}s; see $dir/logs/"
}

node_containerd() {
  local c="$node_dir/containerd"
  mkdir -p "$c/root" "$c/state" "$node_dir/cni/net.d" "$node_dir/cni/ipam"
  cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
[grpc]
  address = "$c/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$NODE_PAUSE_IMAGE"
  enable_cdi = false
  # This machine's root may not lower oom_score_adj (no CAP_SYS_RESOURCE over it), which the
  # kubelet asks for its pods (-998 for the sandbox): keep scores no lower than containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$NODE_CNI_BIN"
    conf_dir = "$node_dir/cni/net.d"
EOF
  # host-local keeps its leases in the test bed dir, so nothing is left in /var/lib/cni.
  cat >"$node_dir/cni/net.d/10-l5d.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "l5d-testbed",
  "plugins": [
    {
      "type": "bridge", "bridge": "$NODE_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$node_dir/cni/ipam", "ranges": [[{ "subnet": "$NODE_POD_CIDR", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "0.0.0.0/0" }] }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  spawn containerd containerd --config "$c/config.toml"
  wait_for containerd 30 ctr --address "$c/containerd.sock" version
  NODE_CONTAINERD_SOCK="$c/containerd.sock"
}

# Images come from images/build.sh (no registry is reachable); images/import.sh imports the ones
# listed in L5D_NODE_IMAGES/images.txt, and the pause image must be among them.
node_import_images() {
  local images="${L5D_NODE_IMAGES:-}"
  [[ -n "$images" && -f "$images/images.txt" ]] ||
    die "L5D_NODE_IMAGES must name the directory images/build.sh wrote (with images.txt); got '${images}'"
  L5D_IMAGES_OUT="$images" bash "$here/../images/import.sh" "$NODE_CONTAINERD_SOCK" >>"$dir/logs/images.log" 2>&1 ||
    die "importing the images failed; see $dir/logs/images.log"
  local listed
  listed="$(ctr --address "$NODE_CONTAINERD_SOCK" -n k8s.io images ls -q)"
  grep -qxF "$NODE_PAUSE_IMAGE" <<<"$listed" || die "$NODE_PAUSE_IMAGE is not among the images in $images"
}

node_controllers() {
  local p_kcm p_sched
  read -r p_kcm p_sched < <(free_ports 2)
  spawn kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig="$node_dir/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$node_dir/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$node_dir/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$p_kcm" --leader-elect=false \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --allocate-node-cidrs=true --cluster-cidr="$NODE_CLUSTER_CIDR" --node-cidr-mask-size=24 \
    --service-cluster-ip-range="$NODE_SERVICE_CIDR" --controllers='*,-cloud-node-lifecycle' \
    --profiling=false --v=1
  spawn kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig="$node_dir/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$node_dir/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$node_dir/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$p_sched" --leader-elect=false --profiling=false --v=1
}

node_kubelet() {
  local p_kubelet p_healthz
  read -r p_kubelet p_healthz < <(free_ports 2)
  # Pods resolve through the cluster DNS only; the host's search domains stay out of them.
  printf '# l5d test bed: pods use the cluster DNS (%s) only\n' "$NODE_IP" >"$node_dir/resolv.conf"
  cat >"$node_dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $p_kubelet
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $p_healthz
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$pki/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$pki/kubelet-serving.crt"
tlsPrivateKeyFile: "$pki/kubelet-serving.key"
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: "unix://$NODE_CONTAINERD_SOCK"
clusterDNS: ["$NODE_IP"]
clusterDomain: cluster.local
resolvConf: "$node_dir/resolv.conf"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
maxPods: 60
EOF
  spawn kubelet "$bin/kubelet" --config="$node_dir/kubelet.yaml" --kubeconfig="$node_dir/kubelet.kubeconfig" \
    --root-dir="$node_dir/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
  echo "$p_healthz" >"$node_dir/state/kubelet-healthz-port"
}

node_kube_proxy() {
  local p_healthz p_metrics
  read -r p_healthz p_metrics < <(free_ports 2)
  cat >"$node_dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: "$node_dir/kube-proxy.kubeconfig"}
hostnameOverride: $NODE_NAME
clusterCIDR: $NODE_CLUSTER_CIDR
healthzBindAddress: 127.0.0.1:$p_healthz
metricsBindAddress: 127.0.0.1:$p_metrics
nodePortAddresses: ["$NODE_IP/32"]
iptables: {localhostNodePorts: false, masqueradeAll: false}
conntrack: {maxPerCore: 0, min: 0}
EOF
  spawn kube-proxy "$bin/kube-proxy" --config="$node_dir/kube-proxy.yaml" --v=1
}

node_dns() {
  local p_health p_ready
  read -r p_health p_ready < <(free_ports 2)
  "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" apply -f - >>"$dir/logs/setup.log" 2>&1 <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: l5d-testbed:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: l5d-testbed:coredns
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: l5d-testbed:coredns}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: l5d-testbed:coredns}
EOF
  cat >"$node_dir/Corefile" <<EOF
.:53 {
  bind $NODE_IP
  errors
  health 127.0.0.1:$p_health
  ready 127.0.0.1:$p_ready
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $node_dir/coredns.kubeconfig coredns@l5d-testbed
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  cache 5
}
EOF
  spawn coredns "$bin/coredns" -conf "$node_dir/Corefile"
  echo "$p_ready" >"$node_dir/state/dns-ready-port"
}

node_ready() {
  local k=("$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig")
  wait_for "node $NODE_NAME" "$timeout_s" bash -c \
    "[[ \$(${k[*]} get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
  wait_for "the default ServiceAccount" "$timeout_s" "${k[@]}" get serviceaccount default -n default
  wait_for "the kubernetes EndpointSlice" "$timeout_s" "${k[@]}" get endpointslice kubernetes -n default
  wait_for "cluster DNS" "$timeout_s" curl -fsS -m 1 "http://127.0.0.1:$(cat "$node_dir/state/dns-ready-port")/ready"
}

node_up() {
  local t_start t_end
  t_start=$(date +%s%N)
  node_pki
  node_containerd
  node_import_images
  local t_images
  t_images=$(date +%s%N)
  node_controllers
  node_kubelet
  node_kube_proxy
  node_dns
  node_ready
  t_end=$(date +%s%N)
  log "node $NODE_NAME ready at $NODE_IP (images imported in $(((t_images - t_start) / 1000000))ms, node up in $(((t_end - t_start) / 1000000))ms)"
}
