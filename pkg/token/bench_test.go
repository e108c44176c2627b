package token

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func benchToken(b *testing.B) string {
	data, err := os.ReadFile("../../testdata/tokens/valid-rs384.jwt")
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func BenchmarkParse(b *testing.B) {
	raw := benchToken(b)
	b.ReportAllocs()
	for b.Loop() {
		if tok := Parse(raw); !tok.Decodable() {
			b.Fatal(tok.Errors)
		}
	}
}

// BenchmarkGoJoseParseClaims is the baseline for BenchmarkParse: go-jose
// reading the same token and its claims, without verifying the signature.
func BenchmarkGoJoseParseClaims(b *testing.B) {
	raw := benchToken(b)
	b.ReportAllocs()
	for b.Loop() {
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS384})
		if err != nil {
			b.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
			b.Fatal(err)
		}
	}
}

// manyMembers is a token whose header has n distinct members followed by
// one repeat of the first, so the duplicate scan does its full work.
func manyMembers(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"alg":"RS384"`)
	for i := range n {
		sb.WriteString(`,"m`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`":1`)
	}
	sb.WriteString(`,"m0":2}`)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(sb.String())) + "." + enc.EncodeToString([]byte(`{}`)) + "."
}

func benchMembers(b *testing.B, n int) {
	raw := manyMembers(n)
	b.ReportAllocs()
	for b.Loop() {
		if tok := Parse(raw); len(tok.DuplicateHeader) != 1 {
			b.Fatal(tok.DuplicateHeader)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/member")
}

func BenchmarkParseMembers10k(b *testing.B)  { benchMembers(b, 10_000) }
func BenchmarkParseMembers100k(b *testing.B) { benchMembers(b, 100_000) }
