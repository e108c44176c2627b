package serve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/internal/testenv"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

const testdata = "../../../testdata"

// running is serve started in-process with args.
type running struct {
	url    string
	stderr *testenv.Buffer
	stop   chan struct{}
	done   chan error
}

func start(t *testing.T, args ...string) *running {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	r := &running{stderr: &testenv.Buffer{}, stop: make(chan struct{}), done: make(chan error, 1)}
	ios.ErrOut = r.stderr
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
	ready := make(chan string, 1)
	cmd := NewCmdServe(f, func(o *ServeOptions) error {
		o.Ready = func(u string) { ready <- u }
		o.Stop = r.stop
		return serveRun(o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	go func() { r.done <- cmd.Execute() }()
	select {
	case r.url = <-ready:
	case err := <-r.done:
		t.Fatalf("serve exited before it was ready: %v\n%s", err, r.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not get ready")
	}
	t.Cleanup(func() { r.shutdown(t) })
	return r
}

func (r *running) shutdown(t *testing.T) {
	select {
	case <-r.stop:
		return
	default:
	}
	close(r.stop)
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("serve did not drain")
	}
}

func runErr(t *testing.T, args ...string) (error, string) {
	t.Helper()
	ios, _, _, stderr := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
	cmd := NewCmdServe(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	return err, stderr.String()
}

func token(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "tokens", name+".jwt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func form(tok string) url.Values {
	return url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {tok}}
}

func postToken(t *testing.T, c *http.Client, u, tok string) (int, map[string]any) {
	t.Helper()
	resp, err := c.PostForm(u+"/v2/auth/token", form(tok))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

var now = fixtures.Now.Format(time.RFC3339)

// TestReadinessAndContract: the first stderr line names the real port, and
// the contract's answers hold.
func TestReadinessAndContract(t *testing.T) {
	r := start(t, "--client-id", fixtures.ClientID, "--jwks", filepath.Join(testdata, "keys", "jwks.json"),
		"--addr", "127.0.0.1:0", "--now", now)
	first, _, _ := strings.Cut(r.stderr.String(), "\n")
	if first != "listening on "+r.url || strings.HasSuffix(r.url, ":0") {
		t.Errorf("first stderr line %q, url %q", first, r.url)
	}
	if status, body := postToken(t, http.DefaultClient, r.url, token(t, "valid-rs384")); status != 200 ||
		body["access_token"] == nil || body["token_type"] == nil || body["expires_in"] == nil {
		t.Errorf("valid: %d %v", status, body)
	}
	if status, body := postToken(t, http.DefaultClient, r.url, token(t, "kid-unknown")); status != 400 ||
		body["error"] != "invalid_request" || body["error_description"] != "Public key not found, check client_id, kid and Redox dashboard settings" {
		t.Errorf("kid-unknown: %d %v", status, body)
	}
	resp, err := http.Get(r.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()
}

// TestReloadOnSIGHUP: a client added to the clients file is served after
// SIGHUP; a broken file on reload keeps the old clients.
func TestReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	jwks, err := os.ReadFile(filepath.Join(testdata, "keys", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	clients := filepath.Join(dir, "clients.json")
	write := func(s string) {
		if err := os.WriteFile(clients, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`[{"client_id": "someone-else", "jwks": "jwks.json"}]`)
	r := start(t, "--clients", clients, "--addr", "127.0.0.1:0", "--now", now)
	tok := token(t, "valid-rs384")
	if status, _ := postToken(t, http.DefaultClient, r.url, tok); status != 400 {
		t.Fatalf("before reload: %d, want 400 for an unregistered client", status)
	}

	write(`[{"client_id": "someone-else", "jwks": "jwks.json"}, {"client_id": "` + fixtures.ClientID + `", "jwks": ` + string(jwks) + `}]`)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(r.stderr.String(), "reloaded 2 client(s)") }, r)
	if status, body := postToken(t, http.DefaultClient, r.url, tok); status != 200 {
		t.Fatalf("after reload: %d %v", status, body)
	}

	write(`[{"client_id": `)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(r.stderr.String(), "reload failed, keeping 2 client(s)") }, r)
	if status, _ := postToken(t, http.DefaultClient, r.url, tok); status != 200 {
		t.Errorf("after a failed reload: %d, want the old clients kept", status)
	}
}

func waitFor(t *testing.T, cond func() bool, r *running) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; stderr:\n%s", r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTLS: with --tls-cert and --tls-key serve speaks HTTPS and says so.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, certPEM, 0o600)
	_ = os.WriteFile(keyFile, keyPEM, 0o600)
	r := start(t, "--client-id", fixtures.ClientID, "--jwks", filepath.Join(testdata, "keys", "jwks.json"),
		"--addr", "127.0.0.1:0", "--now", now, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(r.url, "https://127.0.0.1:") || !strings.HasPrefix(r.stderr.String(), "listening on https://") {
		t.Fatalf("url %q, stderr %q", r.url, r.stderr.String())
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if status, body := postToken(t, c, r.url, token(t, "valid-es384")); status != 200 {
		t.Errorf("over TLS: %d %v", status, body)
	}
	resp, err := http.PostForm(strings.Replace(r.url, "https", "http", 1)+"/v2/auth/token", form(token(t, "valid-es384")))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("a token was served over plain HTTP on the TLS port")
		}
	}
}

func selfSigned(t *testing.T) ([]byte, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "serve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// TestCannotStart: a taken port, an unreadable key set or a bad clients file
// is one error line and exit 2, before any readiness line.
func TestCannotStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	jwks := filepath.Join(testdata, "keys", "jwks.json")
	dir := t.TempDir()
	bad := filepath.Join(dir, "clients.json")
	_ = os.WriteFile(bad, []byte(`[{"client_id":"a"}]`), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-id", "x", "--jwks", jwks, "--addr", ln.Addr().String()}, "cannot listen on " + ln.Addr().String() + ": address already in use"},
		{[]string{"--client-id", "x", "--jwks", filepath.Join(dir, "missing.json"), "--addr", "127.0.0.1:0"}, "--jwks: " + filepath.Join(dir, "missing.json") + ": no such file"},
		{[]string{"--client-id", "x", "--jwks", "http://127.0.0.1:1/jwks", "--addr", "127.0.0.1:0"}, "--jwks: jwks_uri http://127.0.0.1:1/jwks:"},
		{[]string{"--clients", bad, "--addr", "127.0.0.1:0"}, `--clients: client "a" needs exactly one of jwks and jwks_uri`},
		{[]string{"--client-id", "x", "--addr", "127.0.0.1:0"}, "--client-id needs --jwks"},
		{[]string{"--addr", "127.0.0.1:0"}, "no client registered"},
	} {
		err, stderr := runErr(t, c.args...)
		if err == nil || cmdutil.ExitCode(err) != 2 || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%v: got %v (exit %d), want %q", c.args, err, cmdutil.ExitCode(err), c.want)
		}
		if strings.Contains(stderr, "listening on") {
			t.Errorf("%v: readiness printed before failing", c.args)
		}
	}
}
