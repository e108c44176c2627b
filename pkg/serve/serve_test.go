package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/internal/testenv"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
)

const testdata = "../../testdata"

func getProfile(t testing.TB, name, aud string) profile.Profile {
	t.Helper()
	p, err := profile.Get(name, aud)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tokenForm(tok string) string {
	v := url.Values{}
	v.Set("grant_type", "client_credentials")
	v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	v.Set("client_assertion", tok)
	return v.Encode()
}

type fixedRand struct{}

func (fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}

// newTestServer serves the fixture client on the redox profile at the
// fixtures' moment, logging into a buffer.
func newTestServer(t testing.TB, jwks string) (*httptest.Server, *Server, *testenv.Buffer) {
	t.Helper()
	p := getProfile(t, "redox", "")
	logs := &testenv.Buffer{}
	s := New(Options{Profile: p, Now: func() time.Time { return fixtures.Now }, Log: NewLogger(logs, "json"), Random: fixedRand{}},
		NewRegistry(NewClient(fixtures.ClientID, p, fixtures.KeySet(t, jwks))))
	ts := httptest.NewServer(s.HTTPServer().Handler)
	t.Cleanup(ts.Close)
	return ts, s, logs
}

func post(t *testing.T, u, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

type wireAnswer struct {
	Error            string  `json:"error"`
	ErrorDescription *string `json:"error_description"`
	AccessToken      string  `json:"access_token"`
	TokenType        string  `json:"token_type"`
	ExpiresIn        int     `json:"expires_in"`
}

// TestFixtureTokensOverHTTP: every fixture token gets, through real HTTP,
// the answer the fixture documents, which is also lint's prediction, with
// the profile's exact headers and body. A token whose jti the server already
// holds is sent twice, and the second answer is compared.
func TestFixtureTokensOverHTTP(t *testing.T) {
	for _, c := range fixtures.Cases() {
		p := getProfile(t, "redox", "")
		if c.Profile != "" {
			p = getProfile(t, c.Profile, fixtures.TokenURL)
		}
		set := fixtures.KeySet(t, c.JWKS)
		s := New(Options{Profile: p, Now: func() time.Time { return fixtures.Now }, Random: fixedRand{}},
			NewRegistry(NewClient(fixtures.ClientID, p, set)))
		ts := httptest.NewServer(s)
		body := tokenForm(fixtures.ReadToken(t, c.Name))
		if c.SeenJTI {
			post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", body)
		}
		resp, data := post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", body)
		ts.Close()

		req, err := request.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		in := lint.Input{Request: req, Profile: p, ClientID: fixtures.ClientID, Keys: set, Now: fixtures.Now}
		if c.SeenJTI {
			in.JTISeen = func(string, string) bool { return true }
		}
		rep := lint.Lint(in)
		if c.Predicted == "200" {
			var a wireAnswer
			if resp.StatusCode != 200 || json.Unmarshal(data, &a) != nil || a.AccessToken == "" || !strings.EqualFold(a.TokenType, "bearer") || a.ExpiresIn == 0 {
				t.Errorf("%s: got %d %s, want a 200 token answer", c.Name, resp.StatusCode, data)
			}
			if rep.Predicted.Status != 200 {
				t.Errorf("%s: lint predicts %d, the fixture says 200", c.Name, rep.Predicted.Status)
			}
			continue
		}
		var a wireAnswer
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatalf("%s: body %q: %v", c.Name, data, err)
		}
		got := "<" + a.Error + ">"
		if a.ErrorDescription != nil {
			got = *a.ErrorDescription
		}
		if resp.StatusCode != rep.Predicted.Status || got != c.Predicted {
			t.Errorf("%s: got %d %s, want %d %q", c.Name, resp.StatusCode, data, rep.Predicted.Status, c.Predicted)
		}
		hdr, want := p.Encode(rep.Predicted.Answer(p))
		if !bytes.Equal(data, want) {
			t.Errorf("%s: body %s, lint's answer encodes as %s", c.Name, data, want)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Pragma", "Www-Authenticate"} {
			if resp.Header.Get(h) != hdr.Get(h) {
				t.Errorf("%s: %s is %q, want %q", c.Name, h, resp.Header.Get(h), hdr.Get(h))
			}
		}
	}
}

// TestFixtureRequestsOverHTTP sends each captured request fixture as it
// stands (raw HTTP byte for byte; curl and form bodies as the request they
// describe) and compares with the fixture's documented answer.
func TestFixtureRequestsOverHTTP(t *testing.T) {
	for _, c := range fixtures.RequestCases() {
		p := getProfile(t, "redox", "")
		if c.Profile != "" {
			p = getProfile(t, c.Profile, fixtures.TokenURL)
		}
		s := New(Options{Profile: p, Now: func() time.Time { return fixtures.Now }, Random: fixedRand{}},
			NewRegistry(NewClient(fixtures.ClientID, p, fixtures.KeySet(t, "jwks.json"))))
		ts := httptest.NewServer(s)
		data, err := os.ReadFile(filepath.Join(testdata, "requests", c.File))
		if err != nil {
			t.Fatal(err)
		}
		req, err := request.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		var status int
		var body []byte
		if req.Kind == request.KindHTTP {
			// The captured request line names Redox's path; serve listens on
			// the profile's.
			line, rest, _ := bytes.Cut(data, []byte("\n"))
			if f := bytes.Fields(line); len(f) == 3 {
				data = append([]byte(string(f[0])+" "+p.Wire.Path+" "+string(f[2])+"\r\n"), rest...)
			}
			status, body = testenv.Exchange(t, ts.Listener.Addr().String(), data)
		} else {
			ct := req.ContentType
			if !req.ContentTypeKnown {
				ct = "application/x-www-form-urlencoded"
			}
			var resp *http.Response
			resp, body = post(t, ts.URL+p.Wire.Path, ct, req.Body)
			status = resp.StatusCode
		}
		ts.Close()
		if c.Predicted == "200" {
			if status != 200 {
				t.Errorf("%s: got %d %s, want 200", c.File, status, body)
			}
			continue
		}
		var a wireAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("%s: body %q: %v", c.File, body, err)
		}
		got := "<" + a.Error + ">"
		if a.ErrorDescription != nil {
			got = *a.ErrorDescription
		}
		if status < 400 || got != c.Predicted {
			t.Errorf("%s: got %d %s, want %q", c.File, status, body, c.Predicted)
		}
	}
}

