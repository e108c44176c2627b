// Package cmdtest runs a keys subcommand in process for tests.
package cmdtest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Result is what a command printed and returned.
type Result struct {
	Out, Err string
	Error    error
}

// Run builds a command with newCmd around test streams, feeds it stdin and
// args, and runs it the way the root command would (errors not printed).
func Run(newCmd func(*cmdutil.Factory) *cobra.Command, stdin string, args ...string) Result {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := &cmdutil.Factory{
		IOStreams: ios,
		Now:       func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Getenv:    func(string) string { return "" },
	}
	cmd := newCmd(f)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	err := cmd.Execute()
	return Result{Out: out.String(), Err: errOut.String(), Error: err}
}

// Fixture is the path of a file in pkg/keys/testdata.
func Fixture(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "keys", "testdata", name)
}

// ReadFixture returns the contents of a pkg/keys/testdata file.
func ReadFixture(name string) string {
	data, err := os.ReadFile(Fixture(name))
	if err != nil {
		panic(err)
	}
	return string(data)
}

// ReadFile returns the contents of a file a test made.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
