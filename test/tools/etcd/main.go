// Command etcd is the upstream etcd server, built from its published Go
// module so the local test cluster needs no prebuilt download. It mirrors the
// main package of the etcd repository, which cannot be installed with
// `go install` because its go.mod uses replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
