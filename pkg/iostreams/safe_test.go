package iostreams

import "testing"

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
