package root

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

func testFactory() (*cmdutil.Factory, func() string) {
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" }}
	return f, func() string { return out.String() + "\n--stderr--\n" + errOut.String() }
}

// Every entry of the lazy table builds the command it names, and the full
// tree has no command the table lacks.
func TestSubcommandNames(t *testing.T) {
	f, _ := testFactory()
	full := NewCmdRoot(f)
	var names []string
	for _, c := range full.Commands() {
		if c.Name() != "help" {
			names = append(names, c.Name())
		}
	}
	if len(names) != len(subcommands) {
		t.Errorf("tree has %v, table has %d entries", names, len(subcommands))
	}
	for _, sub := range subcommands {
		if got := sub.build(f).Name(); got != sub.name {
			t.Errorf("table entry %q builds command %q", sub.name, got)
		}
	}
}

// A run that builds only the invoked command behaves as the whole tree
// does: same output, same exit code, for help, usage errors and runs.
func TestLazyTreeMatchesFullTree(t *testing.T) {
	argLists := [][]string{
		{"--help"},
		{"nosuchcommand"},
		{"lnit"},
		{"help", "lint"},
		{"--no-color", "explain", "--help"},
		{"decode", "not-a-token"},
		{"lint", "--bogus-flag"},
		{"version", "--format", "json"},
		{"keys", "--help"},
		{"keys", "jwks", "--help"},
		{"completion", "bash"},
		{"__complete", "lint", "--profile", ""},
	}
	for _, sub := range subcommands {
		argLists = append(argLists, []string{sub.name, "--help"})
	}
	for _, args := range argLists {
		lazyF, lazyOut := testFactory()
		lazy := newCmdRootFor(lazyF, args)
		lazy.SetArgs(args)
		lazyErr := lazy.Execute()

		fullF, fullOut := testFactory()
		full := NewCmdRoot(fullF)
		full.SetArgs(args)
		fullErr := full.Execute()

		if lazyOut() != fullOut() || cmdutil.ExitCode(lazyErr) != cmdutil.ExitCode(fullErr) || errString(lazyErr) != errString(fullErr) {
			t.Errorf("%s: lazy and full trees differ\nlazy (%v):\n%s\nfull (%v):\n%s", strings.Join(args, " "), lazyErr, lazyOut(), fullErr, fullOut())
		}
	}
}

func TestLazyTreeBuildsOneCommand(t *testing.T) {
	f, _ := testFactory()
	if n := len(newCmdRootFor(f, []string{"--no-color", "lint", "x"}).Commands()); n != 1 {
		t.Errorf("lint run built %d commands, want 1", n)
	}
	if n := len(newCmdRootFor(f, []string{"help", "lint"}).Commands()); n != len(subcommands) {
		t.Errorf("help built %d commands, want all %d", n, len(subcommands))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return cmdutil.FormatError(err)
}

func BenchmarkNewCmdRootFull(b *testing.B) {
	f, _ := testFactory()
	for b.Loop() {
		NewCmdRoot(f)
	}
}

func BenchmarkNewCmdRootLint(b *testing.B) {
	f, _ := testFactory()
	args := []string{"lint", "x"}
	for b.Loop() {
		newCmdRootFor(f, args)
	}
}

// BenchmarkMainLint is one whole `lint` run after process start: tree
// construction, flag parsing, lint and the report.
func BenchmarkMainLint(b *testing.B) {
	data, err := os.ReadFile("../../../testdata/tokens/valid-rs384.jwt")
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"lint", "--now", "2026-11-27T12:00:00Z", strings.TrimSpace(string(data))}
	b.ReportAllocs()
	for b.Loop() {
		ios, _, _, _ := iostreams.Test()
		if code := Main(args, ios); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
