#!/usr/bin/env bash
# Installs the Debian packages the build and the test suites need; a no-op when all are present.
set -euo pipefail
packages=(iptables iproute2 tcpdump openssl g++ make python3 procps psmisc curl ca-certificates util-linux)
# images/build.sh (Debian bases, file capabilities, the static pause binary) and the images test
# (a private containerd running them).
packages+=(mmdebstrap debian-archive-keyring libcap2-bin gcc libc6-dev containerd runc)
# The test bed's node: the CNI plugins from Debian, conntrack for kube-proxy.
packages+=(containernetworking-plugins conntrack)
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
