package assertion

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"

	"github.com/clientassert/clientassert/pkg/keys"
)

// SignAlgs lists the algs sign can produce, for help and completion.
var SignAlgs = []string{"RS384", "ES384", "RS256", "RS512", "PS256", "PS384", "PS512", "ES256", "ES512", "HS256", "HS384", "HS512"}

// ParseInput reads what sign signs: build output ({"header": ..., "claims":
// ..., "x-clientassert-omit": [...]}) or a bare claims object.
func ParseInput(data []byte) (*Assertion, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return nil, errorf("the input is empty: expected build output or a claims JSON object").
			hint("clientassert build --client-id <id> --kid <kid> | clientassert sign --key <file>")
	}
	obj, err := ParseObject(data)
	if err != nil {
		return nil, errorf("cannot read the input: %s", err).hint("give build output or a claims JSON object")
	}
	if !isBuildOutput(obj) {
		return &Assertion{Claims: obj}, nil
	}
	a := &Assertion{}
	if raw, ok := obj.Get("header"); ok {
		if a.Header, err = ParseObject(raw); err != nil {
			return nil, errorf(`build output: "header" is not a JSON object`)
		}
	}
	raw, _ := obj.Get("claims")
	if a.Claims, err = ParseObject(raw); err != nil {
		return nil, errorf(`build output: "claims" is not a JSON object`)
	}
	if raw, ok := obj.Get(OmitMember); ok {
		if err := json.Unmarshal(raw, &a.Omitted); err != nil {
			return nil, errorf("build output: %q is not an array of names", OmitMember)
		}
	}
	return a, nil
}

// isBuildOutput tells build output from a bare claims set: it has a claims
// object and nothing but header, claims and the omit list.
func isBuildOutput(obj Object) bool {
	raw, ok := obj.Get("claims")
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return false
	}
	for _, m := range obj {
		if m.Name != "header" && m.Name != "claims" && m.Name != OmitMember {
			return false
		}
	}
	return true
}

// SecretKey wraps an HMAC secret as a key Sign accepts.
func SecretKey(secret []byte) *keys.Key {
	return &keys.Key{Kty: "oct", Secret: secret, Bits: len(secret) * 8, HasPrivate: true}
}

// DefaultAlg is the alg a key signs when nothing else decides: the JWK's
// alg, else RS384 for RSA, the ES alg of an EC key's curve, HS384 for a
// secret.
func DefaultAlg(key *keys.Key) (string, error) {
	if key.Alg != "" {
		return key.Alg, nil
	}
	if key.Kty == "oct" {
		return "HS384", nil
	}
	return keys.AlgFor(key)
}

// CanSign says why key cannot produce alg, or nil when it can.
func CanSign(key *keys.Key, alg string) error {
	if key == nil {
		return errorf("no key to sign with")
	}
	if strings.EqualFold(alg, "none") {
		return errorf("alg none means an unsigned token; sign only makes signed ones").
			hint("to reproduce an unsigned token, edit the header of a signed one")
	}
	if _, ok := keys.HashFor(alg); !ok {
		return errorf("unsupported alg %q", alg).hint("use RS384 or ES384 (also: %s)", strings.Join(SignAlgs[2:], ", "))
	}
	family := alg[:2]
	if family == "HS" {
		if key.Kty != "oct" || len(key.Secret) == 0 {
			return errorf("%s needs a shared secret, not an %s key", alg, key.Describe()).
				hint("pass the secret with --secret-file <file> or the CLIENTASSERT_SECRET environment variable")
		}
		return nil
	}
	if key.Kty == "oct" {
		return errorf("a shared secret cannot sign %s", alg).hint("%s needs a private key; a secret signs HS256, HS384 or HS512", alg)
	}
	if key.Private == nil {
		return errorf("the %s key is a public key: signing needs the private key", key.Describe()).
			hint("the JWKS registered with the server holds only public keys; pass the private key (PEM or private JWK)")
	}
	switch family {
	case "RS", "PS":
		if _, ok := key.Private.(*rsa.PrivateKey); !ok {
			e := errorf("an %s key cannot sign %s: %s needs an RSA key", key.Describe(), alg, alg)
			if implied, err := keys.AlgFor(key); err == nil {
				e.hint("this key signs %s: pass --alg %s, or use an RSA key", implied, implied)
			}
			return e
		}
	case "ES":
		priv, ok := key.Private.(*ecdsa.PrivateKey)
		if !ok {
			e := errorf("an %s key cannot sign %s: %s needs an EC %s key", key.Describe(), alg, alg, keys.CurveFor(alg))
			if implied, err := keys.AlgFor(key); err == nil {
				e.hint("this key signs %s: pass --alg %s, or use an EC %s key", implied, implied, keys.CurveFor(alg))
			}
			return e
		}
		if crv := priv.Curve.Params().Name; crv != keys.CurveFor(alg) {
			implied, _ := keys.AlgFor(key)
			return errorf("an EC %s key cannot sign %s: %s needs an EC %s key", crv, alg, alg, keys.CurveFor(alg)).
				hint("an EC %s key signs only %s; make a %s key with: clientassert keys generate --alg %s", crv, implied, keys.CurveFor(alg), alg)
		}
	}
	return nil
}

