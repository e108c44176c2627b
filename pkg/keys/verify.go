package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"crypto/subtle"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// algHash is the digest of each JWS alg this package verifies.
var algHash = map[string]crypto.Hash{
	"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512,
	"PS256": crypto.SHA256, "PS384": crypto.SHA384, "PS512": crypto.SHA512,
	"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512,
	"HS256": crypto.SHA256, "HS384": crypto.SHA384, "HS512": crypto.SHA512,
}

// HashFor returns the digest a JWS alg signs with, and whether alg is one
// this package knows.
func HashFor(alg string) (crypto.Hash, bool) {
	h, ok := algHash[alg]
	return h, ok
}

// CurveFor returns the one curve an ES alg signs with ("" for other algs).
func CurveFor(alg string) string {
	for crv, a := range curveAlg {
		if a == alg {
			return crv
		}
	}
	return ""
}

// rsaMinBits is the smallest modulus for which jose 2.x offers each RSA alg
// (lib/jwk/key/rsa.js, sigAlgsAvailableFor): the encoded digest has to fit.
var rsaMinBits = map[string]int{
	"RS256": 0, "RS384": 624, "RS512": 752,
	"PS256": 528, "PS384": 784, "PS512": 1040,
}

// SupportsVerify says whether the Node library panva/jose 2.x would let this
// key verify alg and, if not, why, in words fit for a message.
//
// The rules are those of jose 2.x: use absent or "sig"; key_ops, when
// present, containing "verify"; a JWK alg, when present, equal to alg; RSA
// keys verify RS256 at any size and the others from a size threshold on
// (counted in whole bytes of modulus, as jose does); EC
// keys only the ES alg of their curve; oct keys HS256/384/512. This package
// knows no other combination.
func (k *Key) SupportsVerify(alg string) (bool, string) {
	if k.Kty == "" {
		return false, "the key has no kty"
	}
	if k.Use != "" && k.Use != "sig" {
		return false, fmt.Sprintf("the key's use is %q; only keys with use \"sig\" or no use can verify", k.Use)
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify") {
		return false, fmt.Sprintf("the key's key_ops [%s] do not include \"verify\"", strings.Join(k.KeyOps, ", "))
	}
	if k.Alg != "" && k.Alg != alg {
		return false, fmt.Sprintf("the key is restricted to alg %s, not %s", k.Alg, alg)
	}
	switch k.Kty {
	case "RSA":
		minBits, ok := rsaMinBits[alg]
		if !ok {
			return false, fmt.Sprintf("an RSA key cannot verify %s: it verifies RS256/384/512 and PS256/384/512", alg)
		}
		// jose measures the modulus in whole bytes (the decoded length of
		// "n"), so a 620-bit key counts as 624.
		if joseBits := (k.Bits + 7) / 8 * 8; joseBits < minBits {
			return false, fmt.Sprintf("the RSA key is %d bits; %s needs at least %d", k.Bits, alg, minBits)
		}
		return true, ""
	case "EC":
		want, ok := curveAlg[k.Crv]
		if !ok {
			return false, fmt.Sprintf("EC curve %q is not supported: expected P-256, P-384 or P-521", k.Crv)
		}
		if alg != want {
			return false, fmt.Sprintf("an EC %s key verifies only %s, not %s", k.Crv, want, alg)
		}
		return true, ""
	case "oct":
		if alg == "HS256" || alg == "HS384" || alg == "HS512" {
			return true, ""
		}
		return false, fmt.Sprintf("an oct key verifies only HS256/384/512, not %s", alg)
	}
	return false, fmt.Sprintf("a %s key cannot verify %s", k.Describe(), alg)
}

