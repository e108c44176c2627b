package difftest

import "testing"

// TestDiffAuthlib compares the authlib profile with Authlib 1.2.0 (Debian
// python3-authlib) and its client_assertion_jwt method, running on loopback.
func TestDiffAuthlib(t *testing.T) {
	runDialect(t, dialect{kind: "authlib", profile: "authlib",
		algs: []string{"RS384", "ES384"}, seed: 1200})
}
