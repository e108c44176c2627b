package keys

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
)

// The server loads a client's whole registered set with jose 2.x's
// JWKS.asKeyStore before it looks for the kid, and that load fails as soon
// as ANY entry is malformed, even one the token never names. KeyStoreError
// models that load: the checks below are jose 2.0.7's (lib/jwks/keystore.js,
// lib/jwk/import.js, lib/jwk/key/base.js), in its order, with its messages
// byte for byte (checked against the oracle, see testdata/keystore_oracle.js).

// KeyStoreLoadError is why jose 2.x cannot load a set: the entry that
// fails, jose's own message, and whether it is a JOSEError. The server
// sends a JOSEError's message as the error_description; any other error (a
// TypeError, an OpenSSL decode error) leaves the description empty.
type KeyStoreLoadError struct {
	Index     int    `json:"index"` // -1 when the set as a whole is refused
	KID       string `json:"kid,omitempty"`
	Message   string `json:"message"`
	JOSEError bool   `json:"jose_error"`
}

func (e *KeyStoreLoadError) Error() string {
	where := "the key set"
	if e.Index >= 0 {
		where = fmt.Sprintf("key %d", e.Index)
		if e.KID != "" {
			where += fmt.Sprintf(" (kid %q)", e.KID)
		}
	}
	return fmt.Sprintf("the server's JOSE library cannot load %s: %s", where, Printable(e.Message))
}

// Description is the error_description the server answers with.
func (e *KeyStoreLoadError) Description() string {
	if e.JOSEError {
		return e.Message
	}
	return ""
}

// KeyStoreError returns what the server answers when loading the whole set
// fails (description, the exact error_description, may be empty), and the
// reason; a nil error means the set loads. Sets read from PEM are not JWK
// Sets and always load.
func (s *Set) KeyStoreError() (description string, err error) {
	if e := s.keyStoreLoadError(); e != nil {
		return e.Description(), e
	}
	return "", nil
}

func (s *Set) keyStoreLoadError() *KeyStoreLoadError {
	if s == nil {
		return nil
	}
	for _, k := range s.Keys {
		if k.Raw == nil {
			return nil
		}
		if _, has := k.Raw["kty"]; !has {
			return &KeyStoreLoadError{Index: -1, Message: "jwks must be a JSON Web Key Set formatted object"}
		}
	}
	for _, k := range s.Keys {
		if msg, jose := importFailure(k); msg != "" {
			return &KeyStoreLoadError{Index: k.Index, KID: k.KID, Message: msg, JOSEError: jose}
		}
	}
	return nil
}

// opensslDecodeError is what Node's crypto throws for key material it
// cannot decode; jose passes it on as is.
const opensslDecodeError = "error:03000072:digital envelope routines::decode error"

// okpKeySize returns the public key length of a curve Node loads as OKP.
func okpKeySize(crv string) (int, bool) {
	switch crv {
	case "Ed25519", "X25519":
		return 32, true
	case "Ed448":
		return 57, true
	case "X448":
		return 56, true
	}
	return 0, false
}