// Verify checks a JWS signature over signingInput (the raw "header.payload"
// bytes) the way jose 2.x does: RS* with PKCS #1 v1.5, PS* with PSS and a
// salt as long as the digest, ES* with the raw r||s form of exactly twice
// the curve size, HS* by HMAC compared in constant time. The key's type (and
// curve) must fit alg; use, key_ops and a JWK alg are SupportsVerify's
// business, not this function's. Unknown algs verify nothing.
func Verify(k *Key, alg string, signingInput, sig []byte) bool {
	if k == nil {
		return false
	}
	h, ok := algHash[alg]
	if !ok || !h.Available() {
		return false
	}
	switch alg[:2] {
	case "HS":
		if k.Kty != "oct" || len(k.Secret) == 0 {
			return false
		}
		mac := hmac.New(h.New, k.Secret)
		mac.Write(signingInput)
		return hmac.Equal(mac.Sum(nil), sig)
	case "RS", "PS":
		pub, ok := k.Public.(*rsa.PublicKey)
		if !ok {
			return false
		}
		digest := hashOf(h, signingInput)
		if alg[0] == 'R' {
			if pub.N.BitLen() < 1024 {
				return verifyPKCS1v15Raw(pub, h, digest, sig)
			}
			return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
		}
		if pub.N.BitLen() < 1024 {
			return verifyPSSRaw(pub, h, digest, sig)
		}
		return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case "ES":
		pub, ok := k.Public.(*ecdsa.PublicKey)
		if !ok || curveAlg[pub.Curve.Params().Name] != alg {
			return false
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(pub, hashOf(h, signingInput), r, s)
	}
	return false
}

func hashOf(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

// Go's crypto/rsa refuses keys under 1024 bits, but jose 2.x (OpenSSL
// underneath) verifies with them, so the CLI does the small-key case itself
// with the textbook RSA operation and the RFC 8017 encodings. Only public
// operations happen here; nothing secret is at stake.

// digestInfo is the DER prefix of the DigestInfo for each hash (RFC 8017
// §9.2, note 1).
var digestInfo = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// rsaPublicOp returns sig^e mod n as a big-endian number of exactly size
// bytes, or nil when sig is not a valid representative or does not fit.
func rsaPublicOp(pub *rsa.PublicKey, sig []byte, size int) []byte {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k || pub.E < 2 {
		return nil
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return nil
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	if (m.BitLen()+7)/8 > size {
		return nil
	}
	return m.FillBytes(make([]byte, size))
}

// verifyPKCS1v15Raw is RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2).
func verifyPKCS1v15Raw(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	prefix := digestInfo[h]
	k := (pub.N.BitLen() + 7) / 8
	tLen := len(prefix) + len(digest)
	if prefix == nil || k < tLen+11 {
		return false
	}
	em := rsaPublicOp(pub, sig, k)
	if em == nil {
		return false
	}
	want := make([]byte, k)
	want[1] = 0x01
	for i := 2; i < k-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-tLen:], prefix)
	copy(want[k-len(digest):], digest)
	return subtle.ConstantTimeCompare(em, want) == 1
}

// verifyPSSRaw is RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with MGF1 over the
// same hash and a salt as long as the digest, as jose 2.x signs.
func verifyPSSRaw(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	hLen, sLen := h.Size(), h.Size()
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	if len(digest) != hLen || emLen < hLen+sLen+2 {
		return false
	}
	em := rsaPublicOp(pub, sig, emLen)
	if em == nil || em[emLen-1] != 0xbc {
		return false
	}
	dbLen := emLen - hLen - 1
	maskedDB, hh := em[:dbLen], em[dbLen:emLen-1]
	topMask := byte(0xff >> (8*emLen - emBits))
	if maskedDB[0]&^topMask != 0 {
		return false
	}
	db := mgf1(h, hh, dbLen)
	for i := range db {
		db[i] ^= maskedDB[i]
	}
	db[0] &= topMask
	psLen := emLen - hLen - sLen - 2
	for _, b := range db[:psLen] {
		if b != 0 {
			return false
		}
	}
	if db[psLen] != 0x01 {
		return false
	}
	salt := db[dbLen-sLen:]
	w := h.New()
	w.Write(make([]byte, 8))
	w.Write(digest)
	w.Write(salt)
	return subtle.ConstantTimeCompare(w.Sum(nil), hh) == 1
}

// mgf1 is the mask generation function of RFC 8017 appendix B.2.1.
func mgf1(h crypto.Hash, seed []byte, length int) []byte {
	out := make([]byte, 0, length+h.Size())
	var counter [4]byte
	for c := uint32(0); len(out) < length; c++ {
		counter[0], counter[1], counter[2], counter[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
		w := h.New()
		w.Write(seed)
		w.Write(counter[:])
		out = w.Sum(out)
	}
	return out[:length]
}
