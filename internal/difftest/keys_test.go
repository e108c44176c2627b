//go:debug rsa1024min=0

package difftest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"
)

// keyPair is one generated key with the public JWK the client registers for it.
type keyPair struct {
	kid  string
	priv crypto.Signer
	jwk  map[string]any
}

// keyring is every key the generated cases sign with or register. The keys
// come from crypto/rand each run; which key a case uses is fixed by the seed.
type keyring struct {
	rsaMain   *keyPair // RSA 2048, no alg/use: RS384
	ecMain    *keyPair // EC P-384: ES384
	rsa1024   *keyPair // RSA 1024
	rsaRS256  *keyPair // RSA 2048 with JWK alg RS256
	ec256     *keyPair // EC P-256
	rsaEnc    *keyPair // RSA 2048 with use "enc"
	rsaOps    *keyPair // RSA 2048 with key_ops ["sign"]
	rsaVerify *keyPair // RSA 2048 with key_ops ["verify"]
	rsaSig    *keyPair // RSA 2048 with use "sig" and alg RS384
	ecAlg     *keyPair // EC P-384 with alg ES384 and use "sig"
	ecAlg256  *keyPair // EC P-384 with alg ES256 (a mislabelled key)
	ec521     *keyPair // EC P-521
	hmac      *keyPair // oct secret (only in the mixed key set)
	rsa512    *keyPair // RSA 512: too small for RS384 in jose
	rsa640    *keyPair // RSA 640: just big enough for RS384 in jose

	// Keys nobody registers, for signatures by the wrong key.
	rsaStranger *keyPair
	ecStranger  *keyPair

	hmacSecret []byte
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newKeyring(t *testing.T) *keyring {
	t.Helper()
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatalf("generate RSA %d: %v", bits, err)
		}
		return k
	}
	ecKey := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatalf("generate EC: %v", err)
		}
		return k
	}
	rsaPair := func(kid string, priv *rsa.PrivateKey, extra map[string]any) *keyPair {
		jwk := map[string]any{"kty": "RSA", "kid": kid,
			"n": b64(priv.N.Bytes()), "e": b64(big.NewInt(int64(priv.E)).Bytes())}
		for k, v := range extra {
			jwk[k] = v
		}
		return &keyPair{kid: kid, priv: priv, jwk: jwk}
	}
	ecPair := func(kid string, priv *ecdsa.PrivateKey, extra map[string]any) *keyPair {
		size := (priv.Curve.Params().BitSize + 7) / 8
		raw, err := priv.PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatalf("EC public key: %v", err)
		}
		jwk := map[string]any{"kty": "EC", "kid": kid, "crv": priv.Curve.Params().Name,
			"x": b64(raw[1 : 1+size]), "y": b64(raw[1+size:])}
		for k, v := range extra {
			jwk[k] = v
		}
		return &keyPair{kid: kid, priv: priv, jwk: jwk}
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	return &keyring{
		rsaMain:     rsaPair("rsa-main", rsaKey(2048), nil),
		ecMain:      ecPair("ec-main", ecKey(elliptic.P384()), nil),
		rsa1024:     rsaPair("rsa-1024", rsaKey(1024), nil),
		rsaRS256:    rsaPair("rsa-rs256", rsaKey(2048), map[string]any{"alg": "RS256"}),
		ec256:       ecPair("ec-256", ecKey(elliptic.P256()), nil),
		rsaEnc:      rsaPair("rsa-enc", rsaKey(2048), map[string]any{"use": "enc"}),
		rsaOps:      rsaPair("rsa-ops", rsaKey(2048), map[string]any{"key_ops": []any{"sign"}}),
		rsaVerify:   rsaPair("rsa-verify", rsaKey(2048), map[string]any{"key_ops": []any{"verify"}}),
		rsaSig:      rsaPair("rsa-sig", rsaKey(2048), map[string]any{"use": "sig", "alg": "RS384"}),
		ecAlg:       ecPair("ec-alg", ecKey(elliptic.P384()), map[string]any{"use": "sig", "alg": "ES384"}),
		ecAlg256:    ecPair("ec-alg256", ecKey(elliptic.P384()), map[string]any{"alg": "ES256"}),
		ec521:       ecPair("ec-521", ecKey(elliptic.P521()), nil),
		rsa512:      rsaPair("rsa-512", rsaKey(512), nil),
		rsa640:      rsaPair("rsa-640", rsaKey(640), nil),
		hmac:        &keyPair{kid: "hmac", jwk: map[string]any{"kty": "oct", "kid": "hmac", "k": b64(secret)}},
		rsaStranger: rsaPair("rsa-main", rsaKey(2048), nil),
		ecStranger:  ecPair("ec-main", ecKey(elliptic.P384()), nil),
		hmacSecret:  secret,
	}
}

// registered is the default key set of a client: every asymmetric key.
func (kr *keyring) registered() []*keyPair {
	return []*keyPair{kr.rsaMain, kr.ecMain, kr.rsa1024, kr.rsaRS256, kr.ec256, kr.rsaEnc,
		kr.rsaOps, kr.rsaVerify, kr.rsaSig, kr.ecAlg, kr.ecAlg256, kr.ec521, kr.rsa512, kr.rsa640}
}

// jwks renders a key set; jwk members may be overridden per key by the case.
func jwks(pairs ...*keyPair) map[string]any {
	list := make([]any, 0, len(pairs))
	for _, p := range pairs {
		list = append(list, p.jwk)
	}
	return map[string]any{"keys": list}
}

// withJWK returns a copy of p whose JWK has the given members changed
// (a nil value deletes the member).
func withJWK(p *keyPair, changes map[string]any) *keyPair {
	jwk := make(map[string]any, len(p.jwk)+len(changes))
	for k, v := range p.jwk {
		jwk[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(jwk, k)
		} else {
			jwk[k] = v
		}
	}
	kid, _ := jwk["kid"].(string)
	return &keyPair{kid: kid, priv: p.priv, jwk: jwk}
}

// selfSignedCert is a base64 DER certificate for p's key, as a JWK's x5c
// member carries it.
func selfSignedCert(p *keyPair) string {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: p.kid},
		NotBefore:    time.Unix(baseTime, 0).Add(-24 * time.Hour),
		NotAfter:     time.Unix(baseTime, 0).Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, p.priv.Public(), p.priv)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}
