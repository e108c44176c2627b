// Package realserver starts real token endpoints on 127.0.0.1 for tests:
// panva/node-oidc-provider, Authlib, and ory/fosite set up as Ory Hydra sets
// it up. Each one registers a single private_key_jwt client with an inline
// JWKS. The programs live in testdata/servers; testdata/servers/install.sh
// installs what they need.
//
// Each server also writes, on its standard output, the reason it keeps out
// of a refused response (node-oidc-provider's error_detail, Hydra's debug
// text, Authlib's log). Requests carry an X-Realserver-Request header so
// that the harness can match that line to the response; the servers never
// read it, so the compared response bytes are the server's own.
package realserver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/testenv"
)

// Kinds of server Start knows.
const (
	OIDCProvider = "oidc-provider"
	Hydra        = "hydra"
	Authlib      = "authlib"
)

// Versions are the exact releases the servers run.
var Versions = map[string]string{
	OIDCProvider: "panva/node-oidc-provider 9.13.3",
	Hydra:        "ory/fosite v0.49.0 (as in Ory Hydra v2.3.0)",
	Authlib:      "Authlib 1.2.0 (Debian python3-authlib)",
}

// InstallCommand installs every server's dependencies, from the module root.
const InstallCommand = "bash testdata/servers/install.sh"

// Config is the one client the server registers.
type Config struct {
	ClientID string
	// JWKS is the client's public key set, as JSON.
	JWKS []byte
	// Alg is the client's token_endpoint_auth_signing_alg. Empty leaves the
	// server's default: Hydra fills in RS256; node-oidc-provider then takes
	// any enabled asymmetric alg. Authlib has no such setting.
	Alg string
}

// Server is a running token endpoint.
type Server struct {
	Kind     string
	URL      string
	TokenURL string
	Issuer   string

	cmd    *exec.Cmd
	stderr *testenv.Buffer
	client *http.Client
	seq    atomic.Int64

	mu      sync.Mutex
	waiting map[string]chan sideRecord
	early   map[string]sideRecord
	exited  chan struct{}
}

// Response is what the server answered, plus the reason it kept back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// HiddenReason is the server's own reason for a refusal that its
	// response does not carry (see the package doc); empty when none.
	HiddenReason string
	// Side is the whole side-channel record for the request (nil when the
	// server wrote none).
	Side map[string]any
}

// Request is one call to the token endpoint.
type Request struct {
	// ContentType is sent as the Content-Type header; nil sends none.
	ContentType *string
	Body        string
	// Header holds extra request headers.
	Header http.Header
}

type sideRecord map[string]any

// Start runs a server of the given kind and stops it when the test ends. A
// missing dependency skips the test with the install command, or fails it
// when CI=true.
func Start(t testing.TB, kind string, cfg Config) *Server {
	t.Helper()
	root := moduleRoot(t)
	dir := filepath.Join(root, "testdata", "servers", kind)
	var name string
	var args []string
	switch kind {
	case OIDCProvider:
		node, err := exec.LookPath("node")
		if err != nil {
			missing(t, "node")
		}
		pkg, err := os.ReadFile(filepath.Join(dir, "node_modules", "oidc-provider", "package.json"))
		if err != nil {
			missing(t, "oidc-provider (testdata/servers/oidc-provider/node_modules)")
		}
		var meta struct{ Version string }
		if json.Unmarshal(pkg, &meta); meta.Version != "9.13.3" {
			t.Fatalf("oidc-provider server: node_modules has oidc-provider %q, want 9.13.3; run: %s", meta.Version, InstallCommand)
		}
		name, args = node, []string{filepath.Join(dir, "server.js")}
	case Authlib:
		py := "/usr/bin/python3"
		out, err := exec.Command(py, "-c", "import authlib, flask; print(authlib.__version__)").Output()
		if err != nil {
			missing(t, "Debian python3-authlib and python3-flask")
		}
		if v := strings.TrimSpace(string(out)); v != "1.2.0" {
			t.Fatalf("authlib server: /usr/bin/python3 has Authlib %s, want 1.2.0", v)
		}
		name, args = py, []string{filepath.Join(dir, "server.py")}
	case Hydra:
		name = buildHydra(t, dir)
	default:
		t.Fatalf("realserver: unknown kind %q", kind)
	}

	conf := map[string]any{"port": 0, "client_id": cfg.ClientID, "jwks": json.RawMessage(cfg.JWKS)}
	if cfg.Alg != "" {
		conf["alg"] = cfg.Alg
	}
	in, err := json.Marshal(conf)
	if err != nil {
		t.Fatalf("realserver: config: %v", err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "AUTHLIB_INSECURE_TRANSPORT=1", "NODE_ENV=test")
	s := &Server{
		Kind: kind, cmd: cmd, stderr: &testenv.Buffer{},
		client:  &http.Client{Timeout: 30 * time.Second},
		waiting: map[string]chan sideRecord{},
		early:   map[string]sideRecord{},
		exited:  make(chan struct{}),
	}
	cmd.Stderr = s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("realserver: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("realserver: start %s: %v", kind, err)
	}
	ready := make(chan map[string]any, 1)
	go s.read(stdout, ready)
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.stop)

	select {
	case r := <-ready:
		s.URL, _ = r["url"].(string)
		s.TokenURL, _ = r["token_url"].(string)
		s.Issuer, _ = r["issuer"].(string)
	case <-s.exited:
		t.Fatalf("realserver: %s exited before it was ready:\n%s", kind, s.stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("realserver: %s not ready after 90s:\n%s", kind, s.stderr.String())
	}
	for _, u := range []string{s.URL, s.TokenURL} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Fatalf("realserver: %s listens on %q, want 127.0.0.1", kind, u)
		}
	}
	return s
}

