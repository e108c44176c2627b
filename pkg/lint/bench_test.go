package lint

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/keys"
)

// The baselines are go-jose reading the same token: with a key, parsing and
// verifying it with its claims decoded; without one, parsing it and
// decoding its claims. Each Lint benchmark is paired with its baseline, and
// the *VsGoJose benchmarks run both sides in turn in one loop and report
// the ratio, so that a shared machine's load weighs on both alike.

func goJoseVerifyRS384(b *testing.B) func() {
	tok := fixtures.ReadToken(b, "valid-rs384")
	ks, err := fixtures.LoadOrCreateKeys("../../testdata/keys")
	if err != nil {
		b.Fatal(err)
	}
	pub := ks["rsa"].Public()
	return func() {
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

func goJoseParseClaims(b *testing.B) func() {
	tok := fixtures.ReadToken(b, "valid-rs384")
	return func() {
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS384})
		if err != nil {
			b.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
			b.Fatal(err)
		}
	}
}

func lintRS384(b *testing.B) func() {
	in := Input{Token: fixtures.ReadToken(b, "valid-rs384"), Profile: redox(b), ClientID: fixtures.ClientID,
		Keys: fixtures.KeySet(b, "jwks.json"), Now: fixtures.Now}
	return func() {
		if r := Lint(in); r.Predicted.Status != 200 || r.KeyID == "" {
			b.Fatal(r.Predicted)
		}
	}
}

func lintNoKey(b *testing.B) func() {
	in := Input{Token: fixtures.ReadToken(b, "valid-rs384"), Profile: redox(b), Now: fixtures.Now}
	return func() {
		if r := Lint(in); r.Predicted.Status != 200 {
			b.Fatal(r.Predicted)
		}
	}
}

// lintRS384X5C is lintRS384 with a certificate of the key in the
// registered key's x5c, which the server's key-set load reads for every
// token: the key remembers the parsed chain.
func lintRS384X5C(b *testing.B) func() {
	ks, err := fixtures.LoadOrCreateKeys("../../testdata/keys")
	if err != nil {
		b.Fatal(err)
	}
	priv := ks["rsa"].(*rsa.PrivateKey)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: fixtures.ClientID},
		NotBefore: fixtures.Now.Add(-time.Hour), NotAfter: fixtures.Now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile("../../testdata/keys/jwks.json")
	if err != nil {
		b.Fatal(err)
	}
	var set map[string][]map[string]any
	if err := json.Unmarshal(data, &set); err != nil {
		b.Fatal(err)
	}
	for _, k := range set["keys"] {
		if k["kty"] == "RSA" {
			k["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
		}
	}
	data, _ = json.Marshal(set)
	withX5C, err := keys.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Token: fixtures.ReadToken(b, "valid-rs384"), Profile: redox(b), ClientID: fixtures.ClientID,
		Keys: withX5C, Now: fixtures.Now}
	return func() {
		if r := Lint(in); r.Predicted.Status != 200 || r.KeyID == "" {
			b.Fatal(r.Predicted)
		}
	}
}

func benchOne(b *testing.B, body func()) {
	b.ReportAllocs()
	for b.Loop() {
		body()
	}
}

func BenchmarkGoJoseVerifyRS384(b *testing.B) { benchOne(b, goJoseVerifyRS384(b)) }
func BenchmarkLintRS384(b *testing.B)         { benchOne(b, lintRS384(b)) }
func BenchmarkLintRS384X5C(b *testing.B)      { benchOne(b, lintRS384X5C(b)) }
func BenchmarkGoJoseParseClaims(b *testing.B) { benchOne(b, goJoseParseClaims(b)) }
func BenchmarkLintNoKey(b *testing.B)         { benchOne(b, lintNoKey(b)) }

// benchVersus runs baseline and subject alternately, in short rounds, and
// reports each side's CPU time (the process's, so garbage collection counts)
// and allocations per op, and subject's time as a multiple of baseline's.
// CPU time rather than the wall clock, because on a shared machine the wall
// clock also counts the time spent waiting for a core.
func benchVersus(b *testing.B, baseline, subject func()) {
	const round = 16
	clock := processCPU
	if clock() < 0 {
		clock = func() int64 { return time.Now().UnixNano() }
	}
	var baseTime, subjectTime int64
	for b.Loop() {
		start := clock()
		for range round {
			baseline()
		}
		mid := clock()
		for range round {
			subject()
		}
		baseTime += mid - start
		subjectTime += clock() - mid
	}
	runs := float64(b.N * round)
	b.ReportMetric(float64(baseTime)/runs, "go-jose-cpu-ns/op")
	b.ReportMetric(float64(subjectTime)/runs, "lint-cpu-ns/op")
	b.ReportMetric(float64(subjectTime)/float64(baseTime), "lint/go-jose")
	b.ReportMetric(testing.AllocsPerRun(50, baseline), "go-jose-allocs/op")
	b.ReportMetric(testing.AllocsPerRun(50, subject), "lint-allocs/op")
}

// BenchmarkLintRS384VsGoJose: the goal is lint/go-jose ≤ 1.15.
func BenchmarkLintRS384VsGoJose(b *testing.B) {
	benchVersus(b, goJoseVerifyRS384(b), lintRS384(b))
}

// BenchmarkLintNoKeyVsGoJose compares the keyless lint with go-jose
// parsing the token and decoding its claims.
func BenchmarkLintNoKeyVsGoJose(b *testing.B) {
	benchVersus(b, goJoseParseClaims(b), lintNoKey(b))
}

// BenchmarkLintNoKeyExpired is the keyless lint of a rejected token: the
// findings, their messages and the answer's template are built too.
func BenchmarkLintNoKeyExpired(b *testing.B) {
	in := Input{Token: fixtures.ReadToken(b, "expired"), Profile: redox(b), Now: fixtures.Now}
	benchOne(b, func() {
		if r := Lint(in); r.Predicted.Status == 200 {
			b.Fatal(r.Predicted)
		}
	})
}
