package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
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
func sign(t testing.TB, priv crypto.Signer, alg string, input []byte) []byte {
	t.Helper()
	h := algHash[alg]
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
			der, err := ecdsa.SignASN1(rand.Reader, k.Private.(*ecdsa.PrivateKey), hashOf(algHash[alg], input))
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
		k := parseFixture(t, "oct.jwk").Keys[0]
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			mac := hmac.New(algHash[alg].New, k.Secret)
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

// rawSign is the textbook RSA private operation, for keys Go refuses to
// sign with. Tests only.
func rawSign(priv *rsa.PrivateKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	s := new(big.Int).Exp(m, priv.D, priv.N)
	return s.FillBytes(make([]byte, (priv.N.BitLen()+7)/8))
}

// pkcs1v15Encode is EMSA-PKCS1-v1_5 (RFC 8017 §9.2).
func pkcs1v15Encode(h crypto.Hash, digest []byte, k int) []byte {
	t := append(append([]byte{}, digestInfo[h]...), digest...)
	em := make([]byte, k)
	em[1] = 1
	for i := 2; i < k-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(t):], t)
	return em
}

// pssEncode is EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with a digest-sized salt.
func pssEncode(h crypto.Hash, digest []byte, emBits int) []byte {
	hLen := h.Size()
	emLen := (emBits + 7) / 8
	salt := make([]byte, hLen)
	rand.Read(salt)
	w := h.New()
	w.Write(make([]byte, 8))
	w.Write(digest)
	w.Write(salt)
	hh := w.Sum(nil)
	db := make([]byte, emLen-hLen-1)
	db[len(db)-hLen-1] = 1
	copy(db[len(db)-hLen:], salt)
	mask := mgf1(h, hh, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	return append(append(db, hh...), 0xbc)
}

// The small-key path has its own RSA code: check it against Go's on a
// normal key in both directions, then use it where Go cannot.
func TestRawRSAAgreesWithGo(t *testing.T) {
	priv := parseFixture(t, "rsa2048.pkcs1.pem").Keys[0].Private.(*rsa.PrivateKey)
	input := []byte("header.payload")
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		h := algHash[alg]
		digest := hashOf(h, input)
		goSig := sign(t, priv, alg, input)
		var ourSig []byte
		if alg[0] == 'R' {
			if !verifyPKCS1v15Raw(&priv.PublicKey, h, digest, goSig) {
				t.Errorf("%s: raw verify rejects Go's signature", alg)
			}
			ourSig = rawSign(priv, pkcs1v15Encode(h, digest, 256))
			if err := rsa.VerifyPKCS1v15(&priv.PublicKey, h, digest, ourSig); err != nil {
				t.Errorf("%s: Go rejects the test signer: %v", alg, err)
			}
		} else {
			if !verifyPSSRaw(&priv.PublicKey, h, digest, goSig) {
				t.Errorf("%s: raw verify rejects Go's signature", alg)
			}
			ourSig = rawSign(priv, pssEncode(h, digest, priv.N.BitLen()-1))
			if err := rsa.VerifyPSS(&priv.PublicKey, h, digest, ourSig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
				t.Errorf("%s: Go rejects the test signer: %v", alg, err)
			}
		}
		ourSig[10] ^= 0x40
		if verifyPKCS1v15Raw(&priv.PublicKey, h, digest, ourSig) || verifyPSSRaw(&priv.PublicKey, h, digest, ourSig) {
			t.Errorf("%s: raw verify accepts a corrupted signature", alg)
		}
	}
}

func TestVerifySmallRSA(t *testing.T) {
	input := []byte("header.payload")
	for _, f := range []string{"rsa512.pkcs1.pem", "rsa1024.pkcs1.pem"} {
		k := parseFixture(t, f).Keys[0]
		priv := k.Private.(*rsa.PrivateKey)
		size := (priv.N.BitLen() + 7) / 8
		for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
			h := algHash[alg]
			digest := hashOf(h, input)
			supported, _ := k.SupportsVerify(alg)
			var sig []byte
			if alg[0] == 'R' {
				if size < len(digestInfo[h])+len(digest)+11 {
					continue // the signature cannot be made at all
				}
				sig = rawSign(priv, pkcs1v15Encode(h, digest, size))
			} else {
				if (priv.N.BitLen()+6)/8 < 2*h.Size()+2 {
					continue
				}
				sig = rawSign(priv, pssEncode(h, digest, priv.N.BitLen()-1))
			}
			if got := Verify(k, alg, input, sig); !got {
				t.Errorf("%s %s: valid signature rejected (jose supports it: %v)", f, alg, supported)
			}
			sig[size-1] ^= 1
			if Verify(k, alg, input, sig) {
				t.Errorf("%s %s: corrupted signature accepted", f, alg)
			}
		}
		if Verify(k, "RS256", input, make([]byte, size-1)) {
			t.Errorf("%s: short signature accepted", f)
		}
		big := make([]byte, size)
		for i := range big {
			big[i] = 0xff
		}
		if Verify(k, "RS256", input, big) {
			t.Errorf("%s: signature above the modulus accepted", f)
		}
	}
}

func TestVerifyRejectsOtherCurveKey(t *testing.T) {
	// A P-384 key must not verify an ES256 signature even if the bytes came
	// from the same process.
	k256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k := &Key{Kty: "EC", Crv: "P-256", Public: &k256.PublicKey}
	input := []byte("a.b")
	sig := sign(t, k256, "ES256", input)
	if !Verify(k, "ES256", input, sig) {
		t.Fatal("valid ES256 rejected")
	}
	p384 := parseFixture(t, "ec384.spki.pem").Keys[0]
	if Verify(p384, "ES256", input, sig) {
		t.Error("P-384 key verified an ES256 signature")
	}
}
