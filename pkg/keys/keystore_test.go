package keys

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The messages below are jose 2.0.7's, read from the oracle with
// testdata/keystore_oracle.js (JWKS.asKeyStore over the same sets).
func TestKeyStoreError(t *testing.T) {
	good := parseFixture(t, "jwks.good.json").Keys[0].Raw
	n := good["n"].(string)
	other := func(extra string) string {
		return fmt.Sprintf(`{"kty":"RSA","kid":"other","n":%q,"e":"AQAB"%s}`, n, extra)
	}
	goodJSON, _ := json.Marshal(good)
	set := func(entry string) string { return `{"keys":[` + string(goodJSON) + `,` + entry + `]}` }
	tests := []struct {
		name, entry, message string
		jose                 bool
	}{
		{"use foo", other(`,"use":"foo"`), "`use` must be either \"sig\" or \"enc\" string when provided", false},
		{"contradicting key_ops", other(`,"use":"sig","key_ops":["encrypt"]`), `inconsistent JWK "use" and "key_ops"`, true},
		{"unknown kty", `{"kty":"foo","kid":"other"}`, "unsupported key type: foo", true},
		{"Ed448 of the wrong size", `{"kty":"OKP","crv":"Ed448","kid":"other","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, opensslDecodeError, false},
		{"garbage x5c", other(`,"x5c":["bm90IGEgY2VydA"]`), "`x5c` member at index 0 is not a valid base64-encoded DER PKIX certificate", true},
		{"empty alg", other(`,"alg":""`), "`alg` must be a non-empty string when provided", false},
		{"unknown OKP curve", `{"kty":"OKP","crv":"Ed999","kid":"other","x":"AAAA"}`, "unsupported OKP key curve: Ed999", true},
		{"OKP without x", `{"kty":"OKP","crv":"Ed448","kid":"other"}`, "key import failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, set(tt.entry))
			desc, err := s.KeyStoreError()
			var e *KeyStoreLoadError
			if err == nil || !asKeyStoreErr(err, &e) {
				t.Fatalf("KeyStoreError = %q, %v; want the load to fail", desc, err)
			}
			if e.Message != tt.message || e.JOSEError != tt.jose || e.Index != 1 || e.KID != "other" {
				t.Errorf("got %+v, want message %q (JOSEError %v) for key 1", e, tt.message, tt.jose)
			}
			wantDesc := ""
			if tt.jose {
				wantDesc = tt.message
			}
			if desc != wantDesc {
				t.Errorf("description %q, want %q", desc, wantDesc)
			}
			found := false
			for _, p := range Check(s) {
				found = found || (p.Rule == RuleKeyStoreLoadFails && p.Index == 1 && strings.Contains(p.Message, tt.message))
			}
			if !found {
				t.Errorf("Check does not report %s", RuleKeyStoreLoadFails)
			}
		})
	}
	// What loads: the good set, a well-formed Ed448 key (Node 20 loads it),
	// use enc, and a PEM key.
	for _, in := range []string{
		`{"keys":[` + string(goodJSON) + `]}`,
		set(`{"kty":"OKP","crv":"Ed448","kid":"other","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}`),
		set(other(`,"use":"enc"`)),
		string(readFixture(t, "rsa2048.spki.pem")),
	} {
		if desc, err := mustParse(t, in).KeyStoreError(); err != nil {
			t.Errorf("%.60s...: %q, %v; want it to load", in, desc, err)
		}
	}
	// An entry without kty fails the set before any entry is imported.
	if _, err := mustParse(t, set(`{"kid":"x"}`)).KeyStoreError(); err == nil || !strings.Contains(err.Error(), "jwks must be a JSON Web Key Set formatted object") {
		t.Errorf("entry without kty: %v", err)
	}
}

func asKeyStoreErr(err error, target **KeyStoreLoadError) bool {
	e, ok := err.(*KeyStoreLoadError)
	*target = e
	return ok
}

// hugeRSA is an RSA JWK whose modulus is random odd bytes of the given
// size: no key generation, just numbers.
func hugeRSA(t *testing.T, bits int) string {
	n := make([]byte, bits/8)
	if _, err := rand.Read(n); err != nil {
		t.Fatal(err)
	}
	n[0] |= 0x80
	n[len(n)-1] |= 1
	return fmt.Sprintf(`{"kty":"RSA","kid":"big","n":%q,"e":"AQAB"}`, b64(n))
}

func TestHugeRSAModulus(t *testing.T) {
	for _, bits := range []int{1 << 20, 4 << 20} {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			set := mustParse(t, `{"keys":[`+hugeRSA(t, bits)+`]}`)
			k := set.Keys[0]
			if k.Bits != bits {
				t.Fatalf("Bits = %d", k.Bits)
			}
			input := joseInput("RS384")
			v := VerifySignature(k, "RS384", input, make([]byte, bits/8))
			if v.Status != NotChecked || !strings.Contains(v.Reason, "16384") {
				t.Errorf("verdict %+v, want not checked for the size", v)
			}
			found := false
			for _, p := range Check(set) {
				found = found || (p.Rule == RuleRSATooLarge && p.Severity == SeverityError)
			}
			if !found {
				t.Errorf("Check does not report %s", RuleRSATooLarge)
			}
			if _, err := Thumbprint(k); err != nil {
				t.Errorf("Thumbprint: %v", err)
			}
		})
	}
	// 16384 bits is still loaded and checked by go-jose.
	k := mustParse(t, hugeRSA(t, MaxRSABits)).Keys[0]
	if v := VerifySignature(k, "RS384", joseInput("RS384"), make([]byte, MaxRSABits/8)); v.Status != Invalid {
		t.Errorf("16384-bit key: %+v, want invalid", v)
	}
}

