package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
)

func TestSupportsVerify(t *testing.T) {
	rsaBits := func(bits int) *Key { return &Key{Kty: "RSA", Bits: bits} }
	ec := func(crv string) *Key { return &Key{Kty: "EC", Crv: crv} }
	tests := []struct {
		name string
		key  *Key
		alg  string
		want bool
	}{
		{"RS256 any size", rsaBits(512), "RS256", true},
		{"RS384 needs 624: 512 no", rsaBits(512), "RS384", false},
		// jose counts whole bytes of modulus: 617 bits is 78 bytes, i.e. 624.
		{"RS384 at 616 no", rsaBits(616), "RS384", false},
		{"RS384 at 617 yes (78 bytes)", rsaBits(617), "RS384", true},
		{"RS384 at 624 yes", rsaBits(624), "RS384", true},
		{"RS384 1024 yes", rsaBits(1024), "RS384", true},
		{"RS512 at 744 no", rsaBits(744), "RS512", false},
		{"RS512 at 745 yes", rsaBits(745), "RS512", true},
		{"RS512 at 752 yes", rsaBits(752), "RS512", true},
		{"PS256 at 520 no", rsaBits(520), "PS256", false},
		{"PS256 at 528 yes", rsaBits(528), "PS256", true},
		{"PS384 at 776 no", rsaBits(776), "PS384", false},
		{"PS384 at 784 yes", rsaBits(784), "PS384", true},
		{"PS512 1024 no", rsaBits(1024), "PS512", false},
		{"PS512 at 1033 yes", rsaBits(1033), "PS512", true},
		{"PS512 at 1040 yes", rsaBits(1040), "PS512", true},
		{"RS384 2048", rsaBits(2048), "RS384", true},
		{"RSA with ES384", rsaBits(2048), "ES384", false},
		{"RSA with HS256", rsaBits(2048), "HS256", false},
		{"RSA with none", rsaBits(2048), "none", false},
		{"P-256 ES256", ec("P-256"), "ES256", true},
		{"P-256 ES384", ec("P-256"), "ES384", false},
		{"P-384 ES384", ec("P-384"), "ES384", true},
		{"P-384 ES512", ec("P-384"), "ES512", false},
		{"P-521 ES512", ec("P-521"), "ES512", true},
		{"P-521 ES521 is no alg", ec("P-521"), "ES521", false},
		{"secp256k1", ec("secp256k1"), "ES256K", false},
		{"EC with RS384", ec("P-384"), "RS384", false},
		{"oct HS256", &Key{Kty: "oct"}, "HS256", true},
		{"oct HS384", &Key{Kty: "oct"}, "HS384", true},
		{"oct HS512", &Key{Kty: "oct"}, "HS512", true},
		{"oct RS256", &Key{Kty: "oct"}, "RS256", false},
		{"OKP", &Key{Kty: "OKP", Crv: "Ed25519"}, "EdDSA", false},
		{"no kty", &Key{}, "RS256", false},
		{"use sig", &Key{Kty: "RSA", Bits: 2048, Use: "sig"}, "RS384", true},
		{"use enc", &Key{Kty: "RSA", Bits: 2048, Use: "enc"}, "RS384", false},
		{"use unknown", &Key{Kty: "RSA", Bits: 2048, Use: "other"}, "RS384", false},
		{"key_ops verify", &Key{Kty: "RSA", Bits: 2048, KeyOps: []string{"sign", "verify"}}, "RS384", true},
		{"key_ops sign only", &Key{Kty: "RSA", Bits: 2048, KeyOps: []string{"sign"}}, "RS384", false},
		{"key_ops empty", &Key{Kty: "RSA", Bits: 2048, KeyOps: []string{}}, "RS384", false},
		{"alg equal", &Key{Kty: "RSA", Bits: 2048, Alg: "RS384"}, "RS384", true},
		{"alg differs", &Key{Kty: "RSA", Bits: 2048, Alg: "RS256"}, "RS384", false},
		{"alg on oct", &Key{Kty: "oct", Alg: "HS256"}, "HS384", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := tt.key.SupportsVerify(tt.alg)
			if got != tt.want {
				t.Fatalf("SupportsVerify(%s) = %v (%s), want %v", tt.alg, got, why, tt.want)
			}
			if got && why != "" || !got && why == "" {
				t.Errorf("reason %q does not fit the answer %v", why, got)
			}
		})
	}
}

