package explain

import "testing"

func TestTemplateMatches(t *testing.T) {
	for _, c := range []struct {
		template, text string
		want           bool
	}{
		{"client authentication failed", "client authentication failed", true},
		{"client authentication failed", "client authentication failed.", false},
		{"the key does not support {alg} verify algorithm", "the key does not support ES384 verify algorithm", true},
		{"the key does not support {alg} verify algorithm", "the key does not support verify", false},
		{"'{param}' parameter must not be provided twice", "'client_id' parameter must not be provided twice", true},
		{"a {x} b {y} c", "a 1 b 2 c", true},
		{"a {x} b {y} c", "a 1 c 2 b", false},
		{"{message}", "anything at all", false},
	} {
		if got := templateMatches(c.template, c.text); got != c.want {
			t.Errorf("templateMatches(%q, %q) = %v", c.template, c.text, got)
		}
	}
}