func TestSmallExponentAndProfileAlgs(t *testing.T) {
	n := parseFixture(t, "rsa2048.pub.jwk").Keys[0].Raw["n"].(string)
	set := mustParse(t, fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"e3","n":%q,"e":"Aw"}]}`, n))
	if e, small := SmallExponent(set.Keys[0]); !small || e != 3 {
		t.Errorf("SmallExponent = %d, %v", e, small)
	}
	if got := findings(Check(set)); !slices.Equal(got, []finding{{0, RuleRSASmallExponent, SeverityWarning}}) {
		t.Errorf("e=3: %v", got)
	}
	if _, small := SmallExponent(parseFixture(t, "rsa2048.pub.jwk").Keys[0]); small {
		t.Error("e=65537 reported as small")
	}

	redox := []string{"RS384", "ES384"}
	p256 := parseFixture(t, "ec256.sec1.pem").Keys[0].PublicJWK()
	p256["kid"] = "p256"
	p256JSON, _ := json.Marshal(p256)
	good := parseFixture(t, "jwks.good.json").Keys[0].Raw
	goodJSON, _ := json.Marshal(good)
	alone := mustParse(t, `{"keys":[`+string(p256JSON)+`]}`)
	if got := findings(CheckForAlgs(alone, redox)); !slices.Equal(got, []finding{{0, RuleAlgNotAccepted, SeverityError}}) {
		t.Errorf("P-256 alone: %v", got)
	}
	beside := mustParse(t, `{"keys":[`+string(goodJSON)+`,`+string(p256JSON)+`]}`)
	if got := findings(CheckForAlgs(beside, redox)); !slices.Equal(got, []finding{{1, RuleAlgNotAccepted, SeverityWarning}}) {
		t.Errorf("P-256 beside an RSA key: %v", got)
	}
	if got := CheckForAlgs(alone, []string{"ES256", "RS384"}); len(got) != 0 {
		t.Errorf("P-256 where ES256 is accepted: %v", findings(got))
	}
}

// FuzzJWKS loads JWK Sets the way the server does, as a whole:
//
//	go test -run '^$' -fuzz '^FuzzJWKS$' -fuzzminimizetime 10s ./pkg/keys/
func FuzzJWKS(f *testing.F) {
	fuzzSeeds(f, true)
	for _, entry := range []string{
		`{"kty":"EC","crv":"P-384","kid":"o","use":"foo","x":"AA","y":"AA"}`,
		`{"kty":"RSA","kid":"o","n":"AQAB","e":"AQAB","use":"sig","key_ops":["encrypt"]}`,
		`{"kty":"foo","kid":"o"}`,
		`{"kty":"OKP","crv":"Ed448","kid":"o","x":"AAAA"}`,
		`{"kty":"RSA","kid":"o","n":"AQAB","e":"AQAB","x5c":["bm90IGEgY2VydA"]}`,
		`{"kty":"RSA","kid":"o","n":"AQAB","e":"AQAB","alg":""}`,
		`{"kid":"o"}`,
	} {
		f.Add([]byte(`{"keys":[{"kty":"oct","kid":"s","k":"AAAA"},` + entry + `]}`))
	}
	redox := []string{"RS384", "ES384"}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse(data)
		if err != nil {
			return
		}
		desc, loadErr := set.KeyStoreError()
		var e *KeyStoreLoadError
		if loadErr != nil {
			if !asKeyStoreErr(loadErr, &e) {
				t.Fatalf("KeyStoreError returned %T", loadErr)
			}
			if e.Message == "" || (e.JOSEError && desc != e.Message) || (!e.JOSEError && desc != "") {
				t.Errorf("description %q does not follow from %+v", desc, e)
			}
			if e.Index >= len(set.Keys) {
				t.Errorf("failing index %d of %d keys", e.Index, len(set.Keys))
			}
		} else if desc != "" {
			t.Errorf("description %q for a set that loads", desc)
		}
		reported := false
		for _, p := range CheckForAlgs(set, redox) {
			reported = reported || p.Rule == RuleKeyStoreLoadFails
			if p.Rule == RuleKeyStoreLoadFails && (p.Message == "" || strings.ContainsAny(p.Message, "\n\x1b")) {
				t.Errorf("%s: message %q", p.Rule, p.Message)
			}
		}
		if reported != (loadErr != nil) {
			t.Errorf("Check reports the load failure: %v; KeyStoreError: %v", reported, loadErr)
		}
		for _, k := range set.Keys {
			Thumbprint(k)
			k.PublicJWK()
			SmallExponent(k)
		}
	})
}

// jose reads an x5c chain in order and reports the first entry that is not
// a certificate. The chain is parsed once per key.
func TestX5CChainOrder(t *testing.T) {
	certDER := func(name string) string {
		block, _ := pem.Decode(readFixture(t, name))
		if block == nil {
			t.Fatalf("%s: no PEM block", name)
		}
		return base64.StdEncoding.EncodeToString(block.Bytes)
	}
	rsaCert, ecCert := certDER("rsa2048.cert.pem"), certDER("ec384.cert.pem")
	pub := parseFixture(t, "rsa2048.pub.jwk").Keys[0].Raw
	for _, c := range []struct {
		name  string
		chain []string
		want  string
		bad   int // index of the first entry that is no certificate, or -1
	}{
		{"matching certificate", []string{rsaCert}, "", -1},
		{"matching, then garbage", []string{rsaCert, "bm90IGEgY2VydA"}, "`x5c` member at index 1 is not a valid base64-encoded DER PKIX certificate", 1},
		{"two certificates, then garbage", []string{rsaCert, ecCert, "bm90IGEgY2VydA"}, "`x5c` member at index 2 is not a valid base64-encoded DER PKIX certificate", 2},
		{"garbage first", []string{"bm90IGEgY2VydA", rsaCert}, "`x5c` member at index 0 is not a valid base64-encoded DER PKIX certificate", 0},
		{"another key's certificate first", []string{ecCert, rsaCert}, "The key in the first `x5c` certificate MUST match the public key represented by the JWK", -1},
		{"another key's certificate, then garbage", []string{ecCert, "bm90IGEgY2VydA"}, "The key in the first `x5c` certificate MUST match the public key represented by the JWK", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			jwk := maps.Clone(pub)
			jwk["kid"] = "k"
			jwk["x5c"] = c.chain
			data, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
			s := mustParse(t, string(data))
			for range 2 { // the second answer comes from the key's memo
				msg, _ := importFailure(s.Keys[0])
				if msg != c.want {
					t.Errorf("importFailure = %q, want %q", msg, c.want)
				}
			}
			certs, bad := s.Keys[0].X5C()
			if again, _ := s.Keys[0].X5C(); len(certs) > 0 && &again[0] != &certs[0] {
				t.Error("X5C parsed the chain again")
			}
			if wantCerts := c.bad; bad != c.bad || wantCerts >= 0 && len(certs) != wantCerts {
				t.Errorf("X5C: %d certificates, bad index %d, for %q", len(certs), bad, c.want)
			}
		})
	}
}
