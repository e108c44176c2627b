package assertion

import (
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/clientassert/clientassert/pkg/keys"
)

// The baseline for sign throughput: go-jose making a signer, signing the
// same claims with the same key and header members, and serialising.
// Compare BenchmarkSignRS384 with BenchmarkGoJoseSignRS384, and the ES384
// pair likewise.

func benchAssertion(b *testing.B) (*Assertion, []byte) {
	a, _, err := Build(BuildOptions{Profile: redox(b), ClientID: testClientID, KID: "k", Now: testNow, JTI: "0123456789abcdef0123"})
	if err != nil {
		b.Fatal(err)
	}
	return a, a.Claims.AppendCompact(nil)
}

func benchSign(b *testing.B, keyFile string) {
	key := loadKey(b, keyFile)
	a, _ := benchAssertion(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(a, key, "", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGoJose(b *testing.B, keyFile string, alg jose.SignatureAlgorithm) {
	key := loadKey(b, keyFile)
	_, payload := benchAssertion(b)
	b.ReportAllocs()
	for b.Loop() {
		goJoseSign(b, key, alg, payload)
	}
}

func goJoseSign(b *testing.B, key *keys.Key, alg jose.SignatureAlgorithm, payload []byte) string {
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key.Private}, opts)
	if err != nil {
		b.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

func BenchmarkSignRS384(b *testing.B)       { benchSign(b, "rsa.pem") }
func BenchmarkGoJoseSignRS384(b *testing.B) { benchGoJose(b, "rsa.pem", jose.RS384) }
func BenchmarkSignES384(b *testing.B)       { benchSign(b, "ec.pem") }
func BenchmarkGoJoseSignES384(b *testing.B) { benchGoJose(b, "ec.pem", jose.ES384) }
