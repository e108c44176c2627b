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

// BenchCPU runs body in a b.Loop and reports, beside the wall time, the CPU
// time the process spent per op: on a shared machine the wall clock also
// counts the time spent waiting for a core. Compare benchmarks of one run.
func BenchCPU(b *testing.B, body func()) {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		body()
	}
	if start >= 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkParse(b *testing.B) {
	raw := benchToken(b)
	BenchCPU(b, func() {
		if tok := Parse(raw); !tok.Decodable() {
			b.Fatal(tok.Errors)
		}
	})
}

// BenchmarkGoJoseParseClaims is the baseline for BenchmarkParse: go-jose
// reading the same token and its claims, without verifying the signature.
func BenchmarkGoJoseParseClaims(b *testing.B) {
	raw := benchToken(b)
	BenchCPU(b, func() {
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS384})
		if err != nil {
			b.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
			b.Fatal(err)
		}
	})
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
	start := processCPU()
	BenchCPU(b, func() {
		if tok := Parse(raw); len(tok.DuplicateHeader) != 1 {
			b.Fatal(tok.DuplicateHeader)
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/member")
	if start >= 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N)/float64(n), "cpu-ns/member")
	}
}

func BenchmarkParseMembers10k(b *testing.B)  { benchMembers(b, 10_000) }
func BenchmarkParseMembers100k(b *testing.B) { benchMembers(b, 100_000) }
