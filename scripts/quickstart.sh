#!/usr/bin/env bash
# l5d quick start: the Linkerd getting-started flow, end to end, on a throw-away local cluster.
#
#   bash scripts/quickstart.sh
#
# Starts a local Kubernetes API (etcd + kube-apiserver on 127.0.0.1, see testbed/README.md),
# installs the l5d control plane manifests into it, injects the emojivoto demo app, runs the
# identity and destination controllers against it (out of cluster, as their pods would run), and
# shows them at work: a workload certificate from Identity.Certify and live endpoints from
# Destination.Get. Then it removes everything it started.
#
# Unattended (never reads stdin; fine with CI=true), idempotent, and leaves nothing running: an
# EXIT trap stops the controllers and the cluster and deletes the work directory.
#
# Environment:
#   L5D_QUICKSTART_SKIP_BUILD=1  skip `npm ci` and `npm run build` (the caller has built l5d)
#   NO_COLOR=1                   plain output (also plain when stdout is not a terminal)
#
# The local cluster has no kubelet, scheduler or kube-controller-manager. Where those would act,
# scripts/quickstart/stand-in.ts does their part for the demo namespace, and says so.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
exec </dev/null

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' red=$'\e[31m' reset=$'\e[0m'
else
  bold='' dim='' green='' red='' reset=''
fi

t_start=$(date +%s%N)
step_no=0
step_names=()
step_ms=()
t_step=$t_start
step() {
  finish_step
  step_no=$((step_no + 1))
  step_names+=("$1")
  printf '\n%s== %d. %s ==%s\n' "$bold" "$step_no" "$1" "$reset"
}
finish_step() {
  local now
  now=$(date +%s%N)
  if [[ $step_no -gt 0 ]]; then step_ms+=($(((now - t_step) / 1000000))); fi
  t_step=$now
}
say() { printf '%s\n' "$*"; }
# Prints a command the way a tutorial shows it, then runs it in this shell (pipes and all).
run() {
  printf '%s$ %s%s\n' "$dim" "$1" "$reset"
  eval "$1"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/l5d-quickstart.XXXXXX")"
cluster="$work/cluster"
controller_pids=()
watch_pid=""
watchdog_pid=""

cleanup() {
  local rc=$?
  set +e
  if [[ $rc -eq 130 || $rc -eq 143 ]]; then
    printf '\n%sThe quick start was interrupted.%s\n' "$red" "$reset" >&2
  elif [[ $rc -ne 0 ]]; then
    printf '\n%sThe quick start failed (exit %d).%s\n' "$red" "$rc" "$reset" >&2
    for log in "$work"/logs/*.log; do
      [[ -f "$log" ]] || continue
      printf -- '---- last lines of %s\n' "${log#"$work"/}" >&2
      tail -n 20 "$log" >&2
    done
  fi
  printf '\n%s== Cleaning up ==%s\n' "$bold" "$reset"
  [[ -n "$watch_pid" ]] && kill "$watch_pid" 2>/dev/null
  for pid in "${controller_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null && printf 'stopped controller pid %s\n' "$pid"
  done
  for pid in "${controller_pids[@]}"; do wait "$pid" 2>/dev/null; done
  [[ -n "$watchdog_pid" ]] && kill "$watchdog_pid" 2>/dev/null
  if [[ -d "$cluster" ]]; then
    printf '%s$ bash testbed/down.sh %s%s\n' "$dim" "$cluster" "$reset"
    bash "$repo/testbed/down.sh" "$cluster"
  fi
  rm -rf "$work"
  printf 'removed %s\n' "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Loopback ports the kernel reports free right now.
free_ports() {
  node -e '
    const net = require("node:net"); const n = Number(process.argv[1]); const s = [];
    const next = () => { if (s.length === n) { console.log(s.map((x) => x.address().port).join(" ")); s.forEach((x) => x.close()); return; }
      const srv = net.createServer(); srv.listen(0, "127.0.0.1", () => { s.push(srv); next(); }); };
    next();' "$1"
}

# Waits for a controller's admin server to answer /ready with 200.
wait_ready() { # wait_ready NAME PID PORT
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || { say "$1 exited; see its log above"; return 1; }
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$3/ready" || true)" == 200 ]] && {
      say "$1 is ready (admin: http://127.0.0.1:$3/ready)"
      return 0
    }
    sleep 0.1
  done
  say "$1 was not ready after 30s"
  return 1
}

# A kubeconfig for a ServiceAccount, from a TokenRequest: the credentials a pod running as that
# ServiceAccount would get from its projected token volume.
sa_kubeconfig() { # sa_kubeconfig NAMESPACE SERVICEACCOUNT FILE
  local token
  token="$(kubectl create token "$2" -n "$1" --duration=1h)"
  kubectl config set-cluster local --server="$L5D_TESTBED_API_URL" \
    --certificate-authority="$cluster/pki/ca.crt" --embed-certs=true --kubeconfig="$3" >/dev/null
  kubectl config set-credentials "$2" --token="$token" --kubeconfig="$3" >/dev/null
  kubectl config set-context "$2" --cluster=local --user="$2" --namespace="$1" --kubeconfig="$3" >/dev/null
  kubectl config use-context "$2" --kubeconfig="$3" >/dev/null
}

# Words for a shell command line, quoted only where needed.
shell_words() {
  local out=() w
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=,@+-]+$ ]]; then out+=("$w"); else out+=("'${w//\'/\'\\\'\'}'"); fi
  done
  printf '%s' "${out[*]}"
}

# The container args of a Deployment in the cluster, one per line.
container_args() { # container_args NAMESPACE DEPLOYMENT CONTAINER
  kubectl get deployment "$2" -n "$1" \
    -o jsonpath="{range .spec.template.spec.containers[?(@.name==\"$3\")].args[*]}{@}{\"\\n\"}{end}"
}

# ---------------------------------------------------------------------------------------------
step 'Prepare: system packages, l5d, and the local Kubernetes binaries'
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [[ "$node_major" -lt 20 ]]; then
  say 'l5d needs Node.js 20.19 or newer (with npm) on PATH; install it first, e.g. from https://nodejs.org/'
  exit 1
fi
run 'bash scripts/install-system-deps.sh'
if [[ "${L5D_QUICKSTART_SKIP_BUILD:-}" == 1 ]]; then
  say 'L5D_QUICKSTART_SKIP_BUILD=1: using the l5d build in dist/ as it is'
else
  # node_modules is current when it was installed from this exact package-lock.json.
  stamp="node_modules/.l5d-package-lock.sha256"
  lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
    say 'node_modules matches package-lock.json: skipping npm ci'
  elif [[ ! -f "$stamp" && node_modules/.package-lock.json -nt package-lock.json ]]; then
    # Installed by npm after the last lockfile change (npm's own freshness rule): record it.
    say 'node_modules is newer than package-lock.json: skipping npm ci'
    echo "$lock_hash" >"$stamp"
  else
    run 'npm ci --no-audit --no-fund'
    echo "$lock_hash" >"$stamp"
  fi
  run 'npm run build'
fi
run 'testbed_bin="$(bash testbed/build.sh | tail -n 1)"'
say "Kubernetes binaries: $testbed_bin"

# Shims, so that the commands shown are the commands run.
mkdir -p "$work/bin" "$work/logs"
printf '#!/bin/sh\nexec node %q/bin/run.js "$@"\n' "$repo" >"$work/bin/l5d"
printf '#!/bin/sh\nexec node --import tsx %q/scripts/quickstart/stand-in.ts "$@"\n' "$repo" >"$work/bin/kube-stand-in"
printf '#!/bin/sh\nexec node --import tsx %q/scripts/quickstart/demo-client.ts "$@"\n' "$repo" >"$work/bin/demo-client"
chmod +x "$work/bin"/*
export PATH="$work/bin:$PATH"

# ---------------------------------------------------------------------------------------------
step 'Start a local Kubernetes cluster (etcd + kube-apiserver on 127.0.0.1)'
export L5D_TESTBED_BIN="$testbed_bin"
# If this script is killed outright, the cluster's watchdog stops the cluster.
export L5D_TESTBED_PARENT_PID=$$
run "bash testbed/up.sh $cluster"
run "source $cluster/env   # KUBECONFIG=$cluster/admin.kubeconfig, the cluster's kubectl first on PATH"
run 'kubectl version'
say
say 'This cluster runs no kubelet, scheduler or controller-manager. One thing the API server itself'
say 'would publish is missing too: the default/kubernetes EndpointSlice (its real address, 127.0.0.1,'
say 'is not allowed in an EndpointSlice). `l5d install` checks that EndpointSlices exist, so publish it'
say 'with the Service IP as a stand-in address:'
run "kubectl apply -f - <<'EOF'
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kubernetes, namespace: default, labels: {kubernetes.io/service-name: kubernetes}}
addressType: IPv4
endpoints: [{addresses: [10.96.0.1]}]
ports: [{name: https, port: 6443, protocol: TCP}]
EOF"

# ---------------------------------------------------------------------------------------------
step 'Install the control plane with the l5d CLI'
run 'l5d version'
say
say 'Linkerd needs the Gateway API CRDs, and this new cluster has none. l5d bundles them (Gateway API'
say 'v1.1.1, as Linkerd does): install them together with the Linkerd CRDs.'
run 'l5d install --crds --set installGatewayAPI=true | kubectl apply --server-side -f -'
say
say 'Check that the cluster is ready for the control plane. (The "latest version" check asks the npm'
say 'registry; without network access it only warns.)'
run 'l5d check --pre'
run 'l5d install | kubectl apply --server-side -f -'
run 'l5d version'

# ---------------------------------------------------------------------------------------------
step 'Inject the emojivoto demo app'
run 'l5d inject examples/emojivoto.yml | kubectl apply -f -'
run "kubectl get deployments -n emojivoto -o custom-columns='DEPLOYMENT:.metadata.name,INJECT:.spec.template.metadata.annotations.linkerd\\.io/inject'"

# ---------------------------------------------------------------------------------------------
step 'Play the missing kubelet and controllers for emojivoto'
say 'ReplicaSets would create the pods and the proxy-injector webhook would add the linkerd-proxy'
say 'container; `l5d inject --manual` renders the same sidecar. Nothing here pulls images or runs'
say 'containers: the stand-in reports the pods Running with addresses from 10.244.0.0/16 (data only),'
say 'and publishes the EndpointSlices the EndpointSlice controller would.'
run 'kube-stand-in pods emojivoto | l5d inject --manual - | kubectl apply -f -'
run 'kube-stand-in start emojivoto'
run 'kube-stand-in endpointslices emojivoto | kubectl apply -f -'
run "kubectl get pods -n emojivoto -o custom-columns='POD:.metadata.name,STATUS:.status.phase,IP:.status.podIP,CONTAINERS:.spec.containers[*].name,INIT-CONTAINERS:.spec.initContainers[*].name'"
run 'kubectl get endpointslices -n emojivoto'

# ---------------------------------------------------------------------------------------------
step 'Run the identity and destination controllers against the cluster'
say 'As their pods would: the args of the installed Deployments, the issuer Secret and trust-roots'
say 'ConfigMap as mounted files, and the ServiceAccount credentials of linkerd-identity and'
say 'linkerd-destination. Only the listen addresses change, to loopback ports.'
mkdir -p "$work/identity/issuer" "$work/identity/trust-roots"
run "kubectl get secret linkerd-identity-issuer -n linkerd -o jsonpath='{.data.crt\\.pem}' | base64 -d >$work/identity/issuer/crt.pem"
run "kubectl get secret linkerd-identity-issuer -n linkerd -o jsonpath='{.data.key\\.pem}' | base64 -d >$work/identity/issuer/key.pem"
run "kubectl get configmap linkerd-identity-trust-roots -n linkerd -o jsonpath='{.data.ca-bundle\\.crt}' >$work/identity/trust-roots/ca-bundle.crt"
run "openssl x509 -in $work/identity/issuer/crt.pem -noout -subject -issuer -enddate"
for sa in linkerd-identity linkerd-destination; do
  run "sa_kubeconfig linkerd $sa $work/$sa.kubeconfig"
done

read -r identity_port identity_admin_port destination_port destination_admin_port < <(free_ports 4)
mapfile -t identity_args < <(container_args linkerd linkerd-identity identity)
mapfile -t destination_args < <(container_args linkerd linkerd-destination destination)
[[ ${#identity_args[@]} -gt 0 && ${#destination_args[@]} -gt 0 ]] || { say 'cannot read the controllers args'; exit 1; }

run "node bin/l5d-controller.js $(shell_words "${identity_args[@]}") \\
    -kubeconfig=$work/linkerd-identity.kubeconfig \\
    -issuer=$work/identity/issuer -trust-anchors=$work/identity/trust-roots/ca-bundle.crt \\
    -addr=127.0.0.1:$identity_port -admin-addr=127.0.0.1:$identity_admin_port \\
    >$work/logs/identity.log 2>&1 &"
controller_pids+=($!)
run "node bin/l5d-controller.js $(shell_words "${destination_args[@]}") \\
    -kubeconfig=$work/linkerd-destination.kubeconfig \\
    -addr=127.0.0.1:$destination_port -metrics-addr=127.0.0.1:$destination_admin_port \\
    >$work/logs/destination.log 2>&1 &"
controller_pids+=($!)
# Should this script be killed outright, stop the controllers with it.
bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; shift; kill "$@" 2>/dev/null' \
  quickstart-watchdog $$ "${controller_pids[@]}" &
watchdog_pid=$!
wait_ready identity "${controller_pids[0]}" "$identity_admin_port"
wait_ready destination "${controller_pids[1]}" "$destination_admin_port"

# ---------------------------------------------------------------------------------------------
step 'Watch the control plane work: a workload identity, and service discovery'
say 'The web pod'"'"'s proxy would certify with its ServiceAccount token (audience identity.l5d.io):'
run "kubectl create token web -n emojivoto --audience identity.l5d.io >$work/web.token"
run "demo-client certify --addr 127.0.0.1:$identity_port \\
    --identity web.emojivoto.serviceaccount.identity.linkerd.cluster.local \\
    --token-file $work/web.token --trust-anchors $work/identity/trust-roots/ca-bundle.crt"
say
web_pod="$(kubectl get pods -n emojivoto -l app=web-svc -o jsonpath='{.items[0].metadata.name}')"
say 'Then it would ask the destination controller where emoji-svc is, and keep listening:'
run "demo-client watch --addr 127.0.0.1:$destination_port \\
    --authority emoji-svc.emojivoto.svc.cluster.local:8080 \\
    --context '{\"ns\":\"emojivoto\",\"nodeName\":\"\",\"pod\":\"$web_pod\"}' \\
    --expect 2 --ready-file $work/watch.ready --timeout-seconds 30 &"
watch_pid=$!
for _ in $(seq 1 300); do
  [[ -f "$work/watch.ready" ]] && break
  kill -0 "$watch_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -f "$work/watch.ready" ]] || { say 'the Destination.Get watch did not start'; exit 1; }
say
say 'Scale emoji to two replicas; the stand-in starts the new pod and updates the EndpointSlice:'
run 'kubectl scale deployment emoji -n emojivoto --replicas=2'
run 'kube-stand-in pods emojivoto | l5d inject --manual - | kubectl apply -f -'
run 'kube-stand-in start emojivoto'
run 'kube-stand-in endpointslices emojivoto | kubectl apply -f -'
wait "$watch_pid"

# ---------------------------------------------------------------------------------------------
step 'The data plane'
if [[ -f bin/l5d-proxy.cjs && -d dist/runtime/proxy ]]; then
  say 'The l5d proxy is built (bin/l5d-proxy.cjs). This quick start does not run it yet. Its end-to-end'
  say 'tests run meshed "pods" in network namespaces (root needed), with proxies certified by the'
  say 'identity controller and routed by the destination controller on this kind of local cluster:'
  say '    npm run test:dataplane'
else
  say 'data plane: the l5d proxy is not built (bin/l5d-proxy.cjs and dist/runtime/proxy); this quick'
  say 'start covers the CLI and the control plane.'
fi

# ---------------------------------------------------------------------------------------------
step 'Check the installation'
say 'The default `l5d check` expects the control-plane pods to run, which needs a kubelet. The CRD'
say 'checks are meaningful here:'
run 'l5d check --crds'

finish_step
total_ms=$((($(date +%s%N) - t_start) / 1000000))
printf '\n%s== Summary ==%s\n' "$bold" "$reset"
for i in "${!step_names[@]}"; do
  printf '  %2d. %-75s %6.1fs\n' $((i + 1)) "${step_names[$i]}" "$(awk "BEGIN{print ${step_ms[$i]}/1000}")"
done
printf '%sQuick start complete in %.1fs (before cleanup).%s\n' "$green" "$(awk "BEGIN{print $total_ms/1000}")" "$reset"
