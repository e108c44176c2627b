// Package keys reads key material in the forms people actually hold it (PEM
// files of several kinds, certificates, JWKs and JWK Sets) and answers the
// questions the CLI asks about it: which alg it signs, whether the Node jose
// 2.x library on the server side would accept it, what its RFC 7638
// thumbprint is, and what is wrong with a JWKS before it is published.
package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Key is one key from a PEM block, a JWK, or an entry of a JWKS.
type Key struct {
	KID        string            `json:"kid,omitempty"`
	Kty        string            `json:"kty"` // "RSA", "EC", "OKP", "oct"
	Alg        string            `json:"alg,omitempty"`
	Use        string            `json:"use,omitempty"`
	KeyOps     []string          `json:"key_ops,omitempty"`
	Crv        string            `json:"crv,omitempty"`
	Bits       int               `json:"bits,omitempty"` // RSA modulus bits; EC curve size; oct secret bits
	Format     string            `json:"format"`         // see the Format* constants
	Index      int               `json:"index"`          // position in its set
	HasPrivate bool              `json:"has_private"`
	Public     crypto.PublicKey  `json:"-"` // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey; nil for oct
	Private    crypto.PrivateKey `json:"-"` // *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey; nil if public only
	Secret     []byte            `json:"-"` // oct keys
	Raw        map[string]any    `json:"-"` // the JWK members as given, when from JSON

	x5c *x5cMemo // set by the JWK parser when Raw has an x5c member
}

// Formats a key can come from.
const (
	FormatPKCS1 = "PKCS#1 PEM"
	FormatPKCS8 = "PKCS#8 PEM"
	FormatSEC1  = "SEC1 PEM"
	FormatSPKI  = "SPKI PEM"
	FormatCert  = "X.509 certificate"
	FormatJWK   = "JWK"
	FormatJWKS  = "JWKS"
)

// Set is the keys found in one input, in order.
type Set struct{ Keys []*Key }

// ByKID returns the keys whose kid is exactly kid.
func (s *Set) ByKID(kid string) []*Key {
	var out []*Key
	for _, k := range s.Keys {
		if k.KID == kid {
			out = append(out, k)
		}
	}
	return out
}

// Resolve returns the key the server verifies with for a header kid value:
// the first key whose kid equals it exactly; a kid that is not a non-empty
// string matches nothing. When standIn is set and the set is a single key
// without a kid of its own (a key the user named directly), that key stands
// for any kid, and assumed says so.
func (s *Set) Resolve(kid any, standIn bool) (key *Key, assumed bool) {
	str, ok := kid.(string)
	if s == nil || !ok || str == "" {
		return nil, false
	}
	if m := s.ByKID(str); len(m) > 0 {
		return m[0], false
	}
	if standIn && len(s.Keys) == 1 && s.Keys[0].KID == "" {
		return s.Keys[0], true
	}
	return nil, false
}

// DuplicateKIDs returns each non-empty kid used by more than one key, in the
// order of first use.
func (s *Set) DuplicateKIDs() []string {
	count := map[string]int{}
	var order []string
	for _, k := range s.Keys {
		if k.KID == "" {
			continue
		}
		if count[k.KID] == 0 {
			order = append(order, k.KID)
		}
		count[k.KID]++
	}
	var dups []string
	for _, kid := range order {
		if count[kid] > 1 {
			dups = append(dups, kid)
		}
	}
	return dups
}

// Asymmetric reports whether every key is RSA, EC or OKP.
func (s *Set) Asymmetric() bool {
	for _, k := range s.Keys {
		switch k.Kty {
		case "RSA", "EC", "OKP":
		default:
			return false
		}
	}
	return true
}

// Describe names the key for people: "RSA 2048-bit", "EC P-384".
func (k *Key) Describe() string {
	switch k.Kty {
	case "RSA":
		return fmt.Sprintf("RSA %d-bit", k.Bits)
	case "EC", "OKP":
		if k.Crv == "" {
			return k.Kty + " key without crv"
		}
		return k.Kty + " " + Printable(k.Crv)
	case "oct":
		return fmt.Sprintf("oct %d-bit secret", k.Bits)
	case "":
		return "key without kty"
	}
	return fmt.Sprintf("%q key", k.Kty)
}

// label names the key inside messages: `key 2 (kid "abc")`.
func (k *Key) label() string {
	if k.KID != "" {
		return fmt.Sprintf("key %d (kid %q)", k.Index, k.KID)
	}
	return fmt.Sprintf("key %d", k.Index)
}

