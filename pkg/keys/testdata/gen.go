//go:debug rsa1024min=0

// Command gen writes the key fixtures of package keys. Run it with
// "go generate ./pkg/keys".
//
// EC, Ed25519, X25519 and oct keys come from fixed seeds, so they are the
// same on every run. crypto/rsa cannot generate RSA keys deterministically,
// so the RSA private keys (rsa*.pkcs1.pem) are generated once, committed,
// and read back on later runs; delete them to make new ones. Every other file
// is derived from those keys and comes out byte for byte the same.
//
// It uses only the standard library, never package keys, so the fixtures
// check that package instead of repeating it.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"time"
)

var dir = flag.String("dir", "testdata", "directory to write the fixtures to")

func main() {
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	rsa2048 := rsaKey("rsa2048.pkcs1.pem", 2048)
	rsa1024 := rsaKey("rsa1024.pkcs1.pem", 1024)
	rsa512 := rsaKey("rsa512.pkcs1.pem", 512)
	ec256 := ecKey(elliptic.P256(), "p256")
	ec384 := ecKey(elliptic.P384(), "p384")
	ec521 := ecKey(elliptic.P521(), "p521")
	ed := ed25519.NewKeyFromSeed(seed("ed25519", ed25519.SeedSize))
	x, err := ecdh.X25519().NewPrivateKey(seed("x25519", 32))
	check(err)
	secret := seed("oct", 32)

	// RSA 2048 in every PEM shape, and as JWKs.
	write("rsa2048.pkcs8.pem", pemOf("PRIVATE KEY", pkcs8(rsa2048)))
	write("rsa2048.pub.pkcs1.pem", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa2048.PublicKey)))
	write("rsa2048.spki.pem", pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey)))
	rsaCert := cert(rsa2048, &rsa2048.PublicKey, "rsa2048 fixture", 1)
	write("rsa2048.cert.pem", pemOf("CERTIFICATE", rsaCert))
	write("rsa2048.jwk", jsonOf(withKID(rsaPrivateJWK(rsa2048), "rsa2048", "RS384")))
	write("rsa2048.pub.jwk", jsonOf(withKID(rsaJWK(&rsa2048.PublicKey), "", "")))
	write("rsa1024.spki.pem", pemOf("PUBLIC KEY", spki(&rsa1024.PublicKey)))
	write("rsa512.spki.pem", pemOf("PUBLIC KEY", spki(&rsa512.PublicKey)))

	// EC keys. The SEC1 file starts with the EC PARAMETERS block that
	// "openssl ecparam -genkey" writes.
	sec1, err := x509.MarshalECPrivateKey(ec256)
	check(err)
	params := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07} // OID prime256v1
	write("ec256.sec1.pem", append(pemOf("EC PARAMETERS", params), pemOf("EC PRIVATE KEY", sec1)...))
	write("ec384.pkcs8.pem", pemOf("PRIVATE KEY", pkcs8(ec384)))
	write("ec384.spki.pem", pemOf("PUBLIC KEY", spki(&ec384.PublicKey)))
	write("ec384.cert.pem", pemOf("CERTIFICATE", cert(rsa2048, &ec384.PublicKey, "ec384 fixture", 2)))
	write("ec384.jwk", jsonOf(withKID(ecPrivateJWK(ec384), "ec384", "ES384")))
	sec1, err = x509.MarshalECPrivateKey(ec521)
	check(err)
	write("ec521.sec1.pem", pemOf("EC PRIVATE KEY", sec1))

	// Ed25519, X25519 (a key that cannot sign) and a shared secret.
	write("ed25519.pkcs8.pem", pemOf("PRIVATE KEY", pkcs8(ed)))
	write("ed25519.spki.pem", pemOf("PUBLIC KEY", spki(ed.Public())))
	write("ed25519.jwk", jsonOf(map[string]any{
		"kty": "OKP", "crv": "Ed25519", "kid": "ed25519",
		"x": b64(ed.Public().(ed25519.PublicKey)), "d": b64(ed.Seed()),
	}))
	write("x25519.pkcs8.pem", pemOf("PRIVATE KEY", pkcs8(x)))
	write("oct.jwk", jsonOf(map[string]any{"kty": "oct", "kid": "hmac", "k": b64(secret)}))

	// The example key of RFC 7638 §3.1, whose thumbprint the RFC gives.
	write("rfc7638.jwk", []byte(rfc7638))

	// Several blocks in one file, as a certificate bundle often is.
	write("bundle.pem", append(pemOf("CERTIFICATE", rsaCert), pemOf("PRIVATE KEY", pkcs8(ec384))...))

	// Encrypted keys, in the PKCS#8 and the legacy OpenSSL form. The bodies
	// are filler: the parser must refuse them by their headers alone.
	write("encrypted.pkcs8.pem", pemOf("ENCRYPTED PRIVATE KEY", seed("encrypted", 64)))
	write("encrypted.legacy.pem", pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   seed("legacy", 64),
	}))

	// A clean JWKS, as "keys generate" and "keys jwks" would write it.
	good := []map[string]any{
		withKID(rsaJWK(&rsa2048.PublicKey), thumbprint(rsaJWK(&rsa2048.PublicKey)), "RS384"),
		withKID(ecJWK(&ec384.PublicKey), thumbprint(ecJWK(&ec384.PublicKey)), "ES384"),
	}
	for _, k := range good {
		k["use"] = "sig"
	}
	write("jwks.good.json", jsonOf(map[string]any{"keys": good}))

	// A JWKS that breaks every rule of Check; the comment on each entry
	// names the rules it must trigger (the test keeps the same list).
	bad := []map[string]any{
		withKID(rsaPrivateJWK(rsa2048), "leaky", ""),                         // 0 private-members
		withKID(ecJWK(&ec384.PublicKey), "dup", ""),                          // 1
		withKID(ecJWK(&ec256.PublicKey), "dup", "ES384"),                     // 2 duplicate-kid, curve-alg-mismatch
		withKID(rsaJWK(&rsa512.PublicKey), "tiny", ""),                       // 3 rsa-too-small (error)
		withKID(rsaJWK(&rsa1024.PublicKey), "small", ""),                     // 4 rsa-too-small (warning), use-not-sig
		withKID(rsaJWK(&rsa2048.PublicKey), "", ""),                          // 5 missing-kid, key-ops-not-verify
		{"kid": "nokty", "n": "AQAB", "e": "AQAB"},                           // 6 missing-kty
		{"kty": "foo", "kid": "weird"},                                       // 7 unsupported-kty
		withKID(ecJWK(&ec384.PublicKey), "enc-alg", "RSA-OAEP"),              // 8 alg-not-signing
		withKID(rsaJWK(&rsa2048.PublicKey), "es-alg", "ES384"),               // 9 kty-alg-mismatch
		{"kty": "oct", "kid": "secret", "k": b64(secret)},                    // 10 private-members
		{"kty": "EC", "kid": "k1", "crv": "secp256k1", "x": "AA", "y": "AA"}, // 11 unsupported-crv
	}
	bad[4]["use"] = "enc"
	bad[5]["key_ops"] = []string{"sign"}
	write("jwks.bad.json", jsonOf(map[string]any{"keys": bad}))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func write(name string, data []byte) {
	check(os.WriteFile(filepath.Join(*dir, name), data, 0o644))
}

