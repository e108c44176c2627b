package difftest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// raw is JSON text written into a member value as is.
type raw string

type member struct {
	name  string
	value any
}

// jobj is a JSON object kept in member order; it may repeat a name, which a
// map cannot.
type jobj []member

func (o jobj) clone() jobj { return append(jobj(nil), o...) }

// set replaces the first member called name, or appends it.
func (o *jobj) set(name string, value any) {
	for i := range *o {
		if (*o)[i].name == name {
			(*o)[i].value = value
			return
		}
	}
	*o = append(*o, member{name, value})
}

// add appends a member even when the name is already there.
func (o *jobj) add(name string, value any) { *o = append(*o, member{name, value}) }

// del removes every member called name.
func (o *jobj) del(name string) {
	out := (*o)[:0]
	for _, m := range *o {
		if m.name != name {
			out = append(out, m)
		}
	}
	*o = out
}

func (o jobj) get(name string) (any, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].name == name {
			return o[i].value, true
		}
	}
	return nil, false
}

func jsonText(v any) string {
	if r, ok := v.(raw); ok {
		return string(r)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (o jobj) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonText(m.name))
		b.WriteByte(':')
		b.WriteString(jsonText(m.value))
	}
	b.WriteByte('}')
	return b.String()
}

// sign produces a JWS signature the way a client library would, or a
// deliberately broken one. how is a JWS alg or one of the fault names
// below; key is the signer.
func sign(how string, key *keyPair, secret []byte, input string) ([]byte, error) {
	digest := func(h crypto.Hash) []byte {
		switch h {
		case crypto.SHA256:
			d := sha256.Sum256([]byte(input))
			return d[:]
		case crypto.SHA384:
			d := sha512.Sum384([]byte(input))
			return d[:]
		default:
			d := sha512.Sum512([]byte(input))
			return d[:]
		}
	}
	hashOf := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	switch how {
	case "none", "empty":
		return nil, nil
	case "garbage":
		return []byte("not a signature at all"), nil
	}
	if strings.HasPrefix(how, "HS") {
		mac := hmac.New(hashOf[how[2:]].New, secret)
		mac.Write([]byte(input))
		return mac.Sum(nil), nil
	}
	if key == nil || key.priv == nil {
		return nil, fmt.Errorf("signing %s needs a private key", how)
	}
	switch how {
	case "RS256", "RS384", "RS512":
		rk, ok := key.priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an RSA key", how)
		}
		h := hashOf[how[2:]]
		return rsa.SignPKCS1v15(rand.Reader, rk, h, digest(h))
	case "PS256", "PS384", "PS512":
		rk, ok := key.priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an RSA key", how)
		}
		h := hashOf[how[2:]]
		return rsa.SignPSS(rand.Reader, rk, h, digest(h), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES256", "ES384", "ES512", "ES384-DER", "ES384-short", "ES384-long", "ES384-zero":
		ek, ok := key.priv.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an EC key", how)
		}
		alg, fault, _ := strings.Cut(how, "-")
		h := hashOf[alg[2:]]
		if fault == "DER" {
			return ecdsa.SignASN1(rand.Reader, ek, digest(h))
		}
		r, s, err := ecdsa.Sign(rand.Reader, ek, digest(h))
		if err != nil {
			return nil, err
		}
		size := (ek.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		switch fault {
		case "short":
			sig = sig[:len(sig)-1]
		case "long":
			sig = append(sig, 0)
		case "zero":
			sig = make([]byte, 2*size)
		}
		return sig, nil
	}
	return nil, fmt.Errorf("unknown signing mode %q", how)
}

const (
	formType      = "application/x-www-form-urlencoded"
	assertionURN  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	tokenURLUS    = "https://api.redoxengine.com/v2/auth/token"
	tokenURLCA    = "https://api.ca.redoxengine.com/v2/auth/token"
	tokenPathHost = "api.redoxengine.com"
)

func strp(s string) *string { return &s }

// field is one name=value pair of a form body, written in order.
type field struct{ name, value string }

func formBody(fields []field) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, url.QueryEscape(f.name)+"="+url.QueryEscape(f.value))
	}
	return strings.Join(parts, "&")
}

// httpRequest renders the raw HTTP/1.1 request the client sends; the Go
// side reads it back with request.Parse.
func httpRequest(tokenURL, headerName string, contentType *string, body string) []byte {
	u, err := url.Parse(tokenURL)
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\n", u.RequestURI())
	fmt.Fprintf(&b, "Host: %s\r\n", u.Host)
	if contentType != nil {
		fmt.Fprintf(&b, "%s: %s\r\n", headerName, *contentType)
	}
	fmt.Fprintf(&b, "Accept: application/json\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.WriteString(body)
	return []byte(b.String())
}