// b64 is the unpadded base64url encoding JOSE uses everywhere.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicMembers returns the members that define the public key, named as in
// RFC 7518, or an error when the key cannot say.
func (k *Key) publicMembers() (map[string]string, error) {
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		return map[string]string{
			"kty": "RSA",
			"n":   b64(pub.N.Bytes()),
			"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
		}, nil
	case *ecdsa.PublicKey:
		raw, err := pub.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k.label(), err)
		}
		size := (len(raw) - 1) / 2
		return map[string]string{
			"kty": "EC",
			"crv": pub.Curve.Params().Name,
			"x":   b64(raw[1 : 1+size]),
			"y":   b64(raw[1+size:]),
		}, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(pub)}, nil
	}
	if k.Kty == "oct" && k.Secret != nil {
		return map[string]string{"kty": "oct", "k": b64(k.Secret)}, nil
	}
	// A well-formed JWK of a kind this package does not load (another curve,
	// say): the required members as given still define it.
	var names []string
	switch k.Kty {
	case "EC":
		names = []string{"crv", "x", "y"}
	case "OKP":
		names = []string{"crv", "x"}
	case "":
		return nil, fmt.Errorf("%s has no kty", k.label())
	default:
		return nil, fmt.Errorf("%s has unsupported kty %q: expected RSA, EC, OKP or oct", k.label(), k.Kty)
	}
	m := map[string]string{"kty": k.Kty}
	for _, n := range names {
		s, ok := k.Raw[n].(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("%s has no %q member", k.label(), n)
		}
		m[n] = s
	}
	return m, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint (SHA-256, base64url
// without padding). go-jose computes it for the keys it loads; oct secrets
// and keys on curves go-jose does not know are hashed here from their
// required members in lexical order.
func Thumbprint(k *Key) (string, error) {
	if k.Public != nil {
		sum, err := (&jose.JSONWebKey{Key: k.Public}).Thumbprint(crypto.SHA256)
		if err != nil {
			return "", fmt.Errorf("%s: %s", k.label(), goJoseMessage(err))
		}
		return b64(sum), nil
	}
	m, err := k.publicMembers()
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(n))
		b.WriteByte(':')
		b.WriteString(quote(m[n]))
	}
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return b64(sum[:]), nil
}

// quote is a JSON string without HTML escaping, as RFC 7638 hashes it.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// PublicJWK returns the public members of the key (kty with n and e, or crv
// with x and y) plus kid, use, alg and key_ops when set. Private members
// never appear, whatever the input held.
func (k *Key) PublicJWK() map[string]any {
	out := map[string]any{}
	if m, err := k.publicMembers(); err == nil {
		for n, v := range m {
			if n == "k" { // an oct secret is all private
				continue
			}
			out[n] = v
		}
	} else {
		// Not a key we can rebuild: keep what was given, minus secrets.
		for n, v := range k.Raw {
			if !slices.Contains(privateMembers, n) && n != "kid" && n != "use" && n != "alg" && n != "key_ops" {
				out[n] = v
			}
		}
		if k.Kty != "" {
			out["kty"] = k.Kty
		}
	}
	if k.KID != "" {
		out["kid"] = k.KID
	}
	if k.Use != "" {
		out["use"] = k.Use
	}
	if k.Alg != "" {
		out["alg"] = k.Alg
	}
	if k.KeyOps != nil {
		out["key_ops"] = append([]string{}, k.KeyOps...)
	}
	return out
}

// privateMembers are the JWK members that hold secret material (RFC 7518
// §6), in the order messages list them.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// AlgFor returns the signing alg a key implies: RS384 for RSA, and for EC
// the ES alg of its curve.
func AlgFor(k *Key) (string, error) {
	switch k.Kty {
	case "RSA":
		return "RS384", nil
	case "EC":
		if alg := curveAlg(k.Crv); alg != "" {
			return alg, nil
		}
		return "", fmt.Errorf("no signing alg for EC curve %q: expected P-256, P-384 or P-521", k.Crv)
	}
	return "", fmt.Errorf("no signing alg for %s: expected an RSA or EC key", k.Describe())
}

// curveAlg returns the only alg an EC curve signs, "" for a curve this
// package does not support.
func curveAlg(crv string) string {
	switch crv {
	case "P-256":
		return "ES256"
	case "P-384":
		return "ES384"
	case "P-521":
		return "ES512"
	}
	return ""
}

// FromPrivate wraps a key made in Go (by GenerateKey or a parser) as a Key.
func FromPrivate(priv crypto.PrivateKey) (*Key, error) {
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported key type %s: expected RSA, EC or Ed25519", goKeyName(priv))
	}
	k, err := fromPublic(signer.Public())
	if err != nil {
		return nil, err
	}
	k.Private = priv
	k.HasPrivate = true
	return k, nil
}

// fromPublic fills the descriptive fields from a Go public key.
func fromPublic(pub crypto.PublicKey) (*Key, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p.N == nil || p.N.Sign() <= 0 {
			return nil, fmt.Errorf("rsa key has no modulus")
		}
		return &Key{Kty: "RSA", Bits: p.N.BitLen(), Public: p}, nil
	case *ecdsa.PublicKey:
		params := p.Curve.Params()
		if curveAlg(params.Name) == "" {
			return nil, fmt.Errorf("unsupported EC curve %s: expected P-256, P-384 or P-521", params.Name)
		}
		return &Key{Kty: "EC", Crv: params.Name, Bits: params.BitSize, Public: p}, nil
	case ed25519.PublicKey:
		return &Key{Kty: "OKP", Crv: "Ed25519", Public: p}, nil
	}
	return nil, fmt.Errorf("unsupported key type %s: expected RSA, EC or Ed25519", goKeyName(pub))
}

// goKeyName names a Go key type without the pointer noise.
func goKeyName(v any) string {
	s := fmt.Sprintf("%T", v)
	s = strings.TrimPrefix(s, "*")
	switch s {
	case "ecdh.PublicKey", "ecdh.PrivateKey":
		return "X25519 or ECDH"
	case "dsa.PublicKey", "dsa.PrivateKey":
		return "DSA"
	}
	return s
}

// samePublic reports whether two keys hold the same public half (for oct
// keys, the same secret).
func samePublic(a, b *Key) bool {
	if a.Kty == "oct" || b.Kty == "oct" {
		return a.Kty == b.Kty && len(a.Secret) > 0 && hmac.Equal(a.Secret, b.Secret)
	}
	if a.Public == nil || b.Public == nil {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.Public.(equaler)
	return ok && e.Equal(b.Public)
}