func TestHealthz(t *testing.T) {
	ts, _, logs := newTestServer(t, "jwks.json")
	resp, err := http.Get(ts.URL + HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /healthz: %d", resp.StatusCode)
	}
	resp, _ = post(t, ts.URL+HealthPath, "", "")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d, want 405", resp.StatusCode)
	}
	if logs.String() != "" {
		t.Errorf("health probes are not logged, got %q", logs.String())
	}
}

// TestBodyLimit: a body over 64 KiB gets the profile's 413 answer, whether
// Content-Length announces it or it is streamed; 64 KiB exactly is read.
func TestBodyLimit(t *testing.T) {
	ts, _, logs := newTestServer(t, "jwks.json")
	p := getProfile(t, "redox", "")
	_, want := p.Encode(TooLargeAnswer(p))
	big := strings.Repeat("a", MaxBody+1)

	resp, body := post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", big)
	if resp.StatusCode != 413 || !bytes.Equal(body, want) {
		t.Errorf("announced: got %d %s, want 413 %s", resp.StatusCode, body, want)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+p.Wire.Path, io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1 // chunked: the limit must hold without Content-Length
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body2, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if r2.StatusCode != 413 || !bytes.Equal(body2, want) {
		t.Errorf("chunked: got %d %s, want 413 %s", r2.StatusCode, body2, want)
	}

	exact := tokenForm(fixtures.ReadToken(t, "valid-rs384"))
	exact += "&pad=" + strings.Repeat("x", MaxBody-len(exact)-len("&pad="))
	resp, body = post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", exact)
	if resp.StatusCode != 200 {
		t.Errorf("a body of exactly %d bytes: got %d %s, want 200", len(exact), resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), `"status":413`) {
		t.Errorf("the 413 is not logged:\n%s", logs.String())
	}
}

func TestRoutingAndMethods(t *testing.T) {
	ts, _, _ := newTestServer(t, "jwks.json")
	resp, _ := post(t, ts.URL+"/token", "application/x-www-form-urlencoded", "a=b")
	if resp.StatusCode != 404 {
		t.Errorf("POST /token on redox: %d, want 404", resp.StatusCode)
	}
	r, err := http.Get(ts.URL + "/v2/auth/token")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 405 || r.Header.Get("Allow") != "POST" {
		t.Errorf("GET token path: %d Allow %q, want 405 POST", r.StatusCode, r.Header.Get("Allow"))
	}
}

// TestLogLine: one JSON line per request with the rule, the reason, the fix
// and the decoded token, but never the token itself.
func TestLogLine(t *testing.T) {
	ts, _, logs := newTestServer(t, "jwks.json")
	tok := fixtures.ReadToken(t, "kid-unknown")
	post(t, ts.URL+"/v2/auth/token", "application/x-www-form-urlencoded", tokenForm(tok))
	post(t, ts.URL+"/v2/auth/token", "application/x-www-form-urlencoded", tokenForm(fixtures.ReadToken(t, "valid-rs384")))

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %d:\n%s", len(lines), logs.String())
	}
	var e struct {
		ClientID         string          `json:"client_id"`
		Status           int             `json:"status"`
		Rule             string          `json:"rule"`
		ErrorDescription string          `json:"error_description"`
		Why              string          `json:"why"`
		Fix              string          `json:"fix"`
		Header           json.RawMessage `json:"header"`
		Claims           map[string]any  `json:"claims"`
		Signature        string          `json:"signature_prefix"`
		Time             time.Time       `json:"time"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	rule, _ := lint.RuleByID("kid-not-found")
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	switch {
	case e.ClientID != fixtures.ClientID, e.Status != 400, e.Rule != "kid-not-found", e.Fix != rule.Fix,
		!strings.Contains(e.Why, "rsa-2025-01"), e.Claims["iss"] != fixtures.ClientID, e.Signature != sig[:SignaturePrefix],
		e.Time.IsZero(), !strings.Contains(string(e.Header), `"kid":"rsa-2025-01"`):
		t.Errorf("log line lacks what it must show: %s", lines[0])
	}
	for _, part := range strings.Split(tok, ".") {
		if strings.Contains(logs.String(), part) && len(part) > SignaturePrefix {
			t.Errorf("the log holds a whole token segment %q", part[:12])
		}
	}

	text := NewLogger(&bytes.Buffer{}, "text")
	var buf bytes.Buffer
	text.w = &buf
	text.Write(&Entry{Time: fixtures.Now, ClientID: "evil\nclient_id=forged", Status: 400})
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("a newline in iss splits the text log line: %q", buf.String())
	}
}

// TestUnregisteredIssuer: iss names no registered client; the answer is
// lint's for a client lookup that fails.
func TestUnregisteredIssuer(t *testing.T) {
	ts, _, _ := newTestServer(t, "jwks.json")
	tok := fixtures.ReadToken(t, "iss-other-client")
	_, data := post(t, ts.URL+"/v2/auth/token", "application/x-www-form-urlencoded", tokenForm(tok))
	var a wireAnswer
	if err := json.Unmarshal(data, &a); err != nil || a.ErrorDescription == nil ||
		*a.ErrorDescription != "Public key not found, check client_id, kid and Redox dashboard settings" {
		t.Errorf("got %s", data)
	}
}

// TestConcurrentRequests runs the handler from many goroutines (go test
// -race finds shared state).
func TestConcurrentRequests(t *testing.T) {
	ts, _, _ := newTestServer(t, "jwks.json")
	body := tokenForm(fixtures.ReadToken(t, "valid-rs384"))
	bad := tokenForm(fixtures.ReadToken(t, "kid-unknown"))
	var wg sync.WaitGroup
	var fails atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b, want := body, 200
			if i%2 == 1 {
				b, want = bad, 400
			}
			resp, err := http.Post(ts.URL+"/v2/auth/token", "application/x-www-form-urlencoded", strings.NewReader(b))
			if err != nil {
				fails.Add(1)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				fails.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if fails.Load() != 0 {
		t.Errorf("%d concurrent requests got the wrong answer", fails.Load())
	}
}

// TestClientsFileProfiles: a client registered with its own profile is
// answered as that profile's server, on that profile's path.
func TestClientsFileProfiles(t *testing.T) {
	dir := t.TempDir()
	jwks, err := readFile(filepath.Join(testdata, "keys", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "clients.json")
	content := `[{"client_id": "` + fixtures.ClientID + `", "jwks": ` + string(jwks) + `, "profile": "smart"},
	             {"client_id": "other", "jwks": "` + filepath.Join("..", filepath.Base(dir), "jwks.json") + `"}]`
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	redox := getProfile(t, "redox", "")
	l := Loader{ProfileFor: func(name string) (profile.Profile, error) {
		if name == "" {
			return redox, nil
		}
		return profile.Get(name, fixtures.TokenURL)
	}}
	reg, err := l.LoadFile(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Profile: redox, Now: func() time.Time { return fixtures.Now }}, reg)
	if got := strings.Join(s.Paths(), " "); got != "/token /v2/auth/token" {
		t.Errorf("paths %q", got)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	smart := getProfile(t, "smart", fixtures.TokenURL)
	tok := fixtures.ReadToken(t, "smart-aud-array")
	resp, body := post(t, ts.URL+smart.Wire.Path, "application/x-www-form-urlencoded", tokenForm(tok))
	req, _ := request.Parse([]byte(tokenForm(tok)))
	rep := lint.Lint(lint.Input{Request: req, Profile: smart, ClientID: fixtures.ClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: fixtures.Now})
	_, want := smart.Encode(rep.Predicted.Answer(smart))
	if resp.StatusCode != rep.Predicted.Status || !bytes.Equal(body, want) || rep.Predicted.Status == 200 {
		t.Errorf("smart client: got %d %s, want %d %s", resp.StatusCode, body, rep.Predicted.Status, want)
	}
	for _, bad := range []string{`[{"client_id": "a", "jwks": {}, "jwks_uri": "https://x.test/j"}]`, `[{"client_id": "a", "jwks": {"keys": []}, "profile": "nope"}]`, `[{"client_id": "a", "jwks": {"keys": []}, "extra": 1}]`, ``} {
		_ = os.WriteFile(file, []byte(bad), 0o600)
		if _, err := l.LoadFile(context.Background(), file); err == nil {
			t.Errorf("clients file %q loads", bad)
		}
	}
}
