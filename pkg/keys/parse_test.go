package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFixture(t testing.TB, name string) *Set {
	t.Helper()
	set, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return set
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		file       string
		count      int
		kty, crv   string
		bits       int
		format     string
		hasPrivate bool
		signer     bool // Private is usable
		kid        string
	}{
		{"rsa2048.pkcs1.pem", 1, "RSA", "", 2048, FormatPKCS1, true, true, ""},
		{"rsa2048.pub.pkcs1.pem", 1, "RSA", "", 2048, FormatPKCS1, false, false, ""},
		{"rsa2048.pkcs8.pem", 1, "RSA", "", 2048, FormatPKCS8, true, true, ""},
		{"rsa2048.spki.pem", 1, "RSA", "", 2048, FormatSPKI, false, false, ""},
		{"rsa2048.cert.pem", 1, "RSA", "", 2048, FormatCert, false, false, ""},
		{"rsa2048.jwk", 1, "RSA", "", 2048, FormatJWK, true, true, "rsa2048"},
		{"rsa2048.pub.jwk", 1, "RSA", "", 2048, FormatJWK, false, false, ""},
		{"rsa1024.pkcs1.pem", 1, "RSA", "", 1024, FormatPKCS1, true, true, ""},
		{"rsa1024.spki.pem", 1, "RSA", "", 1024, FormatSPKI, false, false, ""},
		{"rsa512.pkcs1.pem", 1, "RSA", "", 512, FormatPKCS1, true, true, ""},
		{"rsa512.spki.pem", 1, "RSA", "", 512, FormatSPKI, false, false, ""},
		{"ec256.sec1.pem", 1, "EC", "P-256", 256, FormatSEC1, true, true, ""},
		{"ec384.pkcs8.pem", 1, "EC", "P-384", 384, FormatPKCS8, true, true, ""},
		{"ec384.spki.pem", 1, "EC", "P-384", 384, FormatSPKI, false, false, ""},
		{"ec384.cert.pem", 1, "EC", "P-384", 384, FormatCert, false, false, ""},
		{"ec384.jwk", 1, "EC", "P-384", 384, FormatJWK, true, true, "ec384"},
		{"ec521.sec1.pem", 1, "EC", "P-521", 521, FormatSEC1, true, true, ""},
		{"ed25519.pkcs8.pem", 1, "OKP", "Ed25519", 0, FormatPKCS8, true, true, ""},
		{"ed25519.spki.pem", 1, "OKP", "Ed25519", 0, FormatSPKI, false, false, ""},
		{"ed25519.jwk", 1, "OKP", "Ed25519", 0, FormatJWK, true, true, "ed25519"},
		{"oct.jwk", 1, "oct", "", 256, FormatJWK, true, false, "hmac"},
		{"rfc7638.jwk", 1, "RSA", "", 2048, FormatJWK, false, false, "2011-04-29"},
		{"jwks.good.json", 2, "RSA", "", 2048, FormatJWKS, false, false, "EQhQ2WSZRyAhlsfduIEafu6XExmtl119cLCqk9t6q14"},
		{"bundle.pem", 2, "RSA", "", 2048, FormatCert, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			set := parseFixture(t, tt.file)
			if len(set.Keys) != tt.count {
				t.Fatalf("got %d keys, want %d", len(set.Keys), tt.count)
			}
			k := set.Keys[0]
			if k.Kty != tt.kty || k.Crv != tt.crv || k.Bits != tt.bits || k.Format != tt.format {
				t.Errorf("got kty=%q crv=%q bits=%d format=%q, want %q %q %d %q", k.Kty, k.Crv, k.Bits, k.Format, tt.kty, tt.crv, tt.bits, tt.format)
			}
			if k.HasPrivate != tt.hasPrivate || (k.Private != nil) != tt.signer {
				t.Errorf("got HasPrivate=%v Private=%T, want %v signer=%v", k.HasPrivate, k.Private, tt.hasPrivate, tt.signer)
			}
			if k.KID != tt.kid {
				t.Errorf("kid = %q, want %q", k.KID, tt.kid)
			}
			for i, k := range set.Keys {
				if k.Index != i {
					t.Errorf("key %d has Index %d", i, k.Index)
				}
				if k.Kty != "oct" && k.Public == nil {
					t.Errorf("key %d has no Public", i)
				}
			}
		})
	}
}

