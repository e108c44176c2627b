package lint

import (
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/clientassert/clientassert/internal/fixtures"
)

// The baseline: go-jose parsing and verifying the same token, with claims
// decoded. Compare BenchmarkLintRS384 against BenchmarkGoJoseVerifyRS384.
func BenchmarkGoJoseVerifyRS384(b *testing.B) {
	tok := readToken(b, "valid-rs384")
	ks, err := fixtures.LoadOrCreateKeys("../../testdata/keys")
	if err != nil {
		b.Fatal(err)
	}
	pub := ks["rsa"].Public()
	b.ReportAllocs()
	for b.Loop() {
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS384, jose.ES384})
		if err != nil {
			b.Fatal(err)
		}
		var claims jwt.Claims
		if err := parsed.Claims(pub, &claims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLintRS384(b *testing.B) {
	in := Input{Token: readToken(b, "valid-rs384"), Profile: redox(b), ClientID: fixtures.ClientID,
		Keys: loadKeySet(b, "jwks.json"), Now: fixtures.Now}
	b.ReportAllocs()
	for b.Loop() {
		if r := Lint(in); r.Predicted.Status != 200 {
			b.Fatal(r.Predicted)
		}
	}
}

func BenchmarkLintNoKey(b *testing.B) {
	in := Input{Token: readToken(b, "valid-rs384"), Profile: redox(b), Now: fixtures.Now}
	b.ReportAllocs()
	for b.Loop() {
		if r := Lint(in); r.Predicted.Status != 200 {
			b.Fatal(r.Predicted)
		}
	}
}
