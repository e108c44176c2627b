package difftest

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
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

// TestServeAgreesWithLintOnRealServerCases sends the real-server generator's
// cases (Authorization headers, reused jtis, every scenario and mix) to serve
// answering as each profile, over TCP, and compares status and body bytes
// with lint's prediction for the same bytes, with lint told of the jtis
// serve recorded. It needs no real server.
func TestServeAgreesWithLintOnRealServerCases(t *testing.T) {
	kr := newKeyring(t)
	for i, name := range profile.Names() {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			base := "http://" + ln.Addr().String()
			p0, err := profile.Get(name, "")
			if err != nil {
				t.Fatal(err)
			}
			tokenURL := p0.TokenURL
			if tokenURL == "" {
				tokenURL = base + p0.Wire.Path
			}
			prof, _ := profile.Get(name, tokenURL)
			if prof.Issuer == "" {
				prof.Issuer = base
			}
			clientID := randomClientID()
			g := newRealGen(kr, uint64(4100+i), clientID, tokenURL, prof.Issuer, prof.Algorithms)
			jwksJSON := realJWKS(g)
			set, err := keys.Parse(jwksJSON)
			if err != nil {
				t.Fatal(err)
			}
			var now atomic.Int64
			s := serve.New(serve.Options{Profile: prof, Now: func() time.Time { return time.Unix(now.Load(), 0) }},
				serve.NewRegistry(serve.NewClient(clientID, prof, set)))
			srv := &http.Server{Handler: s}
			go func() { _ = srv.Serve(ln) }()
			defer srv.Close()

			seen := map[string]time.Time{}
			var cases, accepted int
			errs := g.run(mixedReal, func(c *realCase) {
				cases++
				now.Store(c.Now.Unix())
				raw := rawRequest(base+prof.Wire.Path, c)
				req, err := request.Parse(raw)
				if err != nil {
					t.Fatalf("%s: %v", c.ID, err)
				}
				at := c.Now
				rep := lint.Lint(lint.Input{Request: req, Profile: prof, ClientID: clientID, Keys: set, Now: at,
					JTISeen: func(iss, jti string) bool {
						until, ok := seen[iss+"\x00"+jti]
						return ok && at.Before(until)
					}})
				if r := rep.StoreJTI; r != nil {
					if _, held := seen[r.Issuer+"\x00"+r.JTI]; !held || !at.Before(seen[r.Issuer+"\x00"+r.JTI]) {
						seen[r.Issuer+"\x00"+r.JTI] = r.Until
					}
				}
				status, body := testenv.Exchange(t, ln.Addr().String(), raw)
				if status != rep.Predicted.Status {
					t.Errorf("%s %s: serve %d %s, lint predicts %d %q (rule %s)", c.ID, c.Name, status, body, rep.Predicted.Status, rep.Predicted.ErrorDescription, rep.Predicted.Rule)
					return
				}
				if status == 200 {
					accepted++
					var ok struct {
						AccessToken string `json:"access_token"`
					}
					if json.Unmarshal(body, &ok) != nil || ok.AccessToken == "" {
						t.Errorf("%s: 200 without an access_token: %s", c.ID, body)
					}
					return
				}
				if _, want := prof.Encode(rep.Predicted.Answer(prof)); !bytes.Equal(body, want) {
					t.Errorf("%s %s: serve %s, lint %s", c.ID, c.Name, body, want)
				}
			})
			for _, err := range errs {
				t.Error(err)
			}
			if accepted == 0 {
				t.Error("no case was accepted: the harness is broken")
			}
			t.Logf("%s: %d cases through serve, %d accepted", name, cases, accepted)
		})
	}
}
