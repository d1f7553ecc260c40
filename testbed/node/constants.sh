# The test bed node's fixed names and networks, shared by up-node.sh and down-node.sh.
# Pod and Service CIDRs sit inside Linkerd's default cluster networks (10.0.0.0/8) and stay on
# this machine; the data-plane tests use 10.77.0.0/24, so they do not overlap.
# shellcheck shell=bash
# shellcheck disable=SC2034
NODE_NAME=l5d-node
NODE_BRIDGE=l5d0
NODE_IP=10.244.0.1
NODE_POD_CIDR=10.244.0.0/24
NODE_CLUSTER_CIDR=10.244.0.0/16
NODE_SERVICE_CIDR=10.96.0.0/16
NODE_GUARD_CHAIN=L5D-NODE-FORWARD
NODE_CNI_BIN=/usr/lib/cni
NODE_PAUSE_IMAGE=ghcr.io/l5d/pause:3.10
NODE_OWNER_FILE=/run/l5d-testbed-node
