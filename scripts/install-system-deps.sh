#!/usr/bin/env bash
# Installs the Debian packages the build and the test suites need; a no-op when all are present.
set -euo pipefail
# The test bed's node: containerd, runc and the CNI plugins from Debian, conntrack for kube-proxy.
packages=(iptables iproute2 tcpdump openssl g++ make python3 procps psmisc curl ca-certificates util-linux
  containerd runc containernetworking-plugins conntrack)
missing=()
for p in "${packages[@]}" ${L5D_EXTRA_PACKAGES:-}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