// seed derives n fixed bytes from a label.
func seed(label string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		sum := sha512.Sum512([]byte(fmt.Sprintf("clientassert fixture %s %d", label, i)))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

// rsaKey reads the committed key, or makes one when it is missing.
func rsaKey(name string, bits int) *rsa.PrivateKey {
	if data, err := os.ReadFile(filepath.Join(*dir, name)); err == nil {
		block, _ := pem.Decode(data)
		if block == nil {
			log.Fatalf("%s: no PEM block", name)
		}
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		check(err)
		return k
	}
	log.Printf("generating a new %d-bit RSA key in %s", bits, name)
	k, err := rsa.GenerateKey(rand.Reader, bits)
	check(err)
	write(name, pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)))
	return k
}

func ecKey(curve elliptic.Curve, label string) *ecdsa.PrivateKey {
	size := (curve.Params().BitSize + 7) / 8
	d := seed(label, size)
	if curve == elliptic.P521() {
		d[0] &= 0x01 // P-521 scalars have 521 bits
	}
	k, err := ecdsa.ParseRawPrivateKey(curve, d)
	check(err)
	return k
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(k any) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	check(err)
	return der
}

func spki(k any) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	check(err)
	return der
}

// cert makes a certificate for pub signed by the RSA key (PKCS #1 v1.5
// signatures are deterministic, so the output is too).
func cert(signer *rsa.PrivateKey, pub crypto.PublicKey, cn string, serial int64) []byte {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	check(err)
	return der
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(k *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func rsaPrivateJWK(k *rsa.PrivateKey) map[string]any {
	m := rsaJWK(&k.PublicKey)
	m["d"] = b64(k.D.Bytes())
	m["p"] = b64(k.Primes[0].Bytes())
	m["q"] = b64(k.Primes[1].Bytes())
	m["dp"] = b64(k.Precomputed.Dp.Bytes())
	m["dq"] = b64(k.Precomputed.Dq.Bytes())
	m["qi"] = b64(k.Precomputed.Qinv.Bytes())
	return m
}

func ecJWK(k *ecdsa.PublicKey) map[string]any {
	raw, err := k.Bytes()
	check(err)
	size := (len(raw) - 1) / 2
	return map[string]any{"kty": "EC", "crv": k.Curve.Params().Name, "x": b64(raw[1 : 1+size]), "y": b64(raw[1+size:])}
}

func ecPrivateJWK(k *ecdsa.PrivateKey) map[string]any {
	m := ecJWK(&k.PublicKey)
	d, err := k.Bytes()
	check(err)
	m["d"] = b64(d)
	return m
}

func withKID(m map[string]any, kid, alg string) map[string]any {
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// thumbprint is RFC 7638, written out independently of package keys.
func thumbprint(m map[string]any) string {
	var names []string
	switch m["kty"] {
	case "RSA":
		names = []string{"e", "kty", "n"}
	case "EC":
		names = []string{"crv", "kty", "x", "y"}
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", n, m[n])
	}
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return b64(sum[:])
}

func jsonOf(v any) []byte {
	out, err := json.MarshalIndent(v, "", "  ")
	check(err)
	return append(out, '\n')
}

const rfc7638 = `{
  "kty": "RSA",
  "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  "e": "AQAB",
  "alg": "RS256",
  "kid": "2011-04-29"
}
`
