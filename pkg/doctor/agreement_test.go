package doctor

import (
	"slices"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// TestVerifyAgreesWithLint runs every fixture token through lint and verify
// under every model: when lint predicts a key chain step, verify fails at
// that step; otherwise verify passes the key chain.
func TestVerifyAgreesWithLint(t *testing.T) {
	for _, p := range profile.All() {
		if p.TokenURL == "" {
			p.TokenURL = fixtures.TokenURL
		}
		for _, c := range fixtures.Cases() {
			tok := strings.TrimSpace(string(fixture(t, "tokens", c.Name+".jwt")))
			set := fixtureSet(t, c.JWKS)
			rep := lint.Lint(lint.Input{Token: tok, Profile: p, ClientID: fixtures.ClientID, Keys: set, Now: fixtures.Now})
			res := Verify(VerifyInput{Token: tok, Profile: p, ClientID: fixtures.ClientID, Keys: set, KeySource: c.JWKS})
			want := ""
			if rep.Predicted.Status != 200 && slices.Contains(keyChain, rep.Predicted.Rule) {
				want = rep.Predicted.Rule
			}
			if res.FailedStep != want && !(want == "" && !slices.Contains(keyChain, res.FailedStep)) {
				t.Errorf("%s/%s: lint predicts %s (%s), verify failed at %q", p.Name, c.Name, rep.Predicted.Rule, rep.Predicted.ErrorDescription, res.FailedStep)
			}
			if want == "" && rep.Key != nil && !res.Verified {
				t.Errorf("%s/%s: lint verified the signature, verify did not: %+v", p.Name, c.Name, res.Steps)
			}
		}
	}
}