func TestSupportsVerifyFixtures(t *testing.T) {
	k1024 := parseFixture(t, "rsa1024.spki.pem").Keys[0]
	if ok, why := k1024.SupportsVerify("RS384"); !ok {
		t.Errorf("1024-bit RS384: %s", why)
	}
	k512 := parseFixture(t, "rsa512.spki.pem").Keys[0]
	if ok, _ := k512.SupportsVerify("RS384"); ok {
		t.Error("512-bit RS384 allowed")
	}
	if ok, why := k512.SupportsVerify("RS256"); !ok {
		t.Errorf("512-bit RS256: %s", why)
	}
}

// sign produces a JWS signature with Go's own signers, in the JOSE form.
// joseInput is a signing input whose header names alg.
func joseInput(alg string) []byte {
	return []byte(b64([]byte(`{"alg":"`+alg+`","kid":"k"}`)) + ".eyJpc3MiOiJ4In0")
}

func hashOf(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

func sign(t testing.TB, priv crypto.Signer, alg string, input []byte) []byte {
	t.Helper()
	h := hashFor(alg)
	digest := hashOf(h, input)
	switch alg[:2] {
	case "RS":
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), h, digest)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	case "PS":
		sig, err := rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			t.Fatal(err)
		}
		return sig
	case "ES":
		k := priv.(*ecdsa.PrivateKey)
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			t.Fatal(err)
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out
	}
	t.Fatalf("sign: unknown alg %s", alg)
	return nil
}

func TestVerify(t *testing.T) {
	input := []byte("eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJ4In0")
	rsaKey := parseFixture(t, "rsa2048.pkcs1.pem").Keys[0]
	ecKeys := map[string]*Key{
		"ES256": parseFixture(t, "ec256.sec1.pem").Keys[0],
		"ES384": parseFixture(t, "ec384.pkcs8.pem").Keys[0],
		"ES512": parseFixture(t, "ec521.sec1.pem").Keys[0],
	}
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		t.Run(alg, func(t *testing.T) {
			input := joseInput(alg)
			sig := sign(t, rsaKey.Private.(crypto.Signer), alg, input)
			pub := parseFixture(t, "rsa2048.spki.pem").Keys[0]
			if !Verify(pub, alg, input, sig) {
				t.Fatal("valid signature rejected")
			}
			if Verify(pub, alg, append([]byte{}, append(input, 'x')...), sig) {
				t.Error("signature over other input accepted")
			}
			bad := append([]byte{}, sig...)
			bad[len(bad)/2] ^= 1
			if Verify(pub, alg, input, bad) {
				t.Error("corrupted signature accepted")
			}
			other := map[byte]string{'R': "PS", 'P': "RS"}[alg[0]] + alg[2:]
			if Verify(pub, other, input, sig) {
				t.Errorf("%s signature accepted as %s", alg, other)
			}
			if Verify(ecKeys["ES384"], alg, input, sig) {
				t.Error("EC key verified an RSA signature")
			}
		})
	}
	for alg, k := range ecKeys {
		t.Run(alg, func(t *testing.T) {
			input := joseInput(alg)
			sig := sign(t, k.Private.(crypto.Signer), alg, input)
			if !Verify(k, alg, input, sig) {
				t.Fatal("valid signature rejected")
			}
			if Verify(k, alg, input, sig[:len(sig)-1]) {
				t.Error("short signature accepted")
			}
			if Verify(k, alg, input, append(append([]byte{}, sig...), 0)) {
				t.Error("long signature accepted")
			}
			// The ASN.1 DER form some libraries emit is not a JWS signature.
			der, err := ecdsa.SignASN1(rand.Reader, k.Private.(*ecdsa.PrivateKey), hashOf(hashFor(alg), input))
			if err != nil {
				t.Fatal(err)
			}
			if Verify(k, alg, input, der) {
				t.Error("DER signature accepted")
			}
			for other := range ecKeys {
				if other != alg && Verify(k, other, input, sig) {
					t.Errorf("%s key verified as %s", k.Crv, other)
				}
			}
		})
	}
	t.Run("ES256 wrong length for P-256", func(t *testing.T) {
		k := ecKeys["ES256"]
		input := joseInput("ES256")
		sig := sign(t, k.Private.(crypto.Signer), "ES256", input)
		// 32+32 is right; P-384's 48+48 with the same values is not.
		padded := make([]byte, 96)
		copy(padded[16:48], sig[:32])
		copy(padded[64:], sig[32:])
		if Verify(k, "ES256", input, padded) {
			t.Error("zero-padded 96-byte signature accepted for ES256")
		}
	})
	t.Run("HMAC", func(t *testing.T) {
		k := mustParse(t, `{"kty":"oct","k":"`+b64([]byte(strings.Repeat("s", 64)))+`"}`).Keys[0]
		short := parseFixture(t, "oct.jwk").Keys[0] // 32 bytes
		for _, alg := range []string{"HS384", "HS512"} {
			mac := hmac.New(hashFor(alg).New, short.Secret)
			mac.Write(joseInput(alg))
			if v := VerifySignature(short, alg, joseInput(alg), mac.Sum(nil)); v.Status != NotChecked {
				t.Errorf("%s with a 32-byte secret: %+v, want not checked", alg, v)
			}
		}
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			input := joseInput(alg)
			mac := hmac.New(hashFor(alg).New, k.Secret)
			mac.Write(input)
			sig := mac.Sum(nil)
			if !Verify(k, alg, input, sig) {
				t.Errorf("%s: valid MAC rejected", alg)
			}
			sig[0] ^= 1
			if Verify(k, alg, input, sig) {
				t.Errorf("%s: wrong MAC accepted", alg)
			}
		}
		if Verify(rsaKey, "HS256", input, make([]byte, 32)) {
			t.Error("RSA key used as an HMAC secret")
		}
	})
	t.Run("unknown alg", func(t *testing.T) {
		for _, alg := range []string{"", "none", "EdDSA", "RS1", "HS", "ES256K"} {
			if Verify(rsaKey, alg, input, []byte("x")) || Verify(ecKeys["ES256"], alg, input, nil) {
				t.Errorf("alg %q verified", alg)
			}
		}
		ed := parseFixture(t, "ed25519.pkcs8.pem").Keys[0]
		sig := ed25519.Sign(ed.Private.(ed25519.PrivateKey), input)
		if Verify(ed, "EdDSA", input, sig) {
			t.Error("EdDSA verified, but the package does not support it")
		}
		if Verify(nil, "RS256", input, sig) {
			t.Error("nil key verified")
		}
	})
}