func TestParseGoTypes(t *testing.T) {
	if _, ok := parseFixture(t, "rsa2048.jwk").Keys[0].Private.(*rsa.PrivateKey); !ok {
		t.Error("RSA JWK: Private is not *rsa.PrivateKey")
	}
	if _, ok := parseFixture(t, "ec384.jwk").Keys[0].Public.(*ecdsa.PublicKey); !ok {
		t.Error("EC JWK: Public is not *ecdsa.PublicKey")
	}
	if _, ok := parseFixture(t, "ed25519.jwk").Keys[0].Private.(ed25519.PrivateKey); !ok {
		t.Error("OKP JWK: Private is not ed25519.PrivateKey")
	}
	oct := parseFixture(t, "oct.jwk").Keys[0]
	if len(oct.Secret) != 32 || oct.Public != nil {
		t.Errorf("oct: Secret %d bytes, Public %T", len(oct.Secret), oct.Public)
	}
	b := parseFixture(t, "bundle.pem")
	if b.Keys[1].Format != FormatPKCS8 || b.Keys[1].Crv != "P-384" {
		t.Errorf("bundle second key: %s %s", b.Keys[1].Format, b.Keys[1].Describe())
	}
}

// Every encoding of one key must be the same key: same public half, same
// thumbprint, and that thumbprint is the one the generator computed
// independently for jwks.good.json.
func TestSameKeyAcrossFormats(t *testing.T) {
	good := parseFixture(t, "jwks.good.json")
	groups := map[string][]string{
		good.Keys[0].KID: {"rsa2048.pkcs1.pem", "rsa2048.pub.pkcs1.pem", "rsa2048.pkcs8.pem", "rsa2048.spki.pem", "rsa2048.cert.pem", "rsa2048.jwk", "rsa2048.pub.jwk", "bundle.pem"},
		good.Keys[1].KID: {"ec384.pkcs8.pem", "ec384.spki.pem", "ec384.cert.pem", "ec384.jwk"},
	}
	for want, files := range groups {
		for _, f := range files {
			k := parseFixture(t, f).Keys[0]
			got, err := Thumbprint(k)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if got != want {
				t.Errorf("%s: thumbprint %s, want %s", f, got, want)
			}
			if m := Match(good, k); len(m) != 1 || m[0].KID != want {
				t.Errorf("%s: Match found %d keys", f, len(m))
			}
		}
	}
	ed1, _ := Thumbprint(parseFixture(t, "ed25519.pkcs8.pem").Keys[0])
	ed2, _ := Thumbprint(parseFixture(t, "ed25519.jwk").Keys[0])
	if ed1 != ed2 || ed1 == "" {
		t.Errorf("Ed25519 thumbprints differ: %q %q", ed1, ed2)
	}
}

func TestThumbprintRFC7638(t *testing.T) {
	k := parseFixture(t, "rfc7638.jwk").Keys[0]
	got, err := Thumbprint(k)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %s, want %s", got, want)
	}
}

func TestThumbprintErrors(t *testing.T) {
	for _, k := range []*Key{
		{Index: 3},
		{Kty: "foo", Raw: map[string]any{"kty": "foo"}},
		{Kty: "EC", Crv: "secp256k1", Raw: map[string]any{"kty": "EC", "crv": "secp256k1", "x": "AA"}},
	} {
		if tp, err := Thumbprint(k); err == nil {
			t.Errorf("Thumbprint(%s) = %q, want an error", k.Describe(), tp)
		}
	}
	// Another curve, well formed: the thumbprint uses the members as given.
	k := &Key{Kty: "OKP", Crv: "Ed448", Raw: map[string]any{"kty": "OKP", "crv": "Ed448", "x": "abc"}}
	if _, err := Thumbprint(k); err != nil {
		t.Errorf("Ed448: %v", err)
	}
}

