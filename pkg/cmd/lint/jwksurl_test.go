package lint

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/cmdutil"
)

// --jwks also takes the JWKS URL; faults are usage errors (exit 2).
func TestJWKSURL(t *testing.T) {
	body, err := os.ReadFile("../../../testdata/keys/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jwks.json":
			w.Header().Set("Content-Type", "application/json")
		case "/as-text":
			w.Header().Set("Content-Type", "text/plain")
		default:
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()

	out, err := runLint(t, false, token(t, "valid-rs384"), "--jwks", srv.URL+"/jwks.json")
	if err != nil || !strings.Contains(out, `signature verified with kid "rsa-2026-11"`) {
		t.Fatalf("err %v\n%s", err, out)
	}

	out, err = runLint(t, false, token(t, "valid-rs384"), "--jwks", srv.URL+"/as-text")
	if err != nil || !strings.Contains(out, `note: Content-Type is "text/plain"`) {
		t.Errorf("a wrong Content-Type should be a note: err %v\n%s", err, out)
	}

	_, err = runLint(t, false, token(t, "valid-rs384"), "--jwks", srv.URL+"/missing.json")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(cmdutil.FormatError(err), "HTTP 404") || !strings.Contains(cmdutil.FormatError(err), "hint: ") {
		t.Errorf("404: %q", cmdutil.FormatError(err))
	}

	_, err = runLint(t, false, token(t, "valid-rs384"), "--jwks", "http://example.com/jwks.json")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "refusing plain http to example.com") {
		t.Errorf("plain http off loopback: %v", err)
	}
}
