package keys

import (
	"crypto"
	"testing"
)

// Verify throughput for the two algs Redox accepts. Compare runs of the
// same benchmark before and after a change; the signing side is measured by
// pkg/assertion's BenchmarkSign*.

func benchVerify(b *testing.B, privFile, pubFile, alg string) {
	priv := parseFixture(b, privFile).Keys[0]
	pub := parseFixture(b, pubFile).Keys[0]
	header := b64([]byte(`{"alg":"` + alg + `","kid":"k","typ":"JWT"}`))
	claims := b64([]byte(`{"iss":"client","sub":"client","aud":"https://api.example.com/token","exp":1700000300,"iat":1700000000,"jti":"0123456789abcdef"}`))
	input := []byte(header + "." + claims)
	sig := sign(b, priv.Private.(crypto.Signer), alg, input)
	b.ReportAllocs()
	for b.Loop() {
		if !Verify(pub, alg, input, sig) {
			b.Fatal("valid signature rejected")
		}
	}
}

func BenchmarkVerifyRS384(b *testing.B) {
	benchVerify(b, "rsa2048.pkcs1.pem", "rsa2048.spki.pem", "RS384")
}

func BenchmarkVerifyES384(b *testing.B) {
	benchVerify(b, "ec384.pkcs8.pem", "ec384.spki.pem", "ES384")
}
