// Command etcd is upstream etcd (go.etcd.io/etcd/server/v3/etcdmain).
//
// Why build etcd here instead of using Debian's etcd-server package: bookworm
// ships etcd 3.4.23, which is older than what Kubernetes 1.34 supports
// (>= 3.5). k8s.io/kubernetes v1.34.x already depends on
// go.etcd.io/etcd/server/v3 (v3.6.x, the version Kubernetes 1.34 is validated
// against), so building it in this module reuses the already-compiled gRPC,
// protobuf, prometheus and etcd client packages: it adds well under a minute to
// a cold build and needs no extra downloads or apt packages.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
