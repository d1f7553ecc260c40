#!/usr/bin/env bash
# Imports the archives images/build.sh wrote into containerd's k8s.io namespace (the one the CRI
# plugin, and so the kubelet, sees) and checks each image is there under its exact name.
#
#   images/import.sh [SOCKET]        SOCKET or $CONTAINERD_ADDRESS, default /run/containerd/containerd.sock
#
# Environment: L5D_IMAGES_OUT (where build.sh wrote images.txt; default build/images),
# L5D_IMAGES_SNAPSHOTTER (unpack for this snapshotter; default containerd's own default).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
address="${1:-${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}}"
list="${L5D_IMAGES_OUT:-$repo/build/images}/images.txt"
[ -f "$list" ] || { echo "import.sh: $list not found; run images/build.sh first" >&2; exit 1; }
[ -S "$address" ] || { echo "import.sh: no containerd socket at $address" >&2; exit 1; }

ctr_() { ctr --address "$address" --namespace k8s.io "$@"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
snapshotter=()
[ -n "${L5D_IMAGES_SNAPSHOTTER:-}" ] && snapshotter=(--snapshotter "$L5D_IMAGES_SNAPSHOTTER")

start=$(date +%s.%N)
while IFS=$'\t' read -r ref archive; do
  [ -n "$ref" ] || continue
  t=$(date +%s.%N)
  ctr_ images import "${snapshotter[@]}" "$archive" >/dev/null
  # Not `ctr … | grep -q`: grep's early exit would SIGPIPE ctr, and pipefail would call that a miss.
  listed="$(ctr_ images ls -q)"
  if ! grep -qxF "$ref" <<<"$listed"; then
    echo "import.sh: $archive imported, but $ref is not listed" >&2
    exit 1
  fi
  echo "imported $ref in $(since "$t")"
done <"$list"
echo "import total: $(since "$start")"