func TestParseTolerance(t *testing.T) {
	pemData := readFixture(t, "ec384.spki.pem")
	jwk := readFixture(t, "rsa2048.pub.jwk")
	for name, data := range map[string][]byte{
		"bom+pem":        append([]byte("\xef\xbb\xbf"), pemData...),
		"spaces+pem":     append(append([]byte("\n\n  \t"), pemData...), "\n\n\n"...),
		"bom+jwk":        append([]byte("\xef\xbb\xbf  "), jwk...),
		"crlf pem":       []byte(strings.ReplaceAll(string(pemData), "\n", "\r\n")),
		"text around":    append(append([]byte("Bag Attributes\n    friendlyName: x\n"), pemData...), "trailing words\n"...),
		"padded base64":  []byte(`{"kty":"oct","k":"AAECAwQ="}`),
		"empty jwks":     []byte(`{"keys":[]}`),
		"unknown member": []byte(`{"kty":"oct","k":"AAEC","x5t#S256":"zzz","ext":true}`),
	} {
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty input: expected a PEM key, JWK or JWKS"},
		{"blank", " \n\t ", "empty input"},
		{"garbage", "hello world", "not a PEM key, JWK or JWKS"},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.e30.abc", "looks like a JWT"},
		{"der", "\x30\x82\x01\x0a", "binary DER"},
		{"bad json", `{"kty":`, "invalid JSON"},
		{"json array", `[{"kty":"oct","k":"AA"}]`, "not an object"},
		{"json string", `"x"`, "not a PEM key, JWK or JWKS"},
		{"trailing json", `{"kty":"oct","k":"AA"} {}`, "unexpected data after the JSON value"},
		{"object without kty", `{"foo":1}`, `neither "keys" nor "kty"`},
		{"keys not array", `{"keys":{}}`, `"keys" is not an array`},
		{"key not object", `{"keys":[1]}`, "JWKS key 0 is not a JSON object"},
		{"kty not string", `{"kty":1}`, `"kty" is not a string`},
		{"kid not string", `{"kty":"oct","k":"AA","kid":7}`, `"kid" is not a string`},
		{"key_ops not array", `{"kty":"oct","k":"AA","key_ops":"verify"}`, `"key_ops" is not an array`},
		{"key_ops numbers", `{"kty":"oct","k":"AA","key_ops":[1]}`, `"key_ops" holds a non-string`},
		{"rsa no n", `{"kty":"RSA","e":"AQAB"}`, `missing "n" member`},
		{"rsa bad n", `{"kty":"RSA","n":"!!","e":"AQAB"}`, `"n" is not valid base64url`},
		{"rsa n number", `{"kty":"RSA","n":5,"e":"AQAB"}`, `"n" is not a string`},
		{"rsa zero n", `{"kty":"RSA","n":"AA","e":"AQAB"}`, `"n" is zero`},
		{"rsa even e", `{"kty":"RSA","n":"AQAB","e":"Ag"}`, `"e" is not a usable RSA exponent`},
		{"rsa huge e", `{"kty":"RSA","n":"AQAB","e":"AQAAAAAAAAAAAQ"}`, `"e" is not a usable RSA exponent`},
		{"rsa wrong d", `{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQ","p":"Aw","q":"BQ"}`, "do not form a valid RSA key"},
		{"ec no crv", `{"kty":"EC","x":"AA","y":"AA"}`, `missing "crv" member`},
		{"ec off curve", `{"kty":"EC","crv":"P-256","x":"AQ","y":"AQ"}`, "not a point on P-256"},
		{"ec long x", `{"kty":"EC","crv":"P-256","x":"` + strings.Repeat("A", 60) + `","y":"AA"}`, "longer than 32 bytes"},
		{"okp short x", `{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`, `"x" is 3 bytes`},
		{"oct no k", `{"kty":"oct"}`, `missing "k" member`},
		{"oct empty k", `{"kty":"oct","k":""}`, `"k" is empty`},
		{"encrypted pkcs8", string(readFixture(t, "encrypted.pkcs8.pem")), "PEM block 1 is an encrypted private key"},
		{"encrypted legacy", string(readFixture(t, "encrypted.legacy.pem")), "encrypted private key: expected an unencrypted key"},
		{"x25519", string(readFixture(t, "x25519.pkcs8.pem")), "unsupported key type X25519 or ECDH"},
		{"csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", `unsupported PEM type "CERTIFICATE REQUEST"`},
		{"bad der in pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "invalid PKCS#8 private key"},
		{"bad spki", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "invalid SPKI public key"},
		{"bad cert", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "invalid X.509 certificate"},
		{"bad sec1", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "invalid SEC1 EC private key"},
		{"bad pkcs1", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "invalid PKCS#1 RSA private key"},
		{"bad pkcs1 pub", "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n", "invalid PKCS#1 RSA public key"},
		{"truncated pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n", "malformed PEM: expected"},
		{"params only", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", "PEM input holds no key"},
		{"good then broken", string(readFixture(t, "ec384.spki.pem")) + "-----BEGIN PUBLIC KEY-----\nAAAA", "malformed PEM after block 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Parse([]byte(tt.input))
			if err == nil {
				t.Fatalf("Parse succeeded with %d keys, want error containing %q", len(set.Keys), tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if strings.ContainsAny(msg, "\n\r") || strings.HasSuffix(msg, ".") {
				t.Errorf("error %q is not one line without a final period", msg)
			}
			if r := msg[0]; r >= 'A' && r <= 'Z' && !(len(msg) > 1 && msg[1] >= 'A' && msg[1] <= 'Z') {
				t.Errorf("error %q starts with a capital", msg)
			}
		})
	}
}

// Entries Parse keeps for Check to report, rather than refusing.
func TestParseKeepsReportableEntries(t *testing.T) {
	set := parseFixture(t, "jwks.bad.json")
	if len(set.Keys) != 12 {
		t.Fatalf("got %d keys, want 12", len(set.Keys))
	}
	if k := set.Keys[6]; k.Kty != "" || k.KID != "nokty" || k.Public != nil {
		t.Errorf("missing kty entry: %+v", k)
	}
	if k := set.Keys[7]; k.Kty != "foo" {
		t.Errorf("unknown kty entry: %+v", k)
	}
	if k := set.Keys[11]; k.Crv != "secp256k1" || k.Public != nil {
		t.Errorf("secp256k1 entry: %+v", k)
	}
	if k := set.Keys[0]; !k.HasPrivate || k.Raw["d"] == nil {
		t.Errorf("private entry: HasPrivate=%v", k.HasPrivate)
	}
	if k := set.Keys[4]; k.Use != "enc" {
		t.Errorf("use = %q", k.Use)
	}
	if k := set.Keys[5]; len(k.KeyOps) != 1 || k.KeyOps[0] != "sign" {
		t.Errorf("key_ops = %q", k.KeyOps)
	}
	// key_ops present but empty is different from absent.
	k := mustParse(t, `{"kty":"oct","k":"AA","key_ops":[]}`).Keys[0]
	if k.KeyOps == nil {
		t.Error("empty key_ops parsed as absent")
	}
}

func mustParse(t testing.TB, s string) *Set {
	t.Helper()
	set, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return set
}

func TestPublicJWKHasNoPrivateMembers(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		set, err := Parse(readFixture(t, filepath.Base(f)))
		if err != nil {
			continue
		}
		for _, k := range set.Keys {
			jwk := k.PublicJWK()
			for _, n := range privateMembers {
				if _, ok := jwk[n]; ok {
					t.Errorf("%s key %d: PublicJWK has %q", f, k.Index, n)
				}
			}
			// And it parses back to the same public key.
			if k.Public == nil {
				continue
			}
			data, _ := json.Marshal(jwk)
			back, err := Parse(data)
			if err != nil {
				t.Errorf("%s key %d: PublicJWK does not parse: %v", f, k.Index, err)
				continue
			}
			if !samePublic(back.Keys[0], k) || back.Keys[0].HasPrivate {
				t.Errorf("%s key %d: PublicJWK round trip changed the key", f, k.Index)
			}
		}
	}
}

func TestPublicJWKMembers(t *testing.T) {
	k := parseFixture(t, "rsa2048.jwk").Keys[0]
	k.Use, k.KeyOps = "sig", []string{"verify"}
	jwk := k.PublicJWK()
	for _, n := range []string{"kty", "n", "e", "kid", "alg", "use", "key_ops"} {
		if _, ok := jwk[n]; !ok {
			t.Errorf("PublicJWK lacks %q", n)
		}
	}
	if len(jwk) != 7 {
		t.Errorf("PublicJWK has %d members: %v", len(jwk), jwk)
	}
	ec := parseFixture(t, "ec521.sec1.pem").Keys[0].PublicJWK()
	if x, _ := ec["x"].(string); len(x) != 88 { // 66 bytes, padded
		t.Errorf("P-521 x is %d characters, want 88", len(x))
	}
}

func TestSetHelpers(t *testing.T) {
	bad := parseFixture(t, "jwks.bad.json")
	if got := bad.DuplicateKIDs(); len(got) != 1 || got[0] != "dup" {
		t.Errorf("DuplicateKIDs = %q", got)
	}
	if got := bad.ByKID("dup"); len(got) != 2 || got[0].Index != 1 || got[1].Index != 2 {
		t.Errorf("ByKID(dup) = %d keys", len(got))
	}
	if len(bad.ByKID("none")) != 0 {
		t.Error("ByKID(none) found keys")
	}
	if bad.Asymmetric() {
		t.Error("bad JWKS with oct key is Asymmetric")
	}
	good := parseFixture(t, "jwks.good.json")
	if !good.Asymmetric() || len(good.DuplicateKIDs()) != 0 {
		t.Error("good JWKS: not asymmetric or has duplicates")
	}
	// A missing kid is not a duplicate of another missing kid.
	s := mustParse(t, `{"keys":[{"kty":"oct","k":"AA"},{"kty":"oct","k":"AQ"}]}`)
	if len(s.DuplicateKIDs()) != 0 {
		t.Error("empty kids counted as duplicates")
	}
}

func TestDescribe(t *testing.T) {
	tests := map[string]string{
		"rsa2048.spki.pem":  "RSA 2048-bit",
		"ec384.spki.pem":    "EC P-384",
		"ec521.sec1.pem":    "EC P-521",
		"ed25519.spki.pem":  "OKP Ed25519",
		"oct.jwk":           "oct 256-bit secret",
		"rsa512.pkcs1.pem":  "RSA 512-bit",
		"rsa1024.spki.pem":  "RSA 1024-bit",
		"ec256.sec1.pem":    "EC P-256",
		"rsa2048.cert.pem":  "RSA 2048-bit",
		"ed25519.pkcs8.pem": "OKP Ed25519",
	}
	for f, want := range tests {
		if got := parseFixture(t, f).Keys[0].Describe(); got != want {
			t.Errorf("%s: Describe() = %q, want %q", f, got, want)
		}
	}
	if got := (&Key{}).Describe(); got != "key without kty" {
		t.Errorf("empty key: %q", got)
	}
}

func TestAlgFor(t *testing.T) {
	tests := map[string]string{
		"rsa2048.pkcs8.pem": "RS384",
		"rsa512.spki.pem":   "RS384",
		"ec256.sec1.pem":    "ES256",
		"ec384.pkcs8.pem":   "ES384",
		"ec521.sec1.pem":    "ES512",
	}
	for f, want := range tests {
		got, err := AlgFor(parseFixture(t, f).Keys[0])
		if err != nil || got != want {
			t.Errorf("%s: AlgFor = %q, %v; want %q", f, got, err, want)
		}
	}
	for _, f := range []string{"ed25519.pkcs8.pem", "oct.jwk"} {
		if alg, err := AlgFor(parseFixture(t, f).Keys[0]); err == nil {
			t.Errorf("%s: AlgFor = %q, want an error", f, alg)
		}
	}
}

func TestEncodeJWKSOrder(t *testing.T) {
	k := parseFixture(t, "rsa2048.jwk").Keys[0]
	k.Use = "sig"
	out, err := EncodeJWKS([]map[string]any{k.PublicJWK()})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	last := -1
	for _, n := range []string{`"kty"`, `"kid"`, `"use"`, `"alg"`, `"n"`, `"e"`} {
		i := strings.Index(s, n)
		if i < last {
			t.Errorf("%s out of order in\n%s", n, s)
		}
		last = i
	}
	if !strings.HasPrefix(s, "{\n  \"keys\": [\n    {\n      \"kty\": \"RSA\",") || !strings.HasSuffix(s, "}\n") {
		t.Errorf("unexpected layout:\n%s", s)
	}
	if _, err := Parse(out); err != nil {
		t.Errorf("EncodeJWKS output does not parse: %v", err)
	}
}

func TestPrivatePEM(t *testing.T) {
	for _, f := range []string{"rsa2048.jwk", "ec384.jwk", "ed25519.jwk", "ec256.sec1.pem"} {
		k := parseFixture(t, f).Keys[0]
		out, err := PrivatePEM(k)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back := mustParse(t, string(out)).Keys[0]
		if back.Format != FormatPKCS8 || !samePublic(back, k) || back.Private == nil {
			t.Errorf("%s: PKCS#8 round trip changed the key", f)
		}
	}
	if _, err := PrivatePEM(parseFixture(t, "rsa2048.spki.pem").Keys[0]); err == nil {
		t.Error("PrivatePEM of a public key succeeded")
	}
}

// maxFuzzSeed keeps the large RSA fixtures out of the fuzz corpus: each
// candidate made from a 2048-bit PEM costs a full key validation, and
// minimizing one ran for minutes. The 512- and 1024-bit keys exercise the
// same paths at a fraction of the cost.
const maxFuzzSeed = 1100

// fuzzSeeds adds the small fixtures (and the JSON ones of any size when
// json is set) as seeds.
func fuzzSeeds(f *testing.F, json bool) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".js") {
			continue
		}
		data, err := os.ReadFile(name)
		isJSON := strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jwk")
		if err == nil && (len(data) <= maxFuzzSeed || (json && isJSON)) && (!json || isJSON) {
			f.Add(data)
		}
	}
}