func TestVerifySmallRSAIsNotChecked(t *testing.T) {
	for _, f := range []string{"rsa512.spki.pem", "rsa512.pkcs1.pem"} {
		k := parseFixture(t, f).Keys[0]
		for _, alg := range []string{"RS256", "PS256"} {
			v := VerifySignature(k, alg, joseInput(alg), make([]byte, 64))
			if v.Status != NotChecked || !v.WeakKey || !strings.Contains(v.Reason, "512 bits") {
				t.Errorf("%s %s: %+v, want not checked, weak, naming the size", f, alg, v)
			}
			if Verify(k, alg, joseInput(alg), make([]byte, 64)) {
				t.Errorf("%s %s: Verify says valid", f, alg)
			}
		}
	}
	// 1024 bits is where Go starts verifying.
	k := parseFixture(t, "rsa1024.pkcs1.pem").Keys[0]
	input := joseInput("RS256")
	sig := sign(t, k.Private.(crypto.Signer), "RS256", input)
	if v := VerifySignature(k, "RS256", input, sig); v.Status != Valid {
		t.Errorf("1024-bit RS256: %+v", v)
	}
	sig[len(sig)-1] ^= 1
	if v := VerifySignature(k, "RS256", input, sig); v.Status != Invalid {
		t.Errorf("1024-bit corrupted RS256: %+v", v)
	}
}

func TestVerifyRejectsOtherCurveKey(t *testing.T) {
	// A P-384 key must not verify an ES256 signature even if the bytes came
	// from the same process.
	k256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k := &Key{Kty: "EC", Crv: "P-256", Public: &k256.PublicKey}
	input := joseInput("ES256")
	sig := sign(t, k256, "ES256", input)
	if !Verify(k, "ES256", input, sig) {
		t.Fatal("valid ES256 rejected")
	}
	p384 := parseFixture(t, "ec384.spki.pem").Keys[0]
	if Verify(p384, "ES256", input, sig) {
		t.Error("P-384 key verified an ES256 signature")
	}
}

