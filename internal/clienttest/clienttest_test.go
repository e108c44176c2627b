package clienttest

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/internal/testenv"
	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/serve"
)

const installHint = "bash testdata/clients/install.sh"

func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// missing skips locally and fails in CI, where .ci/run installs the clients.
func missing(t *testing.T, what string) {
	t.Helper()
	testenv.Missing(t, what+" is not installed", installHint)
}

// result is one attempt as a client script prints it.
type result struct {
	OK               bool    `json:"ok"`
	TokenType        string  `json:"token_type"`
	HasAccessToken   bool    `json:"has_access_token"`
	Error            string  `json:"error"`
	ErrorDescription *string `json:"error_description"`
	Message          string  `json:"message"`
}

// client runs one library's script with the given settings.
type client struct {
	name string
	run  func(t *testing.T, s settings) []result
}

type settings struct {
	tokenURL, key, kid, alg, aud, jti, typ string
	times, lifetime                        int
}

func parseResults(t *testing.T, out []byte) []result {
	t.Helper()
	var rs []result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("client output %q: %v", sc.Text(), err)
		}
		rs = append(rs, r)
	}
	return rs
}

func runScript(t *testing.T, name string, args ...string) []result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return parseResults(t, out)
}

func authlib(t *testing.T, dir string) client {
	python := "/usr/bin/python3"
	if exec.Command(python, "-c", "import authlib, requests").Run() != nil {
		python = "python3"
		if exec.Command(python, "-c", "import authlib, requests").Run() != nil {
			missing(t, "Python Authlib (python3-authlib, python3-requests)")
		}
	}
	return client{name: "authlib", run: func(t *testing.T, s settings) []result {
		args := []string{filepath.Join(dir, "authlib_client.py"), "--token-url", s.tokenURL, "--client-id", fixtures.ClientID,
			"--key", s.key, "--kid", s.kid, "--alg", s.alg, "--aud", s.aud, "--times", itoa(s.times)}
		if s.jti != "" {
			args = append(args, "--jti", s.jti)
		}
		if s.lifetime > 0 {
			// Authlib's default exp is an hour after iat.
			args = append(args, "--lifetime", strconv.Itoa(s.lifetime))
		}
		return runScript(t, python, args...)
	}}
}

func openidClient(t *testing.T, dir string) client {
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node")
	}
	if _, err := os.Stat(filepath.Join(dir, "node", "node_modules", "openid-client", "package.json")); err != nil {
		missing(t, "openid-client (npm)")
	}
	return client{name: "openid-client", run: func(t *testing.T, s settings) []result {
		args := []string{filepath.Join(dir, "node", "openid_client.mjs"), "--token-url=" + s.tokenURL, "--client-id=" + fixtures.ClientID, "--alg=" + s.alg,
			"--key=" + s.key, "--kid=" + s.kid, "--aud=" + s.aud, "--times=" + itoa(s.times)}
		if s.jti != "" {
			args = append(args, "--jti="+s.jti)
		}
		if s.typ != "" {
			args = append(args, "--typ="+s.typ)
		}
		return runScript(t, node, args...)
	}}
}

func itoa(n int) string {
	if n <= 0 {
		n = 1
	}
	return strconv.Itoa(n)
}

// startServe runs serve's handler, as the serve command does, for the
// fixture client on profile p with the wall clock.
func startServe(t *testing.T, p profile.Profile, jwks string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenURL == "" {
		// As serve does for a profile without a token URL of its own.
		p.TokenURL = "http://" + ln.Addr().String() + p.Wire.Path
	}
	l := serve.Loader{ProfileFor: func(string) (profile.Profile, error) { return p, nil }, Fetch: jwksfetch.Options{}}
	reg, err := l.Single(context.Background(), fixtures.ClientID, jwks)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Buffer{}
	srv := serve.New(serve.Options{Profile: p, Log: serve.NewLogger(logs, "text")}, reg).HTTPServer()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = serve.Shutdown(srv) })
	return "http://" + ln.Addr().String() + p.Wire.Path
}

// TestRealClients: each client gets a token with a correct configuration,
// and the exact documented error_description for each fault.
func TestRealClients(t *testing.T) {
	dir := filepath.Join(root(t), "testdata", "clients")
	keysDir := filepath.Join(root(t), "testdata", "keys")
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	us, canada := p.TokenURL, "https://api.ca.redoxengine.com/v2/auth/token"
	for name, mk := range map[string]func(*testing.T, string) client{"authlib": authlib, "openid-client": openidClient} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mk(t, dir)
			tokenURL := startServe(t, p, filepath.Join(keysDir, "jwks.json"))
			good := settings{tokenURL: tokenURL, key: filepath.Join(keysDir, "rsa.pem"), kid: fixtures.KidRSA, alg: "RS384", aud: us, times: 1}
			for _, tc := range []struct {
				name string
				set  func(*settings)
				want string // "" means a token
			}{
				{"valid RS384", func(*settings) {}, ""},
				{"valid ES384", func(s *settings) { s.key, s.kid, s.alg = filepath.Join(keysDir, "ec.pem"), fixtures.KidEC, "ES384" }, ""},
				{"wrong kid", func(s *settings) { s.kid = "rsa-2025-01" }, catalog.DescPublicKeyNotFound},
				{"Canada aud sent to the US endpoint", func(s *settings) { s.aud = canada }, catalog.UnexpectedClaim("aud")},
				{"key the JWKS does not hold", func(s *settings) { s.key = filepath.Join(keysDir, "other-rsa.pem") }, catalog.DescSignatureFailed},
			} {
				s := good
				tc.set(&s)
				rs := c.run(t, s)
				if len(rs) != 1 {
					t.Fatalf("%s: %d results", tc.name, len(rs))
				}
				r := rs[0]
				switch {
				case tc.want == "" && (!r.OK || !r.HasAccessToken || !strings.EqualFold(r.TokenType, "bearer")):
					t.Errorf("%s: no token: %+v", tc.name, r)
				case tc.want != "" && (r.OK || r.ErrorDescription == nil || *r.ErrorDescription != tc.want || r.Error != "invalid_request"):
					t.Errorf("%s: got %+v, want invalid_request %q", tc.name, r, tc.want)
				}
			}
		})
	}
}

