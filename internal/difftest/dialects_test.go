package difftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/realserver"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
)

const (
	minRealCases = 150
	mixedReal    = 70
)

// comparedHeaders are the response headers a client or proxy acts on.
var comparedHeaders = []string{"Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate"}

// dialect is one real server and the profile that models it.
type dialect struct {
	kind    string
	profile string
	// alg is the client's registered token_endpoint_auth_signing_alg.
	alg string
	// algs are the algs a fresh case is signed with.
	algs []string
	// hidden compares the server's hidden reason with the prediction's.
	hidden bool
	seed   uint64
}

// observed is one exchange as recorded for REALSERVERS_OBSERVED.
type observed struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	ContentType  *string           `json:"content_type"`
	Body         string            `json:"body"`
	Header       string            `json:"jwt_header"`
	Payload      string            `json:"jwt_payload"`
	Auth         string            `json:"authorization,omitempty"`
	Now          int64             `json:"now"`
	Status       int               `json:"status"`
	Headers      map[string]string `json:"headers"`
	ResponseBody string            `json:"response_body"`
	HiddenReason string            `json:"hidden_reason,omitempty"`
	Side         map[string]any    `json:"side,omitempty"`
}

func runDialect(t *testing.T, d dialect) {
	kr := newKeyring(t)
	clientID := randomClientID()
	g := newRealGen(kr, d.seed, clientID, "", "", d.algs)
	jwksJSON := realJWKS(g)
	s := realserver.Start(t, d.kind, realserver.Config{ClientID: clientID, JWKS: jwksJSON, Alg: d.alg})
	g.tokenURL, g.issuer = s.TokenURL, s.Issuer

	keyset, err := keys.Parse(jwksJSON)
	if err != nil {
		t.Fatalf("keys.Parse of the registered JWKS: %v", err)
	}
	prof, profErr := profile.Get(d.profile, s.TokenURL)
	prof.Issuer = s.Issuer
	if d.alg != "" { // the client's registered signing alg
		prof.Algorithms = []string{d.alg}
	}

	seen := map[string]time.Time{}
	var log []observed
	var cases, accepted, mismatches, headerMismatches, hiddenMismatches int
	descriptions := map[string]int{}

	errs := g.run(mixedReal, func(c *realCase) {
		cases++
		sent := realserver.Request{ContentType: c.ContentType, Body: c.Body}
		if c.Authorization != "" {
			sent.Header = http.Header{"Authorization": {c.Authorization}}
		}
		resp := s.Do(sent)
		rec := observed{ID: c.ID, Name: c.Name, ContentType: c.ContentType, Body: c.Body, Header: c.HeaderJSON,
			Payload: c.PayloadJSON, Auth: c.Authorization, Now: c.Now.Unix(), Status: resp.Status, Headers: map[string]string{},
			ResponseBody: string(resp.Body), HiddenReason: resp.HiddenReason, Side: resp.Side}
		for _, h := range comparedHeaders {
			if v := resp.Header.Get(h); v != "" {
				rec.Headers[h] = v
			}
		}
		log = append(log, rec)
		if resp.Status == 200 {
			accepted++
		} else if desc, ok := errorDescription(resp.Body); ok {
			descriptions[desc]++
		}
		if profErr != nil {
			return
		}

		req, err := request.Parse(rawRequest(s.TokenURL, c))
		if err != nil {
			mismatches++
			t.Errorf("%s %s: request.Parse: %v", c.ID, c.Name, err)
			return
		}
		at := c.Now
		rep := lint.Lint(lint.Input{Request: req, Profile: prof, ClientID: clientID, Keys: keyset, Now: at,
			JTISeen: func(iss, jti string) bool {
				until, ok := seen[iss+"\x00"+jti]
				return ok && !until.Before(at)
			}})
		if r := rep.StoreJTI; r != nil {
			seen[r.Issuer+"\x00"+r.JTI] = r.Until
		}
		answer := rep.Predicted.Answer(prof)
		if answer.Status == 200 && resp.Status == 200 {
			answer = successLike(prof, resp.Body)
		}
		wantHeader, wantBody := prof.Encode(answer)

		var diffs []string
		if rep.Predicted.Status != resp.Status {
			diffs = append(diffs, fmt.Sprintf("status: predicted %d, server %d", rep.Predicted.Status, resp.Status))
		}
		if !bytes.Equal(wantBody, resp.Body) {
			diffs = append(diffs, fmt.Sprintf("body: predicted %q\n             server    %q", wantBody, resp.Body))
		}
		if len(diffs) > 0 {
			mismatches++
		}
		for _, h := range comparedHeaders {
			if w, r := wantHeader.Get(h), resp.Header.Get(h); w != r {
				headerMismatches++
				diffs = append(diffs, fmt.Sprintf("header %s: predicted %q, server %q", h, w, r))
			}
		}
		if d.hidden && rep.Predicted.HiddenReason != resp.HiddenReason {
			hiddenMismatches++
			diffs = append(diffs, fmt.Sprintf("hidden reason: predicted %q, server %q", rep.Predicted.HiddenReason, resp.HiddenReason))
		}
		if len(diffs) == 0 {
			return
		}
		msg := fmt.Sprintf("%s %s\n  request:  content-type %s\n  header:   %s\n  payload:  %s\n  body:     %.300s\n  predicted rule %s (certain=%v)\n  %s",
			c.ID, c.Name, showCT(c.ContentType), c.HeaderJSON, c.PayloadJSON, c.Body, rep.Predicted.Rule, rep.Predicted.Certain,
			strings.Join(diffs, "\n  "))
		if rep.Predicted.Status != resp.Status || !bytes.Equal(wantBody, resp.Body) ||
			(d.hidden && rep.Predicted.HiddenReason != resp.HiddenReason) {
			t.Error("mismatch: " + msg)
		} else {
			t.Error("header mismatch: " + msg)
		}
	})
	for _, err := range errs {
		t.Error(err)
	}
	if dir := os.Getenv("REALSERVERS_OBSERVED"); dir != "" {
		writeObserved(t, dir, d.kind, s, clientID, jwksJSON, log)
	}
	if profErr != nil {
		t.Fatalf("profile %q: %v (the server answered %d cases; set REALSERVERS_OBSERVED=DIR to record them)", d.profile, profErr, cases)
	}
	if cases < minRealCases {
		t.Errorf("sent %d cases, want at least %d", cases, minRealCases)
	}
	if accepted == 0 {
		t.Error("the server accepted no case: the generator or the harness is broken")
	}
	var lines []string
	for desc, n := range descriptions {
		lines = append(lines, fmt.Sprintf("%4d  %q", n, desc))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][6:] < lines[j][6:] })
	t.Logf("%s (%s): %d cases, %d accepted, %d distinct error_descriptions; %d mismatches, %d header mismatches, %d hidden-reason mismatches\n%s",
		d.kind, realserver.Versions[d.kind], cases, accepted, len(descriptions), mismatches, headerMismatches, hiddenMismatches,
		strings.Join(lines, "\n"))
}

