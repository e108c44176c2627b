package verify_test

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/cmd/verify"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

const clientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"

func readFixture(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile("../../../testdata/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	code := root.Main(append([]string{"verify"}, args...), ios)
	return out.String(), errOut.String(), code
}

func jwksServer(t *testing.T) string {
	t.Helper()
	body := readFixture(t, "keys/jwks.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jwks.json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=900")
			io.WriteString(w, body)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>login</html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVerifyAgainstURL(t *testing.T) {
	base := jwksServer(t)
	out, stderr, code := run(t, readFixture(t, "tokens/valid-es384.jwt"), "--jwks", base+"/jwks.json", "--client-id", clientID)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d stderr %q\n%s", code, stderr, out)
	}
	for _, want := range []string{`verified: ES384 signature by kid "ec-2026-11" (EC P-384`, "caching: Cache-Control \"max-age=900\"", "15m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	out, _, code = run(t, readFixture(t, "tokens/kid-unknown.jwt"), "--jwks", base+"/jwks.json", "--format", "json")
	var res struct {
		Verified   bool   `json:"verified"`
		FailedStep string `json:"failed_step"`
		Steps      []struct {
			ID               string  `json:"id"`
			Status           string  `json:"status"`
			ErrorDescription *string `json:"error_description"`
		} `json:"steps"`
		Fetch *struct {
			Status       int    `json:"status"`
			CacheControl string `json:"cache_control"`
		} `json:"jwks_fetch"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 1 || res.Verified || res.FailedStep != "kid-not-found" || res.Fetch == nil || res.Fetch.CacheControl != "max-age=900" {
		t.Fatalf("exit %d %+v", code, res)
	}
	for _, s := range res.Steps {
		if s.ID == "kid-not-found" && (s.Status != "fail" || s.ErrorDescription == nil ||
			*s.ErrorDescription != "Public key not found, check client_id, kid and Redox dashboard settings") {
			t.Errorf("kid step %+v", s)
		}
	}

	// A page where the key set should be: the key-set step fails, exit 1.
	out, _, code = run(t, readFixture(t, "tokens/valid-rs384.jwt"), "--jwks", base+"/page")
	if code != 1 || !strings.Contains(out, "FAIL  the client's key set holds the kid") || !strings.Contains(out, "not JSON") || !strings.Contains(out, "HTML") {
		t.Errorf("exit %d\n%s", code, out)
	}
	out, _, code = run(t, readFixture(t, "tokens/valid-rs384.jwt"), "--jwks", base+"/gone.json")
	if code != 1 || !strings.Contains(out, "HTTP 404") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// Only loopback servers may speak plain http; a TLS server with a test CA
// is trusted only when asked, so the real command refuses it.
func TestVerifyTLSUnknownAuthority(t *testing.T) {
	body := readFixture(t, "keys/jwks.json")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	out, _, code := run(t, readFixture(t, "tokens/valid-rs384.jwt"), "--jwks", srv.URL+"/jwks.json", "--timeout", "2s")
	if code != 1 || !strings.Contains(out, "unknown authority") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestVerifyTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	out, _, code := run(t, readFixture(t, "tokens/valid-rs384.jwt"), "--jwks", srv.URL+"/jwks.json", "--timeout", "200ms")
	if code != 1 || !strings.Contains(out, "within 200ms") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
}

func TestVerifyUsage(t *testing.T) {
	tok := readFixture(t, "tokens/valid-rs384.jwt")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no key to verify with"},
		{[]string{"--key", "x.pem", "--jwks", "y.json"}, "cannot be used together"},
		{[]string{"--jwks", "-"}, "cannot both come from stdin"},
		{[]string{"--jwks", "https://"}, "no host"},
		{[]string{"--jwks", "../../../testdata/keys/nope.json"}, "no such file"},
		{[]string{"--jwks", "../../../testdata/keys/jwks.json", "--format", "yaml"}, `invalid --format "yaml"`},
		{[]string{"--jwks", "../../../testdata/keys/jwks.json", "--profile", "nope"}, `unknown profile "nope"`},
	} {
		out, stderr, code := run(t, tok, c.args...)
		if code != 2 || out != "" || !strings.HasPrefix(stderr, "clientassert: error: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d stdout %q stderr %q", c.args, code, out, stderr)
		}
	}
}

// runF sees the options RunE filled.
func TestVerifyOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
	var got *verify.VerifyOptions
	cmd := verify.NewCmdVerify(f, func(o *verify.VerifyOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"TOKEN", "--jwks", "https://example.com/jwks.json", "--client-id", "abc", "--lint", "--timeout", "3s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Args[0] != "TOKEN" || got.JWKS != "https://example.com/jwks.json" || got.ClientID != "abc" || !got.Lint || got.Timeout != 3*time.Second || got.Format != "text" {
		t.Errorf("%+v", got)
	}
}
