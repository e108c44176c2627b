package nodeutf8

import "testing"

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\xffb", "a\uFFFDb"},
		{"\xff\xff", "\uFFFD\uFFFD"},           // one per lone bad byte
		{"\xe2\x82x", "\uFFFDx"},               // a truncated sequence is one maximal subpart
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // surrogates are not a valid prefix past the lead
		{"\xf0\x9f\x98", "\uFFFD"},
		{"\xe2\x82\xac", "€"},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := string(Bytes([]byte(c.in))); got != c.want {
			t.Errorf("Bytes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
