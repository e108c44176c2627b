package serve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/request"

	"github.com/clientassert/clientassert/internal/fixtures"
)

// The handler against its baseline, lint alone on the same request: the
// difference is what serving costs (request rebuilding, routing, the answer,
// the log line). Run with -cpu 1 for a per-core figure.
func benchHandler(b *testing.B, name string, want int) {
	_, s, _ := newTestServer(b, "jwks.json")
	s.opts.Log = NewLogger(discard{}, "text")
	body := tokenForm(fixtures.ReadToken(b, name))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v2/auth/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != want {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func BenchmarkHandlerValidRS384(b *testing.B)       { benchHandler(b, "valid-rs384", 200) }
func BenchmarkHandlerRejectedKid(b *testing.B)      { benchHandler(b, "kid-unknown", 400) }
func BenchmarkHandlerRejectedSigRS384(b *testing.B) { benchHandler(b, "wrong-signer", 400) }

func BenchmarkLintRequestRS384(b *testing.B) {
	p := getProfile(b, "redox", "")
	set := fixtures.KeySet(b, "jwks.json")
	body := tokenForm(fixtures.ReadToken(b, "valid-rs384"))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := request.Parse([]byte(body))
			if r := lint.Lint(lint.Input{Request: req, Profile: p, ClientID: fixtures.ClientID, Keys: set, Now: fixtures.Now}); r.Predicted.Status != 200 {
				b.Fatal(r.Predicted)
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
