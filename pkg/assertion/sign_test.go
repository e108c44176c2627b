package assertion

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
)

func buildFixed(t *testing.T, kid string) *Assertion {
	t.Helper()
	a, _ := buildOK(t, BuildOptions{ClientID: testClientID, KID: kid, JTI: "0123456789abcdef0123"})
	return a
}

// verifyWithGoJose checks tok independently of this package and of
// package keys.
func verifyWithGoJose(t *testing.T, tok string, alg jose.SignatureAlgorithm, pub any) []byte {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{alg})
	if err != nil {
		t.Fatalf("go-jose cannot parse %s: %v", tok, err)
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		t.Fatalf("go-jose does not verify the %s token: %v", alg, err)
	}
	return payload
}

func TestSignRS384(t *testing.T) {
	key := loadKey(t, "rsa.pem")
	tok, err := Sign(buildFixed(t, "rsa-2026-11"), key, "", "")
	if err != nil {
		t.Fatal(err)
	}
	header, payload, sig := segments(t, tok)
	if header != `{"alg":"RS384","kid":"rsa-2026-11","typ":"JWT"}` {
		t.Errorf("header = %s", header)
	}
	if !strings.HasPrefix(payload, `{"iss":"8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3","sub":`) || !strings.HasSuffix(payload, `"jti":"0123456789abcdef0123"}`) {
		t.Errorf("payload = %s", payload)
	}
	if len(sig) != 256 {
		t.Errorf("RS384 signature of a 2048-bit key is %d bytes", len(sig))
	}
	// PKCS#1 v1.5 is deterministic: the same input gives the same token.
	again, _ := Sign(buildFixed(t, "rsa-2026-11"), key, "", "")
	if again != tok {
		t.Error("RS384 signing should be deterministic")
	}
	if got := verifyWithGoJose(t, tok, jose.RS384, &key.Private.(*rsa.PrivateKey).PublicKey); string(got) != payload {
		t.Errorf("go-jose payload %s", got)
	}
	lintClean(t, tok)
}

func TestSignES384(t *testing.T) {
	key := loadKey(t, "ec.pem")
	a := buildFixed(t, "ec-2026-11")
	tok, err := Sign(a, key, "", "")
	if err != nil {
		t.Fatal(err)
	}
	header, _, sig := segments(t, tok)
	if header != `{"alg":"ES384","kid":"ec-2026-11","typ":"JWT"}` {
		t.Errorf("header = %s", header)
	}
	if len(sig) != 96 {
		t.Errorf("ES384 signature is %d bytes, want raw r||s of 96", len(sig))
	}
	verifyWithGoJose(t, tok, jose.ES384, &key.Private.(*ecdsa.PrivateKey).PublicKey)
	lintClean(t, tok)
	// ECDSA is randomised: compare structure, not bytes.
	tok2, _ := Sign(a, key, "", "")
	if tok2 == tok || tok2[:strings.LastIndex(tok2, ".")] != tok[:strings.LastIndex(tok, ".")] {
		t.Error("two ES384 signatures of one input should differ only in the signature")
	}
}

