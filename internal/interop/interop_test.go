// Package interop checks clientassert against other JOSE implementations:
// tokens the CLI signs must verify with PyJWT and with panva/jose 2.0.7 (the
// library the Redox token endpoint validates with) and with the Debian jose
// tool, using the JWKS that
// "clientassert keys generate" wrote, and tokens those libraries sign with
// the generated keys must lint clean. Each library is optional on a
// developer's machine: its tests skip, saying what to install, when it is
// missing. In CI (CI=true) a missing library fails the run; .ci/run installs
// them all.
package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clientassert/clientassert/internal/testenv"
)

const (
	clientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"
	tokenURL = "https://api.redoxengine.com/v2/auth/token"
)

var (
	bin     string // the clientassert binary built for this run
	workDir string
)

func TestMain(m *testing.M) {
	var err error
	workDir, err = os.MkdirTemp("", "clientassert-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin = filepath.Join(workDir, "clientassert")
	build := exec.Command("go", "build", "-o", bin, "github.com/clientassert/clientassert/cmd/clientassert")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot build clientassert: %v\n%s", err, out)
		os.RemoveAll(workDir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(workDir)
	os.Exit(code)
}

// keyPair is a private key file and the public JWKS registered for it.
type keyPair struct {
	Alg, KID, Private, JWKS string
	// Generated is true when "keys generate" made the pair with its
	// default kid, the RFC 7638 thumbprint.
	Generated bool
}

var (
	pairsOnce sync.Once
	pairs     []keyPair
	pairsErr  error
)

// keyPairs generates an RS384 and an ES384 key with the CLI. Where the keys
// command is not available it falls back to the committed fixtures.
func keyPairs(t *testing.T) []keyPair {
	t.Helper()
	pairsOnce.Do(func() {
		for _, alg := range []string{"RS384", "ES384"} {
			priv := filepath.Join(workDir, alg+".pem")
			jwks := filepath.Join(workDir, alg+".jwks.json")
			out, err := exec.Command(bin, "keys", "generate", "--alg", alg, "--private-out", priv, "--jwks-out", jwks).CombinedOutput()
			if err != nil {
				if bytes.Contains(out, []byte("unknown command")) {
					pairs = fixturePairs()
					return
				}
				pairsErr = fmt.Errorf("keys generate --alg %s: %v\n%s", alg, err, out)
				return
			}
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			data, err := os.ReadFile(jwks)
			if err == nil {
				err = json.Unmarshal(data, &set)
			}
			if err != nil || len(set.Keys) != 1 {
				pairsErr = fmt.Errorf("keys generate wrote an unreadable JWKS %s: %v", jwks, err)
				return
			}
			kid, _ := set.Keys[0]["kid"].(string)
			pairs = append(pairs, keyPair{Alg: alg, KID: kid, Private: priv, JWKS: jwks, Generated: true})
		}
	})
	if pairsErr != nil {
		t.Fatal(pairsErr)
	}
	for _, p := range pairs {
		if p.Generated {
			t.Logf("%s key from keys generate, kid %s", p.Alg, p.KID)
		} else {
			t.Logf("%s key from testdata/keys (keys generate is not available), kid %s", p.Alg, p.KID)
		}
	}
	return pairs
}

func fixturePairs() []keyPair {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "keys"))
	jwks := filepath.Join(dir, "jwks.json")
	return []keyPair{
		{Alg: "RS384", KID: "rsa-2026-11", Private: filepath.Join(dir, "rsa.pem"), JWKS: jwks},
		{Alg: "ES384", KID: "ec-2026-11", Private: filepath.Join(dir, "ec.pem"), JWKS: jwks},
	}
}

// run executes a command and returns its stdout, failing the test on a
// non-zero exit.
func run(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(name), strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// signWithCLI runs build | sign at the current time, as a user would.
func signWithCLI(t *testing.T, p keyPair) string {
	t.Helper()
	built := run(t, nil, bin, "build", "--client-id", clientID, "--kid", p.KID)
	tok := run(t, []byte(built), bin, "sign", "--key", p.Private)
	if strings.Count(tok, "\n") != 1 || strings.Count(tok, ".") != 2 {
		t.Fatalf("sign printed %q, want one line holding a compact token", tok)
	}
	return strings.TrimSpace(tok)
}

// verified is what a verifying library reports back.
type verified struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

func checkVerified(t *testing.T, out string, p keyPair) {
	t.Helper()
	var v verified
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("verifier output %q: %v", out, err)
	}
	if v.Header["alg"] != p.Alg || v.Header["kid"] != p.KID || v.Header["typ"] != "JWT" {
		t.Errorf("header as verified: %v", v.Header)
	}
	if v.Claims["iss"] != clientID || v.Claims["sub"] != clientID || v.Claims["aud"] != tokenURL {
		t.Errorf("claims as verified: %v", v.Claims)
	}
}

