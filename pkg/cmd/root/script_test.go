package root_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

var update = flag.Bool("update", false, "rewrite testscript golden sections")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"clientassert": func() { os.Exit(root.Main(os.Args[1:], iostreams.System())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each script
// gets the shared fixtures under $FIXTURES.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs("../../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds:                httpCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