func TestVerifySignatureNodeRules(t *testing.T) {
	k := parseFixture(t, "rsa2048.pkcs1.pem").Keys[0]
	priv := k.Private.(*rsa.PrivateKey)
	input := joseInput("PS384")
	digest := hashOf(crypto.SHA384, input)
	// go-jose accepts any PSS salt length; Node insists on the digest's.
	longSalt, err := rsa.SignPSS(rand.Reader, priv, crypto.SHA384, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	if err != nil {
		t.Fatal(err)
	}
	if v := VerifySignature(k, "PS384", input, longSalt); v.Status != Invalid || !strings.Contains(v.Reason, "salt") {
		t.Errorf("PSS with a long salt: %+v", v)
	}

	// jose 2.x verifies over the segments as sent, framing go-jose's JWS
	// parser refuses included; those are checked with crypto/* directly.
	cases := []struct {
		name, input string
		want        VerdictStatus
		reason      string
	}{
		{"as signed", string(joseInput("RS384")), Valid, ""},
		{"padded header", b64([]byte(`{"alg":"RS384","kid":"k"}`)) + "=.eyJpc3MiOiJ4In0", Valid, "canonical base64url"},
		{"duplicate header member", b64([]byte(`{"alg":"none","alg":"RS384"}`)) + ".eyJpc3MiOiJ4In0", Valid, "go-jose refuses the header"},
		{"unknown crit", b64([]byte(`{"alg":"RS384","crit":["zip2"],"zip2":1}`)) + ".eyJpc3MiOiJ4In0", Valid, "unsupported critical header"},
		{"other alg in header", string(joseInput("RS256")), NotChecked, "names alg"},
	}
	for _, c := range cases {
		sig := sign(t, priv, "RS384", []byte(c.input))
		v := VerifySignature(k, "RS384", []byte(c.input), sig)
		if v.Status != c.want || !strings.Contains(v.Reason, c.reason) {
			t.Errorf("%s: %+v, want %s with a reason naming %q", c.name, v, c.want, c.reason)
		}
		sig[len(sig)-1] ^= 1
		if v := VerifySignature(k, "RS384", []byte(c.input), sig); v.Status == Valid {
			t.Errorf("%s: corrupted signature valid", c.name)
		}
	}
	sig := sign(t, priv, "RS384", joseInput("RS384"))
	if v := VerifySignature(k, "RS384", []byte("abc"), sig); v.Status != Invalid {
		t.Errorf("no dot: %+v", v)
	}
	if v := VerifySignature(k, "", []byte("a.b"), sig); v.Status != Invalid {
		t.Errorf("empty alg: %+v", v)
	}
}

func TestVerifyCompactAgreesWithVerifySignature(t *testing.T) {
	k := parseFixture(t, "rsa2048.pkcs1.pem").Keys[0]
	priv := k.Private.(*rsa.PrivateKey)
	inputs := []string{
		string(joseInput("RS384")),
		b64([]byte(`{"alg":"RS384","kid":"k"}`)) + "=.eyJpc3MiOiJ4In0",
		b64([]byte(`{"alg":"none","alg":"RS384"}`)) + ".eyJpc3MiOiJ4In0",
		b64([]byte(`{"kid":"k"}`)) + ".eyJpc3MiOiJ4In0",
		string(joseInput("RS256")),
	}
	for _, input := range inputs {
		sig := sign(t, priv, "RS384", []byte(input))
		corrupted := append([]byte{}, sig...)
		corrupted[len(corrupted)-1] ^= 1
		// The server decodes the signature leniently: padding and the
		// standard alphabet give the same bytes.
		for _, c := range []struct {
			encoded string
			sig     []byte
		}{
			{base64.RawURLEncoding.EncodeToString(sig), sig},
			{base64.StdEncoding.EncodeToString(sig), sig},
			{base64.RawURLEncoding.EncodeToString(sig) + "==", sig},
			{base64.RawURLEncoding.EncodeToString(corrupted), corrupted},
		} {
			want := VerifySignature(k, "RS384", []byte(input), c.sig)
			if got := VerifyCompact(k, "RS384", input+"."+c.encoded, c.sig); got != want {
				t.Errorf("%s.%s: VerifyCompact %+v, VerifySignature %+v", input, c.encoded, got, want)
			}
		}
	}
}

func hashFor(alg string) crypto.Hash {
	h, _ := HashFor(alg)
	return h
}

// verifiedAlgs are the JWS algs HashFor knows.
var verifiedAlgs = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "HS256", "HS384", "HS512",
}