func TestSignOtherAlgs(t *testing.T) {
	rsaKey, ec256 := loadKey(t, "rsa.pem"), loadKey(t, "ec256.pem")
	secret := SecretKey([]byte(strings.Repeat("s", 64))) // go-jose wants a secret as long as the digest
	for _, c := range []struct {
		key  *keys.Key
		alg  string
		jose jose.SignatureAlgorithm
		pub  any
	}{
		{rsaKey, "RS256", jose.RS256, rsaKey.Public},
		{rsaKey, "RS512", jose.RS512, rsaKey.Public},
		{rsaKey, "PS256", jose.PS256, rsaKey.Public},
		{rsaKey, "PS384", jose.PS384, rsaKey.Public},
		{rsaKey, "PS512", jose.PS512, rsaKey.Public},
		{ec256, "ES256", jose.ES256, ec256.Public},
		{ec256, "", jose.ES256, ec256.Public},
		{secret, "HS256", jose.HS256, secret.Secret},
		{secret, "HS384", jose.HS384, secret.Secret},
		{secret, "", jose.HS384, secret.Secret},
		{secret, "HS512", jose.HS512, secret.Secret},
	} {
		tok, err := Sign(&Assertion{Claims: Object{{"iss", jsonString("c")}}}, c.key, "k", c.alg)
		if err != nil {
			t.Errorf("%s: %v", c.alg, err)
			continue
		}
		verifyWithGoJose(t, tok, c.jose, c.pub)
		header, _, sig := segments(t, tok)
		if !strings.HasPrefix(header, `{"alg":"`+string(c.jose)+`","kid":"k"`) {
			t.Errorf("%s header = %s", c.jose, header)
		}
		if keysOK := keys.Verify(keyForVerify(c.key), string(c.jose), []byte(tok[:strings.LastIndex(tok, ".")]), sig); !keysOK {
			t.Errorf("%s: package keys does not verify the signature", c.jose)
		}
	}
}

func keyForVerify(k *keys.Key) *keys.Key {
	if k.Kty == "oct" {
		return k
	}
	pub, _ := keys.FromPrivate(k.Private)
	return pub
}

