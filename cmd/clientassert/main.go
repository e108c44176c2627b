// Command clientassert builds, signs, decodes and lints OAuth client assertions.
package main

import (
	"os"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

func main() {
	os.Exit(root.Main(os.Args[1:], iostreams.System()))
}
