package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"sort"
)

// memberOrder is the order people expect to read JWK members in; members not
// listed follow in lexical order.
var memberOrder = []string{"kty", "kid", "use", "alg", "key_ops", "crv", "n", "e", "x", "y"}

// EncodeJWKS renders {"keys":[...]} as indented JSON with each JWK's members
// in a stable, readable order, ending in a newline.
func EncodeJWKS(jwks []map[string]any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for i, jwk := range jwks {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeObject(&b, jwk); err != nil {
			return nil, err
		}
	}
	b.WriteString(`]}`)
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeObject(b *bytes.Buffer, m map[string]any) error {
	seen := map[string]bool{}
	var names []string
	for _, n := range memberOrder {
		if _, ok := m[n]; ok {
			names = append(names, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range m {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(n))
		b.WriteByte(':')
		v, err := json.Marshal(m[n])
		if err != nil {
			return err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return nil
}

// PrivatePEM encodes the key's private half as a PKCS#8 "PRIVATE KEY" block.
func PrivatePEM(k *Key) ([]byte, error) {
	if k.Private == nil {
		return nil, errors.New("no private key to encode")
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