func (s *Server) read(r io.Reader, ready chan<- map[string]any) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			fmt.Fprintf(s.stderr, "realserver: stray stdout line %q\n", sc.Text())
			continue
		}
		if rec["ready"] == true {
			ready <- rec
			continue
		}
		id, _ := rec["request"].(string)
		s.mu.Lock()
		if ch, ok := s.waiting[id]; ok {
			ch <- rec
			delete(s.waiting, id)
		} else {
			s.early[id] = rec
		}
		s.mu.Unlock()
	}
}

func (s *Server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// Stderr is what the server has written to its standard error so far.
func (s *Server) Stderr() string { return s.stderr.String() }

// Post sends body with the given Content-Type (none when contentType is
// empty) to the token endpoint.
func (s *Server) Post(contentType, body string) Response {
	req := Request{Body: body}
	if contentType != "" {
		req.ContentType = &contentType
	}
	return s.Do(req)
}

// Do sends one request to the token endpoint. A transport failure is
// reported as status 0 with the error in HiddenReason.
func (s *Server) Do(r Request) Response {
	id := strconv.FormatInt(s.seq.Add(1), 10)
	ch := make(chan sideRecord, 1)
	s.mu.Lock()
	if rec, ok := s.early[id]; ok {
		ch <- rec
		delete(s.early, id)
	} else {
		s.waiting[id] = ch
	}
	s.mu.Unlock()

	hreq, err := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader(r.Body))
	if err != nil {
		return Response{HiddenReason: "harness: " + err.Error()}
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	if r.ContentType != nil {
		hreq.Header["Content-Type"] = []string{*r.ContentType}
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("X-Realserver-Request", id)
	resp, err := s.client.Do(hreq)
	if err != nil {
		return Response{HiddenReason: "harness: " + err.Error()}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if err != nil {
		out.HiddenReason = "harness: reading body: " + err.Error()
		return out
	}
	select {
	case rec := <-ch:
		out.Side = rec
		out.HiddenReason = hiddenReason(s.Kind, rec)
	case <-time.After(5 * time.Second):
		s.mu.Lock()
		delete(s.waiting, id)
		s.mu.Unlock()
	}
	return out
}

// hiddenReason picks, from a side-channel record, the text the server logs
// but does not send.
func hiddenReason(kind string, rec sideRecord) string {
	switch kind {
	case OIDCProvider:
		d, _ := rec["error_detail"].(string)
		return d
	case Hydra:
		d, _ := rec["error_debug"].(string)
		return d
	case Authlib:
		if r, ok := rec["reason"].(string); ok {
			return r
		}
		e, _ := rec["exception"].(string)
		return e
	}
	return ""
}

func missing(t testing.TB, what string) {
	t.Helper()
	testenv.Missing(t, "real server dependency missing: "+what, InstallCommand)
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("realserver: cannot locate the source tree")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var hydraBuild struct {
	sync.Mutex
	path string
}

// buildHydra compiles the nested Hydra module once per source version into
// the user cache directory.
func buildHydra(t testing.TB, dir string) string {
	t.Helper()
	hydraBuild.Lock()
	defer hydraBuild.Unlock()
	if hydraBuild.path != "" {
		return hydraBuild.path
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		missing(t, "go")
	}
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum", "main.go"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("realserver: %v", err)
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	out := filepath.Join(cache, "clientassert-realserver", "hydra-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(out); err == nil {
		hydraBuild.path = out
		return out
	}
	cmd := exec.Command(goBin, "build", "-o", out+".tmp", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if b, err := cmd.CombinedOutput(); err != nil {
		text := string(b)
		if !testenv.InCI() && (strings.Contains(text, "go.sum") || strings.Contains(text, "module") || strings.Contains(text, "dial")) {
			t.Skipf("real server dependency missing: fosite modules (%s); run: %s", strings.TrimSpace(text), InstallCommand)
		}
		t.Fatalf("realserver: building the hydra server: %v\n%s", err, text)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		t.Fatalf("realserver: %v", err)
	}
	hydraBuild.path = out
	return out
}