func showCT(ct *string) string {
	if ct == nil {
		return "(none)"
	}
	return fmt.Sprintf("%q", *ct)
}

func errorDescription(body []byte) (string, bool) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return "", false
	}
	d, ok := m["error_description"].(string)
	if !ok {
		e, _ := m["error"].(string)
		return "<" + e + ", no description>", e != ""
	}
	return d, true
}

// successLike is the profile's success answer carrying the server's own
// random access token and its scope, so that an accepted case is compared
// byte for byte on everything else. expires_in may be a second short when
// the server counts down from the issue time.
func successLike(p profile.Profile, body []byte) profile.Answer {
	var real struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.Unmarshal(body, &real)
	a := p.SuccessAnswer(real.AccessToken, real.Scope)
	for i, m := range a.Members {
		if n, ok := m.Value.(int); ok && m.Name == "expires_in" && n-real.ExpiresIn >= 0 && n-real.ExpiresIn <= 2 {
			a.Members[i].Value = real.ExpiresIn
		}
	}
	return a
}

func writeObserved(t *testing.T, dir, kind string, s *realserver.Server, clientID string, jwksJSON []byte, log []observed) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("REALSERVERS_OBSERVED: %v", err)
		return
	}
	out := map[string]any{
		"server": realserver.Versions[kind], "token_url": s.TokenURL, "issuer": s.Issuer,
		"client_id": clientID, "jwks": json.RawMessage(jwksJSON), "exchanges": log,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Errorf("REALSERVERS_OBSERVED: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, kind+".json"), b.Bytes(), 0o644); err != nil {
		t.Errorf("REALSERVERS_OBSERVED: %v", err)
	}
}

// rawRequest is the HTTP/1.1 request the harness sends for c, as the CLI
// reads one with request.Parse (without the harness's X-Realserver-Request
// header, which no server reads).
func rawRequest(tokenURL string, c *realCase) []byte {
	u, err := url.Parse(tokenURL)
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	if c.ContentType != nil {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", *c.ContentType)
	}
	if c.Authorization != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", c.Authorization)
	}
	fmt.Fprintf(&b, "Accept: application/json\r\nContent-Length: %d\r\n\r\n%s", len(c.Body), c.Body)
	return []byte(b.String())
}
