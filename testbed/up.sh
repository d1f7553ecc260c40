#!/usr/bin/env bash
# Start a throw-away Kubernetes API (etcd + kube-apiserver, loopback only) in DIR, or with --node
# a whole single-node cluster (see node/README.md): the API server then listens on the node's
# bridge address, and kubelet, containerd, kube-controller-manager, kube-scheduler, kube-proxy
# and the cluster DNS run too.
#
#   bash testbed/up.sh DIR        # DIR must not exist or be empty
#   bash testbed/up.sh --node DIR # root only; one node per machine at a time
#   source DIR/env                # (a path with a slash: plain `source env` finds /usr/bin/env) KUBECONFIG, PATH (test bed kubectl first), L5D_TESTBED_* vars
#   bash testbed/down.sh DIR      # stop exactly these processes and remove DIR
#
# Writes:
#   DIR/admin.kubeconfig    cluster-admin (client cert, group system:masters)
#   DIR/limited.kubeconfig  user l5d-limited (client cert, no group): may only get/list
#                           namespaces and nodes plus discovery/version/health endpoints
#   DIR/env                 shell exports (see below); DIR/pids/*.pid; DIR/logs/*.log; DIR/pki/*
#
# Environment:
#   L5D_TESTBED_BIN         bin dir with kube-apiserver, etcd, kubectl (default: build.sh --check)
#   L5D_TESTBED_PARENT_PID  if set, a watchdog runs down.sh DIR once that process exits
#                           (protects against leaked servers when a test runner is SIGKILLed)
#   L5D_TESTBED_TIMEOUT     seconds to wait for readiness (default 90)
#
# There is no kube-controller-manager and no scheduler: nothing creates the `default`
# ServiceAccount or the `kube-root-ca.crt` ConfigMap in new namespaces, no pods are
# scheduled or run, and namespace deletion never finishes (no namespace controller).
# The API server itself does create the `default/kubernetes` Service + EndpointSlice
# and serves TokenRequest/TokenReview.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[testbed/up] %s\n' "$*" >&2; }
die() { printf '[testbed/up] ERROR: %s\n' "$*" >&2; exit 1; }

