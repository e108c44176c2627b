package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/spf13/cobra"
)

// On a terminal --summary is a table, and a file input gets a progress line
// on stderr that is cleared at the end.
func TestBatchSummaryTableAndProgress(t *testing.T) {
	var lines []string
	for range 600 {
		lines = append(lines, token(t, "valid-rs384"), token(t, "expired"))
	}
	lines = append(lines, "no token here")
	path := filepath.Join(t.TempDir(), "batch.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, out, errOut := ttyLintCommand()
	cmd.SetArgs([]string{"--batch", path, "--summary", "--jobs", "2", "--now", "2026-11-27T12:00:00Z"})
	err := cmd.Execute()
	if cmdutil.ExitCode(err) != cmdutil.ExitFindings {
		t.Fatalf("exit %d (%v), want 1", cmdutil.ExitCode(err), err)
	}
	for _, want := range []string{
		"batch 1201 items, 601 failed, 1 could not be linted, 1200 uncertain without key material\n",
		"       600  200 OK\n",
		`       600  400 invalid_request "\"exp\" claim timestamp check failed"` + "\n",
		"       600  error    exp-expired\n",
		"         1  no token in the line\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	progress := errOut.String()
	if !strings.Contains(progress, " items, ") || !strings.Contains(progress, "/s, ETA ") {
		t.Errorf("no progress line on stderr: %q", progress)
	}
	if !strings.HasSuffix(progress, "\r\x1b[K") {
		t.Errorf("progress line not cleared: %q", progress)
	}
}

// Items printed on the terminal are progress enough: no progress line then.
func TestBatchNoProgressWhenItemsGoToTheTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "batch.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat(token(t, "valid-rs384")+"\n", 600)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, out, errOut := ttyLintCommand()
	cmd.SetArgs([]string{"--batch", path, "--now", "2026-11-27T12:00:00Z"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 600 {
		t.Errorf("%d items written, want 600", n)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// ttyLintCommand is lint with stdout and stderr on a terminal and a clock
// that moves a second per reading, so the progress line has a rate.
func ttyLintCommand() (cmd *cobra.Command, out, errOut *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	clock := fixtures.Now
	f := &cmdutil.Factory{IOStreams: ios, Getenv: os.Getenv, Now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}}
	return NewCmdLint(f, nil), out, errOut
}