// TestRealClientsReplay: where a profile refuses a reused jti, the second
// use of the same jti gets the engine's answer for a replay.
func TestRealClientsReplay(t *testing.T) {
	var unique []profile.Profile
	for _, name := range profile.Names() {
		p, err := profile.Get(name, "")
		if err == nil && p.JTI == profile.JTIUnique {
			unique = append(unique, p)
		}
	}
	if len(unique) == 0 {
		t.Skip("no profile refuses a reused jti yet (profile.JTIUnique); nothing to replay against")
	}
	dir := filepath.Join(root(t), "testdata", "clients")
	keysDir := filepath.Join(root(t), "testdata", "keys")
	for _, p := range unique {
		for name, mk := range map[string]func(*testing.T, string) client{"authlib": authlib, "openid-client": openidClient} {
			t.Run(p.Name+"/"+name, func(t *testing.T) {
				c := mk(t, dir)
				// The key with use sig and no alg, so that a server that fixes
				// the client's alg (hydra: RS256) accepts it.
				ks, err := fixtures.LoadOrCreateKeys(keysDir)
				if err != nil {
					t.Fatal(err)
				}
				jwks := filepath.Join(t.TempDir(), "jwks.json")
				if err := os.WriteFile(jwks, fixtures.JWKS(fixtures.PublicJWK(ks["rsa"], fixtures.KidRSA, map[string]any{"use": "sig"})), 0o600); err != nil {
					t.Fatal(err)
				}
				alg := "RS384"
				if !p.AllowsAlg(alg) {
					alg = "RS256"
				}
				tokenURL := startServe(t, p, jwks)
				aud := p.TokenURL
				if aud == "" {
					aud = tokenURL
				}
				rs := c.run(t, settings{tokenURL: tokenURL, key: filepath.Join(keysDir, "rsa.pem"), kid: fixtures.KidRSA, alg: alg,
					aud: aud, jti: "5b2e8f0a1c4d7e9f3a6b8c0d2e4f6a8b", times: 2, lifetime: 300, typ: "JWT"})
				if len(rs) != 2 || !rs[0].OK || rs[1].OK {
					t.Fatalf("want a token, then a refusal: %s", show(rs))
				}
				want := replayAnswer(t, p, alg)
				if rs[1].Error != want.Error || !sameDescription(rs[1].ErrorDescription, want) {
					t.Errorf("replay: got %s, want %s %q", show(rs[1:]), want.Error, want.ErrorDescription)
				}
			})
		}
	}
}

func show(rs []result) string {
	b, _ := json.Marshal(rs)
	return string(b)
}

func sameDescription(got *string, want lint.Response) bool {
	if want.NoDescription {
		// Authlib reports a missing description as "".
		return got == nil || *got == ""
	}
	return got != nil && *got == want.ErrorDescription
}

// replayAnswer is the engine's answer on p for an assertion, valid but for
// its jti, which the server already holds.
func replayAnswer(t *testing.T, p profile.Profile, alg string) lint.Response {
	t.Helper()
	ks, err := fixtures.LoadOrCreateKeys(filepath.Join(root(t), "testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := profile.Get(p.Name, fixtures.TokenURL)
	if err != nil {
		t.Fatal(err)
	}
	set, err := keys.Parse(fixtures.JWKS(fixtures.PublicJWK(ks["rsa"], fixtures.KidRSA, map[string]any{"use": "sig"})))
	if err != nil {
		t.Fatal(err)
	}
	c := fixtures.Claims(fixtures.Now.Add(-30 * time.Second))
	input := fixtures.B64(fixtures.Header(alg, fixtures.KidRSA).JSON()) + "." + fixtures.B64(c.JSON())
	var sig []byte
	if alg == "RS384" {
		sig = fixtures.SignInput(input, ks["rsa"])
	} else {
		digest := sha256.Sum256([]byte(input))
		if sig, err = rsa.SignPKCS1v15(nil, ks["rsa"].(*rsa.PrivateKey), crypto.SHA256, digest[:]); err != nil {
			t.Fatal(err)
		}
	}
	tok := input + "." + base64.RawURLEncoding.EncodeToString(sig)
	rep := lint.Lint(lint.Input{Token: tok, Profile: q, ClientID: fixtures.ClientID, Keys: set,
		Now: fixtures.Now, JTISeen: func(string, string) bool { return true }})
	if rep.Predicted.Rule != "jti-replayed" {
		t.Fatalf("the engine's answer for a seen jti is rule %q, not jti-replayed", rep.Predicted.Rule)
	}
	return rep.Predicted
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