node=0
if [[ "${1:-}" == --node ]]; then node=1; shift; fi
[[ $# -eq 1 && -n "$1" ]] || die "usage: up.sh [--node] DIR"
t0=$(date +%s%N)
mkdir -p "$1"
dir="$(cd "$1" && pwd)"
[[ "$dir" != *"'"* && "$dir" != *' '* ]] || die "DIR must not contain quotes or spaces: $dir"
[[ -z "$(ls -A "$dir")" ]] || die "DIR is not empty: $dir"
touch "$dir/.l5d-testbed" # marker: down.sh only deletes directories that carry it
mkdir -p "$dir/pki" "$dir/pids" "$dir/logs" "$dir/etcd"
chmod 700 "$dir/pki" "$dir/etcd"

bin="${L5D_TESTBED_BIN:-}"
if [[ -z "$bin" ]]; then
  bin="$(bash "$here/build.sh" --check)" || die "test bed binaries are missing; run: bash testbed/build.sh"
fi
for b in kube-apiserver etcd kubectl; do [[ -x "$bin/$b" ]] || die "missing $bin/$b; run: bash testbed/build.sh"; done
echo "$bin" >"$dir/.bin" # for down.sh, which may run before env is written
api_host=127.0.0.1
if [[ $node -eq 1 ]]; then
  # shellcheck source=node/up-node.sh
  source "$here/node/up-node.sh"
  node_preflight
  node_network_up
  api_host="$NODE_IP"
fi

# On any failure: stop what we started (logs stay in DIR for inspection; down.sh removes it).
started=0
cleanup_on_error() {
  local rc=$?
  [[ $rc -eq 0 ]] && return
  if [[ $started -eq 1 || $node -eq 1 ]]; then
    for f in "$dir"/logs/*.log; do
      [[ -f "$f" ]] && { log "---- last lines of $f"; tail -n 25 "$f" >&2; }
    done
    bash "$here/down.sh" --keep-dir "$dir" >&2 || true
  fi
  log "failed (exit $rc); logs in $dir/logs"
}
trap cleanup_on_error EXIT

# ---- PKI (openssl) ---------------------------------------------------------------
pki="$dir/pki"
ossl() { openssl "$@" 2>>"$dir/logs/openssl.log"; }
ec_key() { ossl ecparam -name prime256v1 -genkey -noout -out "$1"; }
mk_ca() { # mk_ca name cn
  ec_key "$pki/$1.key"
  ossl req -x509 -new -key "$pki/$1.key" -sha256 -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/$1.crt"
}
mk_cert() { # mk_cert ca name subject extfile-lines
  local ca=$1 name=$2 subj=$3 ext=$4
  ec_key "$pki/$name.key"
  ossl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr"
  printf '%b\n' "$ext" >"$pki/$name.ext"
  ossl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial \
    -sha256 -days 3650 -extfile "$pki/$name.ext" -out "$pki/$name.crt"
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}
client_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
mk_ca ca l5d-testbed-ca
mk_ca front-proxy-ca l5d-testbed-front-proxy-ca
mk_cert ca apiserver /CN=kube-apiserver \
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.96.0.1,IP:10.244.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
mk_cert ca admin "/O=system:masters/CN=l5d-admin" "$client_ext"
mk_cert ca limited "/CN=l5d-limited" "$client_ext"
mk_cert front-proxy-ca front-proxy-client /CN=front-proxy-client "$client_ext"
# ServiceAccount token signing key: RSA (RS256), like kubeadm clusters.
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key"
ossl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
chmod 600 "$pki"/*.key
t_pki=$(date +%s%N)

# ---- ports -----------------------------------------------------------------------
free_ports() { # prints N distinct currently-free loopback ports (kernel-assigned)
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("node:net"); const n = Number(process.argv[1]); const s = [];
      const next = () => { if (s.length === n) { console.log(s.map(x => x.address().port).join(" ")); s.forEach(x => x.close()); return; }
        const srv = net.createServer(); srv.listen(0, "127.0.0.1", () => { s.push(srv); next(); }); };
      next();' "$1"
  else
    python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
  fi
}

# Processes are started in their own session (setsid) so terminal signals to the caller's
# process group do not hit them; down.sh stops them by the recorded pid.
spawn() { # spawn name cmd...
  local name=$1; shift
  setsid "$@" </dev/null >>"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
  started=1
}
alive() { kill -0 "$(cat "$dir/pids/$1.pid")" 2>/dev/null; }

timeout_s="${L5D_TESTBED_TIMEOUT:-90}"

# ---- etcd (retry with fresh ports if a port was grabbed in between) ----------------
etcd_url=""
for attempt in 1 2 3; do
  read -r p_client p_peer < <(free_ports 2)
  etcd_url="http://127.0.0.1:$p_client"
  rm -rf "$dir/etcd"; mkdir -m 700 "$dir/etcd"
  spawn etcd "$bin/etcd" --name testbed --data-dir "$dir/etcd" \
    --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "http://127.0.0.1:$p_peer" --initial-advertise-peer-urls "http://127.0.0.1:$p_peer" \
    --initial-cluster "testbed=http://127.0.0.1:$p_peer" --initial-cluster-state new \
    --unsafe-no-fsync --quota-backend-bytes 2147483648 --log-level warn
  ok=0
  for _ in $(seq 1 $((timeout_s * 10))); do
    if ! alive etcd; then break; fi
    if curl -fsS -m 1 "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"'; then ok=1; break; fi
    sleep 0.1
  done
  [[ $ok -eq 1 ]] && break
  log "etcd did not start on ports $p_client/$p_peer (attempt $attempt)"
  kill "$(cat "$dir/pids/etcd.pid")" 2>/dev/null || true
  wait "$(cat "$dir/pids/etcd.pid")" 2>/dev/null || true
done
[[ $ok -eq 1 ]] || die "etcd failed to start; see $dir/logs/etcd.log"
t_etcd=$(date +%s%N)

# ---- kube-apiserver --------------------------------------------------------------
# Admission: verified with `kube-apiserver -h` (v1.34.12) that the default set is
#   NamespaceLifecycle, LimitRanger, ServiceAccount, TaintNodesByCondition, PodSecurity,
#   Priority, DefaultTolerationSeconds, DefaultStorageClass, StorageObjectInUseProtection,
#   PersistentVolumeClaimResize, RuntimeClass, CertificateApproval, CertificateSigning,
#   ClusterTrustBundleAttest, CertificateSubjectRestriction, DefaultIngressClass,
#   PodTopologyLabels, MutatingAdmissionPolicy, MutatingAdmissionWebhook,
#   ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota
# The webhook plugins are listed explicitly anyway to make them a hard requirement.
# ServiceAccount admission is on, so pods need their ServiceAccount to exist.
#
# Without a node, 127.0.0.1 cannot be the kubernetes Service's endpoint (loopback addresses are
# invalid in Endpoints), so no reconciler runs and default/kubernetes has no EndpointSlice (tests
# create one if they need it). With a node, the API server advertises the bridge
# address, its lease reconciler publishes it, and it reaches kubelets with its own client cert.
api_node_flags=(--endpoint-reconciler-type=none)
if [[ $node -eq 1 ]]; then
  api_node_flags=(--endpoint-reconciler-type=lease
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key"
    --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP)
  mk_cert ca apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
fi
api_url=""
for attempt in 1 2 3; do
  read -r p_api < <(free_ports 1)
  api_url="https://$api_host:$p_api"
  spawn kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers="$etcd_url" \
    --bind-address="$api_host" --advertise-address="$api_host" --secure-port="$p_api" \
    --cert-dir="$pki" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy \
    --service-cluster-ip-range=10.96.0.0/16 \
    --allow-privileged=true \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    "${api_node_flags[@]}" \
    --profiling=false --v=1
  ok=0
  for _ in $(seq 1 $((timeout_s * 10))); do
    if ! alive kube-apiserver; then break; fi
    if [[ "$(curl -sS -m 2 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
      "$api_url/readyz" 2>/dev/null)" == ok ]]; then ok=1; break; fi
    sleep 0.2
  done
  [[ $ok -eq 1 ]] && break
  if alive kube-apiserver; then die "kube-apiserver not ready after ${timeout_s}s; see $dir/logs/kube-apiserver.log"; fi
  if ! grep -q 'address already in use' "$dir/logs/kube-apiserver.log"; then
    die "kube-apiserver exited; see $dir/logs/kube-apiserver.log"
  fi
  log "kube-apiserver port $p_api was taken (attempt $attempt), retrying"
  mv "$dir/logs/kube-apiserver.log" "$dir/logs/kube-apiserver.$attempt.log"
done
[[ $ok -eq 1 ]] || die "kube-apiserver failed to start; see $dir/logs/"
t_api=$(date +%s%N)

# ---- kubeconfigs ----------------------------------------------------------------
b64() { base64 -w0 <"$1"; }
write_kubeconfig() { # write_kubeconfig file user cert key
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: l5d-testbed
  cluster:
    server: $api_url
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$3")
    client-key-data: $(b64 "$4")
contexts:
- name: $2@l5d-testbed
  context:
    cluster: l5d-testbed
    user: $2
current-context: $2@l5d-testbed
preferences: {}
EOF
  chmod 600 "$1"
}
write_kubeconfig "$dir/admin.kubeconfig" l5d-admin "$pki/admin.crt" "$pki/admin.key"
write_kubeconfig "$dir/limited.kubeconfig" l5d-limited "$pki/limited.crt" "$pki/limited.key"

# ---- RBAC for the limited user ------------------------------------------------------
# (Discovery, /version and SelfSubjectAccessReview are also granted to every
# authenticated user by the bootstrap roles system:discovery, system:public-info-viewer
# and system:basic-user.)
"$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" apply -f - >>"$dir/logs/setup.log" 2>&1 <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: l5d-testbed-limited
rules:
- apiGroups: [""]
  resources: [namespaces, nodes]
  verbs: [get, list]
- nonResourceURLs: [/version, /version/, /api, /api/*, /apis, /apis/*, /healthz, /livez, /readyz]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: l5d-testbed-limited
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: l5d-testbed-limited
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: l5d-limited
EOF

# ---- watchdog (optional) ------------------------------------------------------------
if [[ -n "${L5D_TESTBED_PARENT_PID:-}" ]]; then
  ppid_watch="$L5D_TESTBED_PARENT_PID"
  kill -0 "$ppid_watch" 2>/dev/null || die "L5D_TESTBED_PARENT_PID=$ppid_watch is not running"
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [[ -e "$2/.l5d-testbed" ]]; do sleep 1; done
    [[ -e "$2/.l5d-testbed" ]] && exec bash "$3/down.sh" "$2"' l5d-testbed-watchdog \
    "$ppid_watch" "$dir" "$here" </dev/null >>"$dir/logs/watchdog.log" 2>&1 &
  echo $! >"$dir/pids/watchdog.pid"
fi

[[ $node -eq 1 ]] && node_up

# ---- env ------------------------------------------------------------------------------
cat >"$dir/env" <<EOF
export L5D_TESTBED_DIR='$dir'
export L5D_TESTBED_BIN='$bin'
export L5D_TESTBED_API_URL='$api_url'
export L5D_TESTBED_ETCD_URL='$etcd_url'
export L5D_TESTBED_ADMIN_KUBECONFIG='$dir/admin.kubeconfig'
export L5D_TESTBED_LIMITED_KUBECONFIG='$dir/limited.kubeconfig'
export L5D_TESTBED_ETCD_PID='$(cat "$dir/pids/etcd.pid")'
export L5D_TESTBED_APISERVER_PID='$(cat "$dir/pids/kube-apiserver.pid")'
export KUBECONFIG='$dir/admin.kubeconfig'
export PATH='$bin':"\$PATH"
EOF

trap - EXIT
t_end=$(date +%s%N)
ms() { echo $(( ($2 - $1) / 1000000 )); }
log "ready: $api_url (pki $(ms "$t0" "$t_pki")ms, etcd $(ms "$t_pki" "$t_etcd")ms, apiserver $(ms "$t_etcd" "$t_api")ms, total $(ms "$t0" "$t_end")ms)"
log "use: source $dir/env && kubectl get ns   |   stop: bash $here/down.sh $dir"
