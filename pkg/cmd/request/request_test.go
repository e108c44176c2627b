package request

import (
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

const tok = "eyJhbGciOiJSUzM4NCIsImtpZCI6ImsifQ.eyJpc3MiOiJjIn0.c2ln"

func run(t *testing.T, tty bool, args ...string) string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(tty)
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return time.Unix(1795780800, 0) }, Getenv: func(string) string { return "" }}
	cmd := NewCmdRequest(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The raw request ends at the body when piped, so Content-Length is exact;
// on a terminal a line ending follows for the prompt's sake.
func TestHTTPEndsAtTheBody(t *testing.T) {
	piped := run(t, false, tok, "--format", "http")
	if !strings.HasSuffix(piped, "client_assertion="+tok) {
		t.Errorf("piped output does not end at the body: %q", piped[len(piped)-20:])
	}
	if onTTY := run(t, true, tok, "--format", "http"); onTTY != piped+"\n" {
		t.Errorf("terminal output should be the piped output plus a newline")
	}
	if curl := run(t, true, tok); !strings.HasSuffix(curl, "'\n") || strings.HasSuffix(curl, "\n\n") {
		t.Errorf("curl output should end in exactly one newline: %q", curl)
	}
}