// lintClean asserts that lint, given the registered JWKS, predicts 200 with
// a verified signature and no error finding.
func lintClean(t *testing.T, tok string, p keyPair) {
	t.Helper()
	out := run(t, nil, bin, "lint", tok, "--client-id", clientID, "--jwks", p.JWKS, "--format", "json")
	var r struct {
		Predicted struct {
			Status  int  `json:"status"`
			Certain bool `json:"certain"`
		} `json:"predicted_response"`
		Summary struct {
			Errors int `json:"errors"`
		} `json:"summary"`
		KID      string            `json:"verified_with_kid"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("lint output: %v\n%s", err, out)
	}
	if r.Predicted.Status != 200 || !r.Predicted.Certain || r.Summary.Errors != 0 || r.KID != p.KID {
		t.Errorf("lint does not predict a clean 200 for %s:\n%s", tok, out)
	}
	for _, f := range r.Findings {
		t.Logf("lint finding (not an error): %s", f)
	}
}

// ---- PyJWT ----

func python(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import jwt, cryptography").Run() == nil {
			return path
		}
	}
	testenv.Missing(t, "PyJWT is not installed (the PyJWT interoperability tests need it)", "apt-get install python3-jwt")
	return ""
}

const pyVerify = `
import json, sys, jwt
tok, jwks_path, alg, aud, iss = sys.argv[1:6]
header = jwt.get_unverified_header(tok)
with open(jwks_path) as f:
    jwks = json.load(f)
jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
claims = jwt.decode(tok, jwt.PyJWK(jwk).key, algorithms=[alg], audience=aud, issuer=iss,
                    options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]})
