package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"github.com/clientassert/clientassert/pkg/token"
	"github.com/go-jose/go-jose/v4"
)

// HashFor returns the digest a JWS alg signs with, and whether alg is one
// this package verifies. This and the lookups below are switches rather
// than maps so that nothing is built when the process starts.
func HashFor(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256", "PS256", "ES256", "HS256":
		return crypto.SHA256, true
	case "RS384", "PS384", "ES384", "HS384":
		return crypto.SHA384, true
	case "RS512", "PS512", "ES512", "HS512":
		return crypto.SHA512, true
	}
	return 0, false
}

// CurveFor returns the one curve an ES alg signs with ("" for other algs).
func CurveFor(alg string) string {
	switch alg {
	case "ES256":
		return "P-256"
	case "ES384":
		return "P-384"
	case "ES512":
		return "P-521"
	}
	return ""
}

// rsaMinBits returns the smallest modulus for which jose 2.x offers an RSA
// alg (lib/jwk/key/rsa.js, sigAlgsAvailableFor): the encoded digest has to
// fit. It returns false for an alg that is not RSA.
func rsaMinBits(alg string) (int, bool) {
	switch alg {
	case "RS256":
		return 0, true
	case "RS384":
		return 624, true
	case "RS512":
		return 752, true
	case "PS256":
		return 528, true
	case "PS384":
		return 784, true
	case "PS512":
		return 1040, true
	}
	return 0, false
}

