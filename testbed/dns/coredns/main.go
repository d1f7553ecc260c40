// Command coredns is the cluster DNS of the test bed's node: upstream CoreDNS with only the plugins
// its Corefile uses (bind, kubernetes, cache, errors, health, ready): the build skips every cloud
// plugin CoreDNS ships, and with no forward plugin no query ever leaves the machine.
package main

import (
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"

	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
