package doctor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
)

// freshAssertion builds and signs the assertion a correctly configured
// client would send now: alg, kid and typ in the header (and jku when set),
// iss = sub = client_id, aud, iat, exp and a random jti in the claims.
func freshAssertion(priv *keys.Key, alg, kid, jku, clientID, aud string, now time.Time, lifetime time.Duration) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	header := struct {
		Alg string `json:"alg"`
		KID string `json:"kid,omitempty"`
		Typ string `json:"typ"`
		JKU string `json:"jku,omitempty"`
	}{alg, kid, "JWT", jku}
	iat := now.Unix()
	claims := struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
		JTI string `json:"jti"`
	}{clientID, clientID, aud, iat, iat + int64(lifetime/time.Second), hex.EncodeToString(jti)}
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sig, err := signInput(priv, alg, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// signInput signs with RSASSA-PKCS1-v1_5 for RS*, and for ES* in the
// fixed-size r||s form JWS uses instead of ASN.1.
func signInput(priv *keys.Key, alg string, input []byte) ([]byte, error) {
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	h, ok := hashes[alg[min(2, len(alg)):]]
	if !ok || len(alg) != 5 {
		return nil, fmt.Errorf("cannot sign %s: doctor signs RS256/384/512 and ES256/384/512", alg)
	}
	w := h.New()
	w.Write(input)
	digest := w.Sum(nil)
	switch k := priv.Private.(type) {
	case *rsa.PrivateKey:
		if alg[:2] == "RS" {
			return rsa.SignPKCS1v15(rand.Reader, k, h, digest)
		}
	case *ecdsa.PrivateKey:
		if want, err := keys.AlgFor(priv); err == nil && want == alg {
			r, s, err := ecdsa.Sign(rand.Reader, k, digest)
			if err != nil {
				return nil, err
			}
			size := (k.Curve.Params().BitSize + 7) / 8
			out := make([]byte, 2*size)
			r.FillBytes(out[:size])
			s.FillBytes(out[size:])
			return out, nil
		}
	}
	return nil, fmt.Errorf("cannot sign %s with a %s key", alg, priv.Describe())
}