print(json.dumps({"header": header, "claims": claims}))
`

const pySign = `
import sys, time, secrets, jwt
pem_path, alg, kid, client, aud = sys.argv[1:6]
now = int(time.time())
claims = {"iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + 300, "jti": secrets.token_hex(16)}
with open(pem_path) as f:
    print(jwt.encode(claims, f.read(), algorithm=alg, headers={"kid": kid, "typ": "JWT"}))
`

func TestPyJWTVerifiesClientassertTokens(t *testing.T) {
	py := python(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			tok := signWithCLI(t, p)
			checkVerified(t, run(t, nil, py, "-c", pyVerify, tok, p.JWKS, p.Alg, tokenURL, clientID), p)
		})
	}
}

func TestPyJWTTokensLintClean(t *testing.T) {
	py := python(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			tok := strings.TrimSpace(run(t, nil, py, "-c", pySign, p.Private, p.Alg, p.KID, clientID, tokenURL))
			lintClean(t, tok, p)
		})
	}
}

// ---- panva/jose 2.0.7 (Node) ----

// joseDir finds the jose 2.0.7 package the oracle installs under
// testdata/oracle/.
func joseDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		testenv.Missing(t, "node is not installed (the jose 2.0.7 interoperability tests need Node.js and npm)", "apt-get install nodejs npm && npm ci --prefix testdata/oracle")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "oracle", "node_modules", "jose"))
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		testenv.Missing(t, "jose 2.0.7 is not installed under "+dir, "npm ci --prefix testdata/oracle")
	}
	var pkg struct{ Version string }
	if json.Unmarshal(data, &pkg) != nil || pkg.Version != "2.0.7" {
		testenv.Missing(t, fmt.Sprintf("%s holds jose %q, not 2.0.7", dir, pkg.Version), "npm ci --prefix testdata/oracle")
	}
	return dir
}

const nodeVerify = `
const fs = require('fs')
const [joseDir, tok, jwksPath, alg, aud, iss] = process.argv.slice(1)
const { JWKS, JWT } = require(joseDir)
const keystore = JWKS.asKeyStore(JSON.parse(fs.readFileSync(jwksPath, 'utf8')))
const r = JWT.verify(tok, keystore, {
  algorithms: [alg], audience: aud, issuer: iss, maxTokenAge: '5m', clockTolerance: '10s', complete: true
})
console.log(JSON.stringify({ header: r.header, claims: r.payload }))
`

const nodeSign = `
const fs = require('fs')
const crypto = require('crypto')
const [joseDir, pemPath, alg, kid, client, aud] = process.argv.slice(1)
const { JWK, JWT } = require(joseDir)
const key = JWK.asKey(fs.readFileSync(pemPath))
const tok = JWT.sign({ jti: crypto.randomBytes(16).toString('hex') }, key, {
  algorithm: alg, audience: aud, issuer: client, subject: client, expiresIn: '5m',
  header: { kid, typ: 'JWT' }, kid: false
})
console.log(JSON.stringify({ token: tok, thumbprint: key.thumbprint }))
`

func TestJoseVerifiesClientassertTokens(t *testing.T) {
	dir := joseDir(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			tok := signWithCLI(t, p)
			checkVerified(t, run(t, nil, "node", "-e", nodeVerify, dir, tok, p.JWKS, p.Alg, tokenURL, clientID), p)
		})
	}
}

func TestJoseTokensLintClean(t *testing.T) {
	dir := joseDir(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			var out struct{ Token, Thumbprint string }
			if err := json.Unmarshal([]byte(run(t, nil, "node", "-e", nodeSign, dir, p.Private, p.Alg, p.KID, clientID, tokenURL)), &out); err != nil {
				t.Fatal(err)
			}
			lintClean(t, out.Token, p)
			// jose names an imported key by its RFC 7638 thumbprint, which is
			// also the kid keys generate defaults to.
			if p.Generated && out.Thumbprint != p.KID {
				t.Errorf("jose's thumbprint %q differs from the generated kid %q", out.Thumbprint, p.KID)
			}
		})
	}
}

// ---- the jose command-line tool (Debian package jose, C libjose) ----

func joseCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("jose")
	if err != nil {
		testenv.Missing(t, "the jose command-line tool is not installed", "apt-get install jose")
	}
	return path
}

// privateJWK writes the private key of a PEM file as a JWK with alg, which
// the jose tool needs to sign.
func privateJWK(t *testing.T, p keyPair) string {
	t.Helper()
	data, err := os.ReadFile(p.Private)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM block", p.Private)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := map[string]any{"kid": p.KID, "alg": p.Alg}
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		k.Precompute()
		jwk["kty"], jwk["n"], jwk["e"], jwk["d"] = "RSA", b64(k.N.Bytes()), b64([]byte{1, 0, 1}), b64(k.D.Bytes())
		jwk["p"], jwk["q"] = b64(k.Primes[0].Bytes()), b64(k.Primes[1].Bytes())
		jwk["dp"], jwk["dq"], jwk["qi"] = b64(k.Precomputed.Dp.Bytes()), b64(k.Precomputed.Dq.Bytes()), b64(k.Precomputed.Qinv.Bytes())
		if k.E != 65537 {
			t.Fatalf("unexpected RSA exponent %d", k.E)
		}
	case *ecdsa.PrivateKey:
		point, _ := k.PublicKey.Bytes()
		d, _ := k.Bytes()
		size := (len(point) - 1) / 2
		jwk["kty"], jwk["crv"], jwk["x"], jwk["y"], jwk["d"] = "EC", "P-384", b64(point[1:1+size]), b64(point[1+size:]), b64(d)
	default:
		t.Fatalf("unexpected key type %T", priv)
	}
	out, _ := json.Marshal(jwk)
	path := filepath.Join(t.TempDir(), "private.jwk")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestJoseCLIVerifiesClientassertTokens(t *testing.T) {
	jose := joseCLI(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			tok := signWithCLI(t, p)
			payload := run(t, nil, jose, "jws", "ver", "-i", tok, "-k", p.JWKS, "-O", "-")
			if !strings.Contains(payload, `"iss":"`+clientID+`"`) {
				t.Errorf("jose jws ver printed %q", payload)
			}
			broken := tok[:len(tok)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(tok, "AA")]
			if exec.Command(jose, "jws", "ver", "-i", broken, "-k", p.JWKS).Run() == nil {
				t.Error("jose jws ver accepted a token with a changed signature")
			}
		})
	}
}

func TestJoseCLITokensLintClean(t *testing.T) {
	jose := joseCLI(t)
	for _, p := range keyPairs(t) {
		t.Run(p.Alg, func(t *testing.T) {
			jwk := privateJWK(t, p)
			built := run(t, nil, bin, "build", "--client-id", clientID, "--kid", p.KID)
			var parts struct{ Claims json.RawMessage }
			if err := json.Unmarshal([]byte(built), &parts); err != nil {
				t.Fatal(err)
			}
			var claims bytes.Buffer
			if err := json.Compact(&claims, parts.Claims); err != nil {
				t.Fatal(err)
			}
			claimsFile := filepath.Join(t.TempDir(), "claims.json")
			if err := os.WriteFile(claimsFile, claims.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			protected := fmt.Sprintf(`{"protected":{"alg":%q,"kid":%q,"typ":"JWT"}}`, p.Alg, p.KID)
			tok := strings.TrimSpace(run(t, nil, jose, "jws", "sig", "-I", claimsFile, "-k", jwk, "-s", protected, "-c", "-o", "-"))
			lintClean(t, tok, p)
			// PKCS#1 v1.5 is deterministic: the same header, claims and key
			// must give the very same token from both tools.
			if p.Alg == "RS384" {
				ours := strings.TrimSpace(run(t, []byte(built), bin, "sign", "--key", p.Private))
				if ours != tok {
					t.Errorf("clientassert sign and jose jws sig differ:\n%s\n%s", ours, tok)
				}
			}
		})
	}
}