// Size limits on RSA moduli. Go's crypto/rsa refuses to verify below
// GoMinRSABits, where the server's Node crypto still verifies; above
// MaxRSABits Node's crypto refuses the key, and doing the arithmetic here
// would take seconds for nothing.
const (
	GoMinRSABits = 1024
	MaxRSABits   = 16384
)

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
		minBits, ok := rsaMinBits(alg)
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
		want := curveAlg(k.Crv)
		if want == "" {
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

// VerdictStatus is what became of one signature check.
type VerdictStatus string

// The three outcomes of VerifySignature.
const (
	Valid      VerdictStatus = "valid"
	Invalid    VerdictStatus = "invalid"
	NotChecked VerdictStatus = "not_checked"
)

// Verdict is the outcome of VerifySignature. Reason says why a signature is
// invalid or was not checked; WeakKey is set when the key is one the server
// accepts but nobody should use (RSA under 1024 bits).
type Verdict struct {
	Status  VerdictStatus `json:"status"`
	Reason  string        `json:"reason,omitempty"`
	WeakKey bool          `json:"weak_key,omitempty"`
}

func invalid(format string, args ...any) Verdict {
	return Verdict{Status: Invalid, Reason: fmt.Sprintf(format, args...)}
}

func notChecked(format string, args ...any) Verdict {
	return Verdict{Status: NotChecked, Reason: fmt.Sprintf(format, args...)}
}

// VerifySignature checks a JWS signature over signingInput, the raw
// "header.payload" bytes of a compact token, with go-jose doing the
// cryptography. The key's type (and curve) must fit alg; use, key_ops and a
// JWK alg are SupportsVerify's business, not this function's.
//
// What Go cannot check honestly is reported as NotChecked with the reason,
// never guessed: RSA keys under 1024 bits (Go refuses them, Node verifies
// with them; the verdict flags the key weak), moduli over MaxRSABits (Node
// refuses them) and HMAC secrets shorter than the digest (go-jose refuses
// them, jose 2.x does not).
//
// The thin layer around go-jose reproduces what jose 2.x does differently:
// it verifies over the segments exactly as sent, so a token whose framing
// go-jose's JWS parser refuses (non-canonical base64url, duplicate header
// members, header values go-jose rejects) is checked with the crypto/*
// calls go-jose itself makes, and the verdict's Reason says so; and Node
// requires PS* salts as long as the digest, which go-jose does not.
func VerifySignature(k *Key, alg string, signingInput, sig []byte) Verdict {
	return verify(k, alg, string(signingInput), "", sig, "")
}

// VerifyCompact is VerifySignature for a whole compact token and its
// signature as decoded (leniently, as the server decodes it): the token's
// own signature segment is handed to go-jose when it is canonical
// base64url, which saves encoding the signature again.
func VerifyCompact(k *Key, alg, compact string, sig []byte) Verdict {
	signingInput, encodedSig := compact, ""
	if i := strings.LastIndexByte(compact, '.'); i >= 0 {
		signingInput, encodedSig = compact[:i], compact[i+1:]
	}
	if !token.IsCanonicalBase64URL(encodedSig) || len(encodedSig) != base64.RawURLEncoding.EncodedLen(len(sig)) {
		return verify(k, alg, signingInput, "", sig, "")
	}
	return verify(k, alg, signingInput, encodedSig, sig, compact)
}

// verify is VerifySignature with, when the caller has them, the signature's
// canonical base64url form and the whole token signingInput.encodedSig, or "".
func verify(k *Key, alg, signingInput, encodedSig string, sig []byte, compact string) Verdict {
	if k == nil {
		return notChecked("no key to verify with")
	}
	h, known := HashFor(alg)
	if !known {
		return invalid("%q is not a signing alg this tool verifies", alg)
	}
	var verificationKey any
	switch {
	case alg[:2] == "HS":
		if k.Kty != "oct" || len(k.Secret) == 0 {
			return invalid("%s needs a shared secret, not an %s key", alg, k.Describe())
		}
		if len(k.Secret) < h.Size() {
			return notChecked("the %d-byte secret is shorter than %s's %d-byte digest; go-jose refuses such secrets, so the signature was not checked", len(k.Secret), alg, h.Size())
		}
		verificationKey = k.Secret
	case alg[:2] == "RS" || alg[:2] == "PS":
		pub, ok := k.Public.(*rsa.PublicKey)
		if !ok {
			return invalid("%s needs an RSA key, not an %s key", alg, k.Describe())
		}
		if v, refused := rsaRefusal(pub); refused {
			return v
		}
		verificationKey = pub
	case alg[:2] == "ES":
		pub, ok := k.Public.(*ecdsa.PublicKey)
		if !ok || curveAlg(pub.Curve.Params().Name) != alg {
			return invalid("%s needs an EC %s key, not an %s key", alg, CurveFor(alg), k.Describe())
		}
		verificationKey = pub
	}

	header, payload, ok := strings.Cut(signingInput, ".")
	if !ok || strings.Contains(payload, ".") {
		return invalid("the signing input is not header.payload")
	}
	if !token.IsCanonicalBase64URL(header) || !token.IsCanonicalBase64URL(payload) {
		return verifyRaw(verificationKey, alg, h, signingInput, sig,
			"go-jose reads only canonical base64url segments; jose 2.x signs over the bytes as sent")
	}
	jws, err := parseJWS(header, payload, alg, encodedSig, sig, compact)
	if err != nil {
		var unexpected *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &unexpected) {
			return notChecked("the header names alg %q, not %s", unexpected.Got, alg)
		}
		return verifyRaw(verificationKey, alg, h, signingInput, sig,
			"go-jose refuses the header ("+goJoseMessage(err)+"), which jose 2.x accepts")
	}
	if _, has := jws.Signatures[0].Protected.ExtraHeaders["b64"]; has {
		// go-jose applies b64 even without crit, and then signs over the
		// decoded payload; jose 2.x signs over the segment as sent.
		return verifyRaw(verificationKey, alg, h, signingInput, sig,
			"go-jose reads the header's b64 differently from jose 2.x")
	}
	if _, err := jws.Verify(verificationKey); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return invalid("signature verification failed")
		}
		return verifyRaw(verificationKey, alg, h, signingInput, sig,
			"go-jose refuses to verify ("+goJoseMessage(err)+"), where jose 2.x does")
	}
	if alg[:2] == "PS" && !pssSaltIsDigestSize(verificationKey.(*rsa.PublicKey), h, signingInput, sig) {
		return invalid("the PSS salt is not as long as the digest, which the server requires")
	}
	return Verdict{Status: Valid}
}

