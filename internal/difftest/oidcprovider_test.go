package difftest

import "testing"

// TestDiffOIDCProvider compares the oidc-provider profile with
// panva/node-oidc-provider 9.13.3 running on loopback: status, body bytes,
// headers, and the error_detail it keeps out of the response.
func TestDiffOIDCProvider(t *testing.T) {
	runDialect(t, dialect{kind: "oidc-provider", profile: "oidc-provider",
		algs: []string{"RS384", "ES384"}, hidden: true, seed: 9133})
}
