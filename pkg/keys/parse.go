package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// expected ends the message for input that is not key material.
const expected = "expected a PEM key, JWK or JWKS"

// Parse reads key material and detects its format: one or more PEM blocks
// (PKCS#1 RSA private or public keys, PKCS#8, SEC1 EC, SPKI, certificates),
// a JWK object, or a JWKS {"keys":[...]}. Surrounding whitespace and a UTF-8
// byte order mark are ignored.
//
// A JWKS entry whose kty is missing or unknown, or whose curve is not one
// this package loads, is kept (with a nil Public) so that Check can report
// it; malformed key material is an error. Errors are one line, lower case.
func Parse(data []byte) (set *Set, err error) {
	defer func() {
		// The parsers below are all from the standard library and written
		// not to panic, but a key file is untrusted input: never crash.
		if r := recover(); r != nil {
			set, err = nil, fmt.Errorf("cannot parse key: internal error: %v", r)
		}
	}()
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return nil, errors.New("empty input: " + expected)
	case data[0] == '{' || data[0] == '[':
		return parseJSON(data)
	case bytes.Contains(data, []byte("-----BEGIN")):
		return parsePEM(data)
	case data[0] == 0x30:
		return nil, errors.New("input looks like binary DER: " + expected)
	case looksLikeJWT(data):
		return nil, errors.New("input looks like a JWT, not a key: " + expected)
	}
	return nil, errors.New("not a PEM key, JWK or JWKS")
}

func looksLikeJWT(data []byte) bool {
	s := string(data)
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2 && !strings.ContainsAny(s, " \n\t{")
}

// ---- PEM ----

func parsePEM(data []byte) (*Set, error) {
	set := &Set{}
	rest := data
	n := 0
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = r
		n++
		if _, enc := block.Headers["Proc-Type"]; enc || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, fmt.Errorf("PEM block %d is an %w: expected an unencrypted key, or its passphrase", n, ErrEncrypted)
		}
		if block.Type == "EC PARAMETERS" {
			continue // openssl ecparam -genkey writes this before the key
		}
		k, err := parsePEMBlock(block)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		k.Index = len(set.Keys)
		set.Keys = append(set.Keys, k)
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		if n == 0 {
			return nil, errors.New("malformed PEM: expected -----BEGIN <type>-----, base64 lines, -----END <type>-----")
		}
		return nil, fmt.Errorf("malformed PEM after block %d: expected -----BEGIN <type>-----, base64 lines, -----END <type>-----", n)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("PEM input holds no key: " + expected)
	}
	return set, nil
}

func parsePEMBlock(block *pem.Block) (*Key, error) {
	var (
		k   *Key
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		var priv *rsa.PrivateKey
		if priv, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, derError("PKCS#1 RSA private key", err)
		}
		k, err = FromPrivate(priv)
		if k != nil {
			k.Format = FormatPKCS1
		}
	case "RSA PUBLIC KEY":
		var pub *rsa.PublicKey
		if pub, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
			return nil, derError("PKCS#1 RSA public key", err)
		}
		k, err = fromPublic(pub)
		if k != nil {
			k.Format = FormatPKCS1
		}
	case "PRIVATE KEY":
		var priv any
		if priv, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			return nil, derError("PKCS#8 private key", err)
		}
		k, err = FromPrivate(priv)
		if k != nil {
			k.Format = FormatPKCS8
		}
	case "EC PRIVATE KEY":
		var priv *ecdsa.PrivateKey
		if priv, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
			return nil, derError("SEC1 EC private key", err)
		}
		k, err = FromPrivate(priv)
		if k != nil {
			k.Format = FormatSEC1
		}
	case "PUBLIC KEY":
		var pub any
		if pub, err = x509.ParsePKIXPublicKey(block.Bytes); err != nil {
			return nil, derError("SPKI public key", err)
		}
		k, err = fromPublic(pub)
		if k != nil {
			k.Format = FormatSPKI
		}
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err != nil {
			return nil, derError("X.509 certificate", err)
		}
		k, err = fromPublic(cert.PublicKey)
		if k != nil {
			k.Format = FormatCert
		}
	default:
		return nil, fmt.Errorf("unsupported PEM type %q: expected a private key, public key or certificate", block.Type)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// derError words a crypto/x509 failure in house style.