// importFailure is jose 2.x's importKey for one entry: key material first,
// then the JWK parameters. It returns the message ("" when the entry
// loads) and whether the error is a JOSEError.
func importFailure(k *Key) (string, bool) {
	switch k.Kty {
	case "RSA":
		if k.HasPrivate && k.Private == nil && k.Bits <= MaxRSABits {
			if _, hasP := k.Raw["p"]; !hasP {
				return "importing private RSA keys without all other private key parameters is not enabled, see documentation and its advisory on how and when its ok to enable it", true
			}
		}
	case "EC":
		switch k.Crv {
		case "P-256", "P-384", "P-521":
		case "secp256k1":
			// Node loads it; only the coordinate lengths are checked here.
			if b64Len(k.Raw["x"]) != 32 || b64Len(k.Raw["y"]) != 32 {
				return opensslDecodeError, false
			}
		default:
			return "unsupported EC key curve: " + k.Crv, true
		}
	case "OKP":
		size, known := okpKeySize(k.Crv)
		if !known {
			return "unsupported OKP key curve: " + k.Crv, true
		}
		if _, has := k.Raw["x"]; !has {
			return "key import failed", true
		}
		if b64Len(k.Raw["x"]) != size {
			return opensslDecodeError, false
		}
	case "oct":
	default:
		return "unsupported key type: " + k.Kty, true
	}

	if _, has := k.Raw["use"]; has && k.Use != "sig" && k.Use != "enc" {
		return "`use` must be either \"sig\" or \"enc\" string when provided", false
	}
	if _, has := k.Raw["alg"]; has && k.Alg == "" {
		return "`alg` must be a non-empty string when provided", false
	}
	if _, has := k.Raw["kid"]; has && k.KID == "" {
		return "`kid` must be a non-empty string when provided", false
	}
	if k.KeyOps != nil && len(k.KeyOps) == 0 {
		return "`key_ops` must be a non-empty array of strings when provided", false
	}
	if k.Use != "" && len(k.KeyOps) > 0 && InconsistentUse(k.Use, k.KeyOps) {
		return `inconsistent JWK "use" and "key_ops"`, true
	}
	if x5c, has := k.Raw["x5c"]; has && k.Kty != "oct" {
		return x5cFailure(k, x5c)
	}
	return "", false
}

// x5cFailure checks the certificate chain of a JWK as jose 2.x does.
func x5cFailure(k *Key, x5c any) (string, bool) {
	list, ok := x5c.([]any)
	if !ok || len(list) == 0 {
		return "`x5c` must be an array of one or more PKIX certificates when provided", false
	}
	for _, c := range list {
		if _, ok := c.(string); !ok {
			return "`x5c` must be an array of one or more PKIX certificates when provided", false
		}
	}
	// jose reads the chain in order and compares the first certificate's key
	// before it reads the second.
	certs, bad := k.X5C()
	if bad != 0 && k.Public != nil {
		if e, ok := certs[0].PublicKey.(interface {
			Equal(x crypto.PublicKey) bool
		}); ok && !e.Equal(k.Public) {
			return "The key in the first `x5c` certificate MUST match the public key represented by the JWK", true
		}
	}
	if bad >= 0 {
		return fmt.Sprintf("`x5c` member at index %d is not a valid base64-encoded DER PKIX certificate", bad), true
	}
	return "", false
}

// x5cMemo keeps what X5C found, so that a key set loaded once and checked
// for every token of a batch parses its certificates once.
type x5cMemo struct {
	once  sync.Once
	certs []*x509.Certificate
	bad   int
}

// X5C parses the certificates of the key's x5c member, an array (callers
// check its shape first). It returns them in order up to the first entry
// that is not a base64 DER certificate (a string that is not one, or no
// string at all), and that entry's index, or -1 when every entry is one. A
// key read from a JWK parses them once.
func (k *Key) X5C() (certs []*x509.Certificate, bad int) {
	if k.x5c == nil {
		return parseX5C(k.Raw["x5c"])
	}
	k.x5c.once.Do(func() { k.x5c.certs, k.x5c.bad = parseX5C(k.Raw["x5c"]) })
	return k.x5c.certs, k.x5c.bad
}

func parseX5C(x5c any) ([]*x509.Certificate, int) {
	list, _ := x5c.([]any)
	certs := make([]*x509.Certificate, 0, len(list))
	for i, c := range list {
		str, _ := c.(string)
		der, err := base64.StdEncoding.DecodeString(str)
		var cert *x509.Certificate
		if err == nil {
			cert, err = x509.ParseCertificate(der)
		}
		if err != nil {
			return certs, i
		}
		certs = append(certs, cert)
	}
	return certs, -1
}

// b64Len is the decoded length of a base64url member, -1 when it is not
// one.
func b64Len(v any) int {
	s, ok := v.(string)
	if !ok {
		return -1
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return -1
	}
	return len(b)
}