func TestSignHeaderRules(t *testing.T) {
	rsaKey := loadKey(t, "rsa.pem")
	jwkKey := *rsaKey
	jwkKey.KID = "from-jwk"
	cases := []struct {
		name    string
		a       *Assertion
		key     *keys.Key
		kid     string
		alg     string
		want    string
		wantErr string
	}{
		{"bare claims", &Assertion{Claims: Object{}}, rsaKey, "k", "", `{"alg":"RS384","kid":"k","typ":"JWT"}`, ""},
		{"--kid beats the JWK and the header", &Assertion{Header: Object{{"kid", jsonString("h")}}}, &jwkKey, "flag", "", `{"alg":"RS384","kid":"flag","typ":"JWT"}`, ""},
		{"the JWK beats the header", &Assertion{Header: Object{{"kid", jsonString("h")}}}, &jwkKey, "", "", `{"alg":"RS384","kid":"from-jwk","typ":"JWT"}`, ""},
		{"the header's kid is kept", &Assertion{Header: Object{{"typ", jsonString("JWT")}, {"kid", jsonInt(7)}}}, rsaKey, "", "", `{"alg":"RS384","typ":"JWT","kid":7}`, ""},
		{"--alg beats the header", &Assertion{Header: Object{{"alg", jsonString("RS256")}, {"kid", jsonString("k")}}}, rsaKey, "", "PS384", `{"alg":"PS384","kid":"k","typ":"JWT"}`, ""},
		{"the header's alg is used", &Assertion{Header: Object{{"alg", jsonString("RS512")}, {"kid", jsonString("k")}}}, rsaKey, "", "", `{"alg":"RS512","kid":"k","typ":"JWT"}`, ""},
		{"omitted kid, alg and typ stay out", &Assertion{Header: Object{{"x", jsonInt(1)}}, Omitted: []string{"kid", "alg", "typ"}}, rsaKey, "", "", `{"x":1}`, ""},
		{"omitted kid stays out even with --kid", &Assertion{Omitted: []string{"kid"}}, rsaKey, "k", "", `{"alg":"RS384","typ":"JWT"}`, ""},
		{"no kid", &Assertion{}, rsaKey, "", "", "", "no kid for the header"},
		{"header alg not a string", &Assertion{Header: Object{{"alg", jsonInt(1)}}}, rsaKey, "k", "", "", "the header's alg is 1"},
		{"alg none", &Assertion{}, rsaKey, "k", "none", "", "alg none means an unsigned token"},
		{"unknown alg", &Assertion{}, rsaKey, "k", "RS999", "", `unsupported alg "RS999"`},
		{"EdDSA", &Assertion{}, rsaKey, "k", "EdDSA", "", `unsupported alg "EdDSA"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok, err := Sign(c.a, c.key, c.kid, c.alg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if header, _, _ := segments(t, tok); header != c.want {
				t.Errorf("header = %s, want %s", header, c.want)
			}
		})
	}
	var ae *Error
	if _, err := Sign(&Assertion{}, rsaKey, "", ""); !errors.As(err, &ae) || len(ae.Hints) != 2 || !strings.Contains(ae.Hints[1], "--omit kid") {
		t.Errorf("the no-kid error should hint at --kid and --omit kid: %#v", err)
	}
}

func TestSignKeyMismatch(t *testing.T) {
	rsaKey, ec384, ec256 := loadKey(t, "rsa.pem"), loadKey(t, "ec.pem"), loadKey(t, "ec256.pem")
	public := fixtures.KeySet(t, "jwks.json").Keys[0]
	secret := SecretKey([]byte("secret"))
	a := &Assertion{}
	for _, c := range []struct {
		key  *keys.Key
		alg  string
		want string
	}{
		{rsaKey, "ES384", "an RSA 2048-bit key cannot sign ES384: ES384 needs an EC P-384 key"},
		{ec256, "ES384", "an EC P-256 key cannot sign ES384: ES384 needs an EC P-384 key"},
		{ec384, "ES256", "an EC P-384 key cannot sign ES256"},
		{ec384, "RS384", "an EC P-384 key cannot sign RS384: RS384 needs an RSA key"},
		{public, "RS384", "the RSA 2048-bit key is a public key: signing needs the private key"},
		{public, "", "the RSA 2048-bit key is a public key"},
		{secret, "RS384", "a shared secret cannot sign RS384"},
		{rsaKey, "HS384", "HS384 needs a shared secret, not an RSA 2048-bit key"},
		{SecretKey(nil), "HS384", "HS384 needs a shared secret"},
		{nil, "RS384", "no key to sign with"},
	} {
		_, err := Sign(a, c.key, "k", c.alg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Sign(%v, %q) error = %v, want %q", c.key, c.alg, err, c.want)
		}
	}
}

func TestParseInput(t *testing.T) {
	built := mustJSON(t, buildFixed(t, "k"))
	a, err := ParseInput([]byte("\ufeff  " + built + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, a) != built {
		t.Errorf("build output does not round-trip: %s", mustJSON(t, a))
	}
	a, err = ParseInput([]byte(`{"header":{},"claims":{"iss":"c"},"x-clientassert-omit":["kid"]}`))
	if err != nil || !a.OmittedName("kid") || mustJSON(t, a.Claims) != `{"iss":"c"}` {
		t.Errorf("omit list not read: %+v, %v", a, err)
	}
	// A claims set that happens to have a "claims" claim is still claims.
	a, err = ParseInput([]byte(`{"iss":"c","claims":{"x":1}}`))
	if err != nil || a.Header != nil || mustJSON(t, a.Claims) != `{"iss":"c","claims":{"x":1}}` {
		t.Errorf("bare claims misread: %+v, %v", a, err)
	}
	for in, want := range map[string]string{
		"":                          "the input is empty",
		"  \n":                      "the input is empty",
		`[1]`:                       "JSON array, not an object",
		`{"iss":`:                   "unexpected end of input",
		`{"header":[],"claims":{}}`: `"header" is not a JSON object`,
		`{"claims":{},"x-clientassert-omit":"x"}`: `"x-clientassert-omit" is not an array`,
		"eyJhbGciOiJSUzM4NCJ9.e30.sig":            "cannot read the input",
	} {
		if _, err := ParseInput([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseInput(%q) error = %v, want %q", in, err, want)
		}
	}
}

// lintClean asserts lint predicts 200 with the fixture key set and finds
// no problem at all.
func lintClean(t *testing.T, tok string) {
	t.Helper()
	r := lint.Lint(lint.Input{Token: tok, Profile: redox(t), ClientID: testClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: testNow})
	if r.Predicted.Status != 200 || !r.Predicted.Certain || len(r.Findings) != 0 {
		t.Errorf("lint: %+v, findings %+v", r.Predicted, r.Findings)
	}
}