// Run with a bounded minimization so a crasher is reported quickly:
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzzminimizetime 10s ./pkg/keys/
func FuzzParse(f *testing.F) {
	fuzzSeeds(f, false)
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}]}`))
	f.Add([]byte(`{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQ","p":"AQ","q":"AQ"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse(data)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || msg == "" {
				t.Errorf("error is not one line: %q", msg)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Errorf("Parse panicked: %v", err)
			}
			return
		}
		// Whatever parses must survive everything the CLI does with it.
		set.DuplicateKIDs()
		set.Asymmetric()
		Check(set)
		for _, k := range set.Keys {
			k.Describe()
			jwk := k.PublicJWK()
			for _, n := range privateMembers {
				if _, ok := jwk[n]; ok {
					t.Errorf("PublicJWK holds %q", n)
				}
			}
			Thumbprint(k)
			AlgFor(k)
			Match(set, k)
			for _, alg := range verifiedAlgs {
				// Verify only where the key fits: the rest returns at once.
				if ok, _ := k.SupportsVerify(alg); ok {
					VerifySignature(k, alg, joseInput(alg), make([]byte, 64))
				}
			}
			if _, err := EncodeJWKS([]map[string]any{jwk}); err != nil {
				t.Errorf("EncodeJWKS: %v", err)
			}
		}
	})
}
