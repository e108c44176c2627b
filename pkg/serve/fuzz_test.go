package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
)

// FuzzHandler: whatever the path, content type and body, the handler
// answers without panicking (a recovered panic would be a 500), with a
// status the server can send, and a token endpoint failure is the
// profile's JSON error body.
func FuzzHandler(f *testing.F) {
	for _, name := range []string{"valid-rs384", "kid-unknown", "payload-null", "five-segments", "header-not-json"} {
		data, err := readFile(testdata + "/tokens/" + name + ".jwt")
		if err == nil {
			f.Add("/v2/auth/token", "application/x-www-form-urlencoded", []byte(tokenForm(strings.TrimSpace(string(data)))))
		}
	}
	f.Add("/v2/auth/token", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n"))
	f.Add("/v2/auth/token", "", []byte("client_assertion=a.b.c&client_assertion=d"))
	f.Add("/healthz", "text/plain", []byte{0xff, 0})
	f.Add("/v2/auth/token", "application/x-www-form-urlencoded; charset=latin1", []byte("client_assertion=eyJ%ZZ.e30.&grant_type=%E0%A4%A"))

	p := getProfile(f, "redox", "")
	s := New(Options{Profile: p, Now: func() time.Time { return fixtures.Now }},
		NewRegistry(NewClient(fixtures.ClientID, p, fixtures.KeySet(f, "jwks.json"))))
	f.Fuzz(func(t *testing.T, path, contentType string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.Path = path
		req.Header["Content-Type"] = []string{contentType}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 404, 405, 413:
		default:
			t.Fatalf("status %d for %q %q %q: %s", w.Code, path, contentType, body, w.Body.String())
		}
		if path == p.Wire.Path && w.Code == 400 {
			var a map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || a["error"] == nil {
				t.Fatalf("400 body is not the server's JSON error: %q", w.Body.String())
			}
		}
	})
}
