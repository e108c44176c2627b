package iostreams

import (
	"strings"
	"testing"
)

func TestSafe(t *testing.T) {
	cases := map[string]string{
		"plain text, é and 日本":   "plain text, é and 日本",
		`a\b stays`:              `a\b stays`,
		"kid\nclientassert: x":   `kid\nclientassert: x`,
		"\x1b[2J\x07bell\r":      `\x1b[2J\x07bell\r`,
		"tab\there \\ and \x00":  `tab\there \\ and \x00`,
		"\u202egnp.exe":          `\u202egnp.exe`,
		"c1 \u009b31m":           `c1 \u009b31m`,
		"bad \xff utf8":          `bad \xff utf8`,
		"line\u2028sep\u2029end": `line\u2028sep\u2029end`,
	}
	for in, want := range cases {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerminalText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain \x1b[1mbold\x1b[0m \\u0041 ünïcode", "plain \x1b[1mbold\x1b[0m \\u0041 ünïcode"},
		{"sub is \"x\u009bc\"", `sub is "x\u009bc"`},
		{"kid \"k\u202ered\u2066\"", `kid "k\u202ered\u2066"`},
		{"a\u2028b\u0085c", `a\u2028b\u0085c`},
	} {
		var b strings.Builder
		w := TerminalText(&b)
		n, err := w.Write([]byte(c.in))
		if err != nil || n != len(c.in) {
			t.Errorf("Write(%q) = %d, %v", c.in, n, err)
		}
		if b.String() != c.want {
			t.Errorf("TerminalText(%q) wrote %q, want %q", c.in, b.String(), c.want)
		}
		if TerminalText(w) != w {
			t.Error("wrapping twice escapes twice")
		}
	}
}