func derError(what string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "x509: ")
	return fmt.Errorf("invalid %s: %s", what, msg)
}

// ---- JSON ----

func parseJSON(data []byte) (*Set, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON (%s): expected a JWK or JWKS", jsonErr(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value: expected a single JWK or JWKS")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New(`JSON is not an object: expected a JWK or a JWKS {"keys":[...]}`)
	}
	if rawKeys, has := obj["keys"]; has {
		list, ok := rawKeys.([]any)
		if !ok {
			return nil, errors.New(`JWKS "keys" is not an array: expected {"keys":[{...},...]}`)
		}
		set := &Set{Keys: make([]*Key, 0, len(list))}
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("JWKS key %d is not a JSON object: expected a JWK", i)
			}
			k, err := parseJWK(m, i)
			if err != nil {
				return nil, fmt.Errorf("JWKS key %d: %w", i, err)
			}
			k.Format = FormatJWKS
			set.Keys = append(set.Keys, k)
		}
		return set, nil
	}
	if _, has := obj["kty"]; !has {
		return nil, errors.New(`JSON object has neither "keys" nor "kty": expected a JWK or JWKS`)
	}
	k, err := parseJWK(obj, 0)
	if err != nil {
		return nil, fmt.Errorf("JWK: %w", err)
	}
	k.Format = FormatJWK
	return &Set{Keys: []*Key{k}}, nil
}

// jsonErr shortens encoding/json errors to what a person can act on.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if err == io.ErrUnexpectedEOF {
		return "unexpected end of input"
	}
	return err.Error()
}

// parseJWK loads one JWK. It records every member in Raw, and refuses only
// what cannot be a key at all: members of the wrong JSON type and key
// material that does not decode.
func parseJWK(m map[string]any, index int) (*Key, error) {
	k := &Key{Index: index, Raw: m}
	if _, has := m["x5c"]; has {
		k.x5c = new(x5cMemo)
	}
	var err error
	if k.Kty, err = strMember(m, "kty"); err != nil {
		return nil, err
	}
	if k.KID, err = strMember(m, "kid"); err != nil {
		return nil, err
	}
	if k.Alg, err = strMember(m, "alg"); err != nil {
		return nil, err
	}
	if k.Use, err = strMember(m, "use"); err != nil {
		return nil, err
	}
	if ops, has := m["key_ops"]; has {
		list, ok := ops.([]any)
		if !ok {
			return nil, errors.New(`"key_ops" is not an array: expected an array of strings such as ["verify"]`)
		}
		k.KeyOps = make([]string, 0, len(list))
		for _, o := range list {
			s, ok := o.(string)
			if !ok {
				return nil, errors.New(`"key_ops" holds a non-string: expected an array of strings such as ["verify"]`)
			}
			k.KeyOps = append(k.KeyOps, s)
		}
	}
	for _, n := range privateMembers {
		if _, has := m[n]; has {
			k.HasPrivate = true
		}
	}
	if k.Crv, err = strMember(m, "crv"); err != nil {
		return nil, err
	}
	switch k.Kty {
	case "RSA":
		err = loadRSA(k, m)
	case "EC":
		err = loadEC(k, m)
	case "OKP":
		err = loadOKP(k, m)
	case "oct":
		err = loadOct(k, m)
	}
	// Missing or unknown kty: kept as is for Check to report.
	if err != nil {
		return nil, err
	}
	return k, nil
}

func strMember(m map[string]any, name string) (string, error) {
	v, has := m[name]
	if !has {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q is not a string", name)
	}
	return s, nil
}

