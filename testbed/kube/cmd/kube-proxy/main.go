// Command kube-proxy is the upstream kube-proxy (same body as k8s.io/kubernetes/cmd/kube-proxy),
// built in the test bed module; the node runs it in iptables mode.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client metric registration
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric registration
	"k8s.io/kubernetes/cmd/kube-proxy/app"
)

func main() {
	command := app.NewProxyCommand()
	os.Exit(cli.Run(command))
}