// Sign serialises a's header and claims and signs them into a compact JWS.
//
// alg is, in order: the alg argument, the header's alg, the key's default.
// The header's kid is, in order: the kid argument, the key's kid, the
// header's own. With no kid at all Sign fails, unless the assertion omits
// kid on purpose. A missing typ becomes "JWT". Members listed in
// a.Omitted stay out of the header.
func Sign(a *Assertion, key *keys.Key, kid, alg string) (string, error) {
	if a == nil {
		a = &Assertion{}
	}
	if key == nil {
		return "", errorf("no key to sign with")
	}
	alg, _, err := ChooseAlg(a, key, alg)
	if err != nil {
		return "", err
	}
	if err := CanSign(key, alg); err != nil {
		return "", err
	}
	header, err := signedHeader(a, key, kid, alg)
	if err != nil {
		return "", err
	}
	claims := a.Claims
	if claims == nil {
		claims = Object{}
	}

	enc := base64.RawURLEncoding
	scratch := make([]byte, 0, 1024)
	headerJSON := header.AppendCompact(scratch)
	claimsJSON := claims.AppendCompact(headerJSON[len(headerJSON):])
	out := make([]byte, 0, enc.EncodedLen(len(headerJSON))+enc.EncodedLen(len(claimsJSON))+2+enc.EncodedLen(sigSize(key, alg)))
	out = enc.AppendEncode(out, headerJSON)
	out = append(out, '.')
	out = enc.AppendEncode(out, claimsJSON)
	sig, err := signBytes(key, alg, out)
	if err != nil {
		return "", err
	}
	out = append(out, '.')
	out = enc.AppendEncode(out, sig)
	return string(out), nil
}

// ChooseAlg picks the alg Sign uses and says where it came from: "--alg"
// (the argument), "header" or "key".
func ChooseAlg(a *Assertion, key *keys.Key, alg string) (string, string, error) {
	if alg != "" {
		return alg, "--alg", nil
	}
	if raw, ok := a.Header.Get("alg"); ok && !a.OmittedName("alg") {
		s, isString := a.Header.String("alg")
		if !isString || s == "" {
			return "", "", errorf("the header's alg is %s, which cannot be signed with", raw).hint("pass --alg to choose the signing alg")
		}
		return s, "header", nil
	}
	alg, err := DefaultAlg(key)
	if err != nil {
		return "", "", errorf("%s", err).hint("pass --alg, or use an RSA or EC P-384 key")
	}
	return alg, "key", nil
}

// ErrNoKID is the error Sign returns when no kid is available.
var ErrNoKID = errors.New("no kid for the header")

func signedHeader(a *Assertion, key *keys.Key, kid, alg string) (Object, error) {
	header := a.Header.Clone()
	pos := 0
	if a.OmittedName("alg") {
		header.Delete("alg")
	} else {
		header.SetAt(0, "alg", jsonString(alg))
		pos = header.index("alg") + 1
	}
	if a.OmittedName("kid") {
		header.Delete("kid")
	} else {
		switch {
		case kid != "":
			header.SetAt(pos, "kid", jsonString(kid))
		case key.KID != "":
			header.SetAt(pos, "kid", jsonString(key.KID))
		case !header.Has("kid"):
			return nil, &Error{Msg: ErrNoKID.Error() + ": the server needs one to find the key", Hints: []string{
				"pass --kid <kid>, use a JWK that has a kid, or build with --kid <kid>",
				"to leave kid out on purpose (to reproduce the error), build with --omit kid",
			}}
		}
		pos = max(pos, header.index("kid")+1)
	}
	if a.OmittedName("typ") {
		header.Delete("typ")
	} else if !header.Has("typ") {
		header.SetAt(pos, "typ", jsonString("JWT"))
	}
	return header, nil
}

func sigSize(key *keys.Key, alg string) int {
	switch alg[:2] {
	case "HS":
		h, _ := keys.HashFor(alg)
		return h.Size()
	case "ES":
		return 2 * ((key.Bits + 7) / 8)
	}
	return (key.Bits + 7) / 8
}

// signBytes signs input with alg; CanSign has checked that key fits.
//
// go-jose does the signing. Its Signer writes its own protected header, so
// the header bytes built here (member order included) could not survive
// it; its cryptosigner signs caller-chosen bytes instead. go-jose exposes
// no HMAC over caller-chosen bytes and refuses secrets shorter than the
// digest, which jose 2.x accepts, so HS* uses crypto/hmac.
func signBytes(key *keys.Key, alg string, input []byte) ([]byte, error) {
	if alg[:2] == "HS" {
		h, _ := keys.HashFor(alg)
		mac := hmac.New(h.New, key.Secret)
		mac.Write(input)
		return mac.Sum(nil), nil
	}
	signer, ok := key.Private.(crypto.Signer)
	if !ok {
		return nil, errorf("the %s key cannot sign", key.Describe())
	}
	sig, err := cryptosigner.Opaque(digestSaltSigner{signer}).SignPayload(input, jose.SignatureAlgorithm(alg))
	return sig, wrapSignError(err)
}

// digestSaltSigner pins RSA-PSS salts to the digest length: jose 2.x on the
// server verifies PS* only with such a salt, while go-jose's cryptosigner
// asks for the longest salt that fits.
type digestSaltSigner struct{ crypto.Signer }

func (s digestSaltSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if pss, ok := opts.(*rsa.PSSOptions); ok {
		pinned := *pss
		pinned.SaltLength = rsa.PSSSaltLengthEqualsHash
		opts = &pinned
	}
	return s.Signer.Sign(rand, digest, opts)
}

func wrapSignError(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(err.Error(), "crypto/rsa: ")
	msg = strings.TrimPrefix(msg, "crypto/ecdsa: ")
	return errorf("cannot sign: %s", msg)
}
