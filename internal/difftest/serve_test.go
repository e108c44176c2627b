package difftest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/testenv"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/serve"
)

// TestServeAgreesWithLint sends every generated case, byte for byte, to a
// serve handler over a real TCP connection and checks that the answer is
// lint's prediction for the same bytes: status, error, error_description,
// and the body the profile's server writes. It needs no oracle.
func TestServeAgreesWithLint(t *testing.T) {
	g := newGen(newKeyring(t))
	g.generate(mixedCases)
	for _, err := range g.err {
		t.Fatal(err)
	}

	var current atomic.Pointer[serve.Server]
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().ServeHTTP(w, r)
	}))
	defer ts.Close()

	for _, c := range g.cases {
		raw := httpRequest(c.TokenURL, c.CTHeader, c.ContentType, c.Body)
		prof, err := profile.Get("redox", c.TokenURL)
		if err != nil {
			t.Fatal(err)
		}
		jwksJSON, _ := json.Marshal(c.JWKS)
		set, err := keys.Parse(jwksJSON)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		now := time.Unix(c.Now, 0)
		current.Store(serve.New(serve.Options{Profile: prof, Now: func() time.Time { return now }},
			serve.NewRegistry(serve.NewClient(c.ClientID, prof, set))))

		req, err := request.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		rep := lint.Lint(lint.Input{Request: req, Profile: prof, Keys: set, ClientID: c.ClientID, Now: now})

		status, body := testenv.Exchange(t, ts.Listener.Addr().String(), raw)
		want := rep.Predicted
		if status != want.Status {
			t.Errorf("%s (%s): serve answered %d %s, lint predicts %d %q", c.ID, c.Name, status, body, want.Status, want.ErrorDescription)
			continue
		}
		if status == 200 {
			var ok struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			if json.Unmarshal(body, &ok) != nil || ok.AccessToken == "" || ok.TokenType == "" || ok.ExpiresIn == 0 {
				t.Errorf("%s: 200 body %s lacks access_token, token_type or expires_in", c.ID, body)
			}
			continue
		}
		_, wantBody := prof.Encode(want.Answer(prof))
		if !bytes.Equal(body, wantBody) {
			t.Errorf("%s (%s): serve body %s, lint's answer %s", c.ID, c.Name, body, wantBody)
		}
	}
	t.Logf("%d generated cases served", len(g.cases))
}
