package explain

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	ios, in, out, _ := iostreams.Test()
	in.WriteString(stdin)
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return fixedNow }, Getenv: func(string) string { return "" }}
	cmd := NewCmdExplain(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	err := cmd.Execute()
	return out.String(), err
}

type jsonResult struct {
	Known   bool `json:"known"`
	Status  int  `json:"status"`
	Matches []struct {
		ID               string   `json:"id"`
		ErrorDescription string   `json:"error_description"`
		Causes           []string `json:"causes"`
		Fix              string   `json:"fix"`
		Rules            []string `json:"rules"`
		Match            string   `json:"match"`
		LintCommand      string   `json:"lint_command"`
	} `json:"matches"`
	Clock *struct {
		SkewSeconds int64  `json:"skew_seconds"`
		Verdict     string `json:"verdict"`
	} `json:"clock"`
}

func decode(t *testing.T, out string) jsonResult {
	t.Helper()
	var r jsonResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return r
}

func rawResponse(desc string) string {
	body, _ := json.Marshal(map[string]string{"error": "invalid_request", "error_description": desc})
	return fmt.Sprintf("HTTP/1.1 400 Bad Request\r\nDate: Fri, 27 Nov 2026 12:00:00 GMT\r\nContent-Type: application/json\r\n\r\n%s\r\n", body)
}

// The contract: each wire string, as an argument, on stdin, and as a file
// holding a raw HTTP 400 response, resolves to its own entry with exit 0.
func TestEveryWireStringThroughTheCommand(t *testing.T) {
	dir := t.TempDir()
	for i, d := range catalog.Descriptions() {
		want, _ := catalog.ByDescription(d)
		file := filepath.Join(dir, fmt.Sprintf("response-%d.http", i))
		if err := os.WriteFile(file, []byte(rawResponse(d)), 0o600); err != nil {
			t.Fatal(err)
		}
		invocations := map[string]func() (string, error){
			"argument": func() (string, error) { return run(t, "", "--format", "json", d) },
			"file":     func() (string, error) { return run(t, "", "--format", "json", file) },
			"stdin":    func() (string, error) { return run(t, rawResponse(d), "--format", "json", "-") },
		}
		for how, invoke := range invocations {
			out, err := invoke()
			if err != nil {
				t.Errorf("%s %q: %v", how, d, err)
				continue
			}
			r := decode(t, out)
			if !r.Known || len(r.Matches) != 1 || r.Matches[0].ID != want.ID || r.Matches[0].ErrorDescription != d ||
				len(r.Matches[0].Causes) == 0 || r.Matches[0].Fix == "" || r.Matches[0].Rules == nil {
				t.Errorf("%s %q: %s", how, d, out)
			}
			// No assertion and no --now: the Date has nothing to be compared with.
			if how != "argument" && (r.Status != 400 || r.Clock != nil) {
				t.Errorf("%s %q: status %d clock %+v", how, d, r.Status, r.Clock)
			}
		}
	}
}

func TestTextOutput(t *testing.T) {
	out, err := run(t, "", "JWT header kid property is required")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kid-required (exact match; documented, key stage)",
		"What the server checked: The JWT header has a kid",
		"1. The signing code sets only alg",
		"- Put the kid of the registered public key in the JWT header.",
		`$ clientassert lint "$TOKEN"`,
		"lint rules: kid-missing",
		"see https://github.com/clientassert/clientassert/blob/main/docs/errors.md#kid-required",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without a terminal")
	}
}

func TestUnknownExitsOne(t *testing.T) {
	out, err := run(t, "", "the moon is made of cheese")
	var fe *cmdutil.FindingsError
	if !errors.As(err, &fe) || cmdutil.ExitCode(err) != 1 {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(out, "No catalog entry matches") || !strings.Contains(out, "Nearest entries") || !strings.Contains(out, "What to do") {
		t.Errorf("output:\n%s", out)
	}
}

func TestBlankArgumentIsTheBlankDescription(t *testing.T) {
	for _, arg := range []string{"", `""`} {
		out, err := run(t, "", "--format", "json", arg)
		if err != nil {
			t.Fatalf("%q: %v", arg, err)
		}
		if r := decode(t, out); len(r.Matches) != 1 || r.Matches[0].ID != "blank-description" {
			t.Errorf("%q: %s", arg, out)
		}
	}
}

func TestNowFlagSetsTheLocalClock(t *testing.T) {
	out, err := run(t, rawResponse(catalog.DescIatFuture), "--format", "json", "--now", "2026-11-27T12:00:25Z")
	if err != nil {
		t.Fatal(err)
	}
	r := decode(t, out)
	if r.Clock == nil || r.Clock.SkewSeconds != 25 || r.Clock.Verdict != "beyond-tolerance" ||
		!strings.HasPrefix(r.Matches[0].Causes[0], "The clock that set iat runs 25s ahead") ||
		!strings.HasSuffix(r.Matches[0].LintCommand, "--now 2026-11-27T12:00:00Z") {
		t.Errorf("%s", out)
	}
}

func TestList(t *testing.T) {
	out, err := run(t, "", "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range catalog.All() {
		if !strings.Contains(out, e.ID) {
			t.Errorf("--list lacks %s", e.ID)
		}
	}
	out, err = run(t, "", "--list", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Entries []struct {
			ID                string   `json:"id"`
			ErrorDescriptions []string `json:"error_descriptions"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Entries) != len(catalog.All()) {
		t.Errorf("err %v, %d entries", err, len(list.Entries))
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		stdin string
		args  []string
		msg   string
	}{
		{"", []string{"--list", "JWT is malformed"}, "--list takes no error text"},
		{"", []string{"--format", "yaml", "x"}, `invalid --format "yaml"`},
		{"", []string{"--now", "yesterday", "x"}, `invalid --now "yesterday"`},
		{"", []string{"a", "b"}, "too many arguments"},
		{"  \n", []string{"-"}, "no error text given: the input is empty"},
		{"", []string{dir}, "is a directory"},
	}
	for _, c := range cases {
		_, err := run(t, c.stdin, c.args...)
		if cmdutil.ExitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.msg)
		}
	}
}
