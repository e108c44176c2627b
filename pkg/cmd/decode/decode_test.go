package decode

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// The caret sits under the byte at offset, whatever the token holds before
// it: a newline, a tab, a multi-byte character.
func TestPointAtAlignsTheCaret(t *testing.T) {
	for _, c := range []struct {
		name, tok string
		offset    int
	}{
		{"plain", "eyJhbGciOiJSUzM4NCJ9.eyJh!IjoxfQ.c2ln", 25},
		{"newline before", "eyJhbGciOiJSUzM4NCJ9.ey\nJh!IjoxfQ.c2ln", 26},
		{"newline at the offset", "eyJhbGciOiJSUzM4NCJ9.eyJh\nIjoxfQ.c2ln", 25},
		{"crlf and tab", "eyJhbGci\r\nOiJSUzM4\tNCJ9.eyJh!IjoxfQ", 24},
		{"multi-byte", "eyJhbGciOiJSUzM4NCJ9.éé!IjoxfQ.c2ln", 25},
		{"long prefix", strings.Repeat("A", 50) + "\n" + strings.Repeat("B", 10) + "!" + strings.Repeat("C", 50), 61},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := pointAt(c.tok, c.offset)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("want 2 lines, got %q", out)
			}
			caret := strings.IndexByte(lines[1], '^')
			shown := []rune(lines[0])
			if caret < 0 || caret >= len(shown) {
				t.Fatalf("caret at column %d outside %q", caret, lines[0])
			}
			want, _ := utf8.DecodeRuneInString(visible(c.tok[c.offset:]))
			if shown[caret] != want {
				t.Errorf("caret under %q, want %q\n%s", shown[caret], want, out)
			}
		})
	}
}

// On a colour terminal the JSON is coloured, and stays the same JSON once the
// colours are stripped; piped, it has no escape codes.
func TestDecodeColoursJSONOnATerminal(t *testing.T) {
	const tok = "eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIiwiaWF0IjoxNzk1NzgwODAwfQ.c2ln"
	run := func(color bool) string {
		ios, _, out, _ := iostreams.Test()
		ios.SetStdoutTTY(color)
		ios.SetColorEnabled(color)
		f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return time.Unix(1795780800, 0) }, Getenv: func(string) string { return "" }}
		cmd := NewCmdDecode(f, nil)
		cmd.SetArgs([]string{tok, "--format", "json"})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	plain, coloured := run(false), run(true)
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("piped output has escape codes:\n%q", plain)
	}
	if !strings.Contains(coloured, "\x1b[") {
		t.Errorf("terminal output has no colour:\n%s", coloured)
	}
	if stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(coloured, ""); stripped != plain {
		t.Errorf("colours changed the JSON:\n%s\nwant\n%s", stripped, plain)
	}
}