// b64Member decodes a base64url member. A missing member gives nil, nil
// unless required.
func b64Member(m map[string]any, name string, required bool) ([]byte, error) {
	v, has := m[name]
	if !has {
		if required {
			return nil, fmt.Errorf("missing %q member", name)
		}
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%q is not a string: expected base64url", name)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("%q is not valid base64url", name)
	}
	if required && len(b) == 0 {
		return nil, fmt.Errorf("%q is empty", name)
	}
	return b, nil
}

func init() {
	// go-jose stops at 4096-bit RSA JWKs; the server's crypto goes to 16384.
	jose.MaxRSAModulusBits = MaxRSABits
}

// fromGoJose has go-jose build the Go key for JWK members this package has
// already checked (and worded the refusals of, as the server's model
// needs). Members are given canonical, so go-jose sees what jose 2.x reads.
func fromGoJose(members map[string][]byte, strs map[string]string) (any, error) {
	obj := map[string]string{}
	for n, v := range strs {
		obj[n] = v
	}
	for n, v := range members {
		if v != nil {
			obj[n] = b64(v)
		}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return jwk.Key, nil
}

func loadRSA(k *Key, m map[string]any) error {
	nb, err := b64Member(m, "n", true)
	if err != nil {
		return err
	}
	eb, err := b64Member(m, "e", true)
	if err != nil {
		return err
	}
	n := new(big.Int).SetBytes(nb)
	e := new(big.Int).SetBytes(eb)
	if n.Sign() == 0 {
		return errors.New(`"n" is zero`)
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return errors.New(`"e" is not a usable RSA exponent: expected an odd value such as AQAB (65537)`)
	}
	k.Bits = n.BitLen()
	if k.Bits > MaxRSABits {
		// Kept, with its numbers only, for Check to report; no RSA math is
		// done with it (and its private members are not checked).
		k.Public = &rsa.PublicKey{N: n, E: int(e.Int64())}
		return nil
	}
	rsaKty := map[string]string{"kty": "RSA"}
	pub, err := fromGoJose(map[string][]byte{"n": nb, "e": eb}, rsaKty)
	if err != nil {
		return fmt.Errorf("invalid RSA key: %s", goJoseMessage(err))
	}
	k.Public = pub

	d, err := b64Member(m, "d", false)
	if err != nil || d == nil {
		return err
	}
	members := map[string][]byte{"n": nb, "e": eb, "d": d}
	for _, name := range []string{"p", "q", "dp", "dq", "qi"} {
		if members[name], err = b64Member(m, name, false); err != nil {
			return err
		}
	}
	if members["p"] == nil || members["q"] == nil {
		// "d" alone is a valid but rare JWK; usable for reports, not for
		// signing here.
		return nil
	}
	priv, err := fromGoJose(members, rsaKty)
	if err != nil {
		return errors.New("private members do not form a valid RSA key with n and e")
	}
	k.Private = priv
	return nil
}

// curveNamed builds the curve only when a key needs it: constructing all
// three at start-up costs every run the better part of a millisecond.
func curveNamed(name string) (elliptic.Curve, bool) {
	switch name {
	case "P-256":
		return elliptic.P256(), true
	case "P-384":
		return elliptic.P384(), true
	case "P-521":
		return elliptic.P521(), true
	}
	return nil, false
}

func loadEC(k *Key, m map[string]any) error {
	if _, has := m["crv"]; !has {
		return errors.New(`missing "crv" member: expected P-256, P-384 or P-521`)
	}
	curve, ok := curveNamed(k.Crv)
	if !ok {
		return nil // another curve: kept for Check to report
	}
	size := (curve.Params().BitSize + 7) / 8
	k.Bits = curve.Params().BitSize
	x, err := b64Member(m, "x", true)
	if err != nil {
		return err
	}
	y, err := b64Member(m, "y", true)
	if err != nil {
		return err
	}
	if len(x) > size || len(y) > size {
		return fmt.Errorf(`"x" or "y" is longer than %d bytes, the size of %s`, size, k.Crv)
	}
	point := make([]byte, 1+2*size)
	point[0] = 4
	copy(point[1+size-len(x):1+size], x)
	copy(point[1+2*size-len(y):], y)
	if _, err := ecdsa.ParseUncompressedPublicKey(curve, point); err != nil {
		return fmt.Errorf(`"x" and "y" are not a point on %s`, k.Crv)
	}
	ecMembers := map[string][]byte{"x": point[1 : 1+size], "y": point[1+size:]}
	ecStrs := map[string]string{"kty": "EC", "crv": k.Crv}
	pub, err := fromGoJose(ecMembers, ecStrs)
	if err != nil {
		return fmt.Errorf("invalid EC key: %s", goJoseMessage(err))
	}
	k.Public = pub
	d, err := b64Member(m, "d", false)
	if err != nil || d == nil {
		return err
	}
	if len(d) > size {
		return fmt.Errorf(`"d" is longer than %d bytes, the size of %s`, size, k.Crv)
	}
	padded := make([]byte, size)
	copy(padded[size-len(d):], d)
	if _, err := ecdsa.ParseRawPrivateKey(curve, padded); err != nil {
		return fmt.Errorf(`"d" is not a valid %s private key`, k.Crv)
	}
	ecMembers["d"] = padded
	priv, err := fromGoJose(ecMembers, ecStrs)
	if err != nil {
		return fmt.Errorf("invalid EC private key: %s", goJoseMessage(err))
	}
	ecPriv := priv.(*ecdsa.PrivateKey)
	// go-jose takes d as given; the server's model needs it to match.
	if !ecPublicMatches(ecPriv, pub.(*ecdsa.PublicKey)) {
		return errors.New(`"d" does not match "x" and "y"`)
	}
	k.Private = ecPriv
	return nil
}

// ecPublicMatches reports whether priv's d yields the public point pub.
func ecPublicMatches(priv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) bool {
	raw, err := priv.Bytes()
	if err != nil {
		return false
	}
	derived, err := ecdsa.ParseRawPrivateKey(priv.Curve, raw)
	return err == nil && derived.PublicKey.Equal(pub)
}

func loadOKP(k *Key, m map[string]any) error {
	if _, has := m["crv"]; !has {
		return errors.New(`missing "crv" member: expected Ed25519`)
	}
	if k.Crv != "Ed25519" {
		return nil // Ed448, X25519...: kept for Check to report
	}
	x, err := b64Member(m, "x", true)
	if err != nil {
		return err
	}
	if len(x) != ed25519.PublicKeySize {
		return fmt.Errorf(`"x" is %d bytes: an Ed25519 public key is %d`, len(x), ed25519.PublicKeySize)
	}
	okpStrs := map[string]string{"kty": "OKP", "crv": "Ed25519"}
	pubKey, err := fromGoJose(map[string][]byte{"x": x}, okpStrs)
	if err != nil {
		return fmt.Errorf("invalid Ed25519 key: %s", goJoseMessage(err))
	}
	pub := pubKey.(ed25519.PublicKey)
	k.Public = pub
	d, err := b64Member(m, "d", false)
	if err != nil || d == nil {
		return err
	}
	if len(d) != ed25519.SeedSize {
		return fmt.Errorf(`"d" is %d bytes: an Ed25519 private key is %d`, len(d), ed25519.SeedSize)
	}
	privKey, err := fromGoJose(map[string][]byte{"x": x, "d": d}, okpStrs)
	if err != nil {
		return fmt.Errorf("invalid Ed25519 private key: %s", goJoseMessage(err))
	}
	priv := privKey.(ed25519.PrivateKey)
	if !pub.Equal(priv.Public()) {
		return errors.New(`"d" does not match "x"`)
	}
	k.Private = priv
	return nil
}

func loadOct(k *Key, m map[string]any) error {
	secret, err := b64Member(m, "k", true)
	if err != nil {
		return err
	}
	k.Secret, k.Bits = secret, len(secret)*8
	return nil
}