// parseJWS has go-jose read the token as sent. The compact form is the
// cheap and usual case; a header it refuses (one without alg among them) is
// read again in the flattened JSON form, which keeps the header bytes as
// sent and supplies alg from outside, so the error, if any, is that form's.
func parseJWS(header, payload, alg, encodedSig string, sig []byte, compact string) (*jose.JSONWebSignature, error) {
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}
	if encodedSig == "" {
		encodedSig = base64.RawURLEncoding.EncodeToString(sig)
	}
	if compact == "" {
		compact = header + "." + payload + "." + encodedSig
	}
	if jws, err := jose.ParseSignedCompact(compact, algs); err == nil {
		return jws, nil
	}
	serialized := `{"protected":"` + header + `","header":{"alg":"` + alg + `"},"payload":"` + payload +
		`","signature":"` + encodedSig + `"}`
	return jose.ParseSignedJSON(serialized, algs)
}

// pssSaltIsDigestSize applies Node's RSA-PSS rule, which is stricter than
// go-jose's: the salt must be as long as the digest.
func pssSaltIsDigestSize(pub *rsa.PublicKey, h crypto.Hash, input string, sig []byte) bool {
	opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	return rsa.VerifyPSS(pub, h, digestOf(h, input), sig, opts) == nil
}

func digestOf(h crypto.Hash, data string) []byte {
	w := h.New()
	io.WriteString(w, data)
	return w.Sum(nil)
}

// verifyRaw checks a signature whose JWS framing go-jose cannot represent
// (non-canonical base64, duplicate header members, header values it
// refuses) although jose 2.x verifies it over the bytes as sent. It makes
// the same crypto/* calls go-jose makes internally; why says why it was
// needed, and is kept in the verdict.
func verifyRaw(key any, alg string, h crypto.Hash, input string, sig []byte, why string) Verdict {
	good := false
	switch alg[:2] {
	case "HS":
		mac := hmac.New(h.New, key.([]byte))
		io.WriteString(mac, input)
		good = hmac.Equal(mac.Sum(nil), sig)
	case "RS":
		good = rsa.VerifyPKCS1v15(key.(*rsa.PublicKey), h, digestOf(h, input), sig) == nil
	case "PS":
		good = pssSaltIsDigestSize(key.(*rsa.PublicKey), h, input, sig)
	case "ES":
		pub := key.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) == 2*size {
			r := new(big.Int).SetBytes(sig[:size])
			s := new(big.Int).SetBytes(sig[size:])
			good = ecdsa.Verify(pub, digestOf(h, input), r, s)
		}
	}
	if !good {
		return Verdict{Status: Invalid, Reason: "signature verification failed; " + why}
	}
	return Verdict{Status: Valid, Reason: why}
}

// rsaRefusal reports the RSA moduli go-jose cannot check honestly.
func rsaRefusal(pub *rsa.PublicKey) (Verdict, bool) {
	bits := pub.N.BitLen()
	switch {
	case bits > MaxRSABits:
		return notChecked("the RSA modulus is %d bits; the server's crypto refuses keys over %d bits, so the signature was not checked", bits, MaxRSABits), true
	case bits < GoMinRSABits:
		v := notChecked("the RSA key is %d bits; Go refuses keys under %d bits (the server's Node crypto does not), so the signature was not checked", bits, GoMinRSABits)
		v.WeakKey = true
		return v, true
	case pub.N.Bit(0) == 0:
		return invalid("the RSA modulus is even, so no signature can verify with it"), true
	}
	return Verdict{}, false
}

// goJoseMessage drops go-jose's package prefix from an error.
func goJoseMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
}

// Verify reports whether VerifySignature finds the signature valid.
func Verify(k *Key, alg string, signingInput, sig []byte) bool {
	return VerifySignature(k, alg, signingInput, sig).Status == Valid
}
