package keys

import "testing"

func TestPrintable(t *testing.T) {
	tests := map[string]string{
		"main":                  "main",
		"2026 01":               "2026 01",
		"café":                  "café",
		"a\nclientassert: fake": `"a\nclientassert: fake"`,
		"\x1b[31mred\a":         `"\x1b[31mred\a"`,
		`say "hi"`:              `say "hi"`,
		"bad\xffutf8":           `"bad\xffutf8"`,
		"\u202eevil":            `"\u202eevil"`,
	}
	for in, want := range tests {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %s, want %s", in, got, want)
		}
	}
}
