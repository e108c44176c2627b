package send

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

func redox(t *testing.T) profile.Profile {
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func desc(s string) *string { return &s }

func TestCompare(t *testing.T) {
	p := redox(t)
	kid := lint.Response{Status: 400, Error: "invalid_request", ErrorDescription: "Public key not found, check client_id, kid and Redox dashboard settings", Certain: true}
	blank := lint.Response{Status: 400, Error: "invalid_request", ErrorDescription: "", Certain: true}
	ok := lint.Response{Status: 200, Certain: true}
	for _, c := range []struct {
		name  string
		pred  lint.Response
		got   Response
		agree bool
		diff  string
	}{
		{"same failure", kid, Response{Status: 400, Error: "invalid_request", ErrorDescription: desc(kid.ErrorDescription)}, true, ""},
		{"other description", kid, Response{Status: 400, Error: "invalid_request", ErrorDescription: desc("JWT is malformed")}, false, `error_description: predicted "Public key not found`},
		{"missing description", kid, Response{Status: 400, Error: "invalid_request"}, false, "received none"},
		{"blank description", blank, Response{Status: 400, Error: "invalid_request", ErrorDescription: desc("")}, true, ""},
		{"other status", kid, Response{Status: 401, Error: "invalid_client", ErrorDescription: desc(kid.ErrorDescription)}, false, "status: predicted 400, received 401"},
		{"token issued", ok, Response{Status: 200}, true, ""},
		{"token refused", ok, Response{Status: 400, Error: "invalid_request", ErrorDescription: desc("x")}, false, "status: predicted 200, received 400"},
	} {
		ex := Compare(p, c.pred, &c.got)
		if ex.Agree != c.agree || (c.diff != "" && !strings.Contains(strings.Join(ex.Differences, "\n"), c.diff)) {
			t.Errorf("%s: agree=%v %v", c.name, ex.Agree, ex.Differences)
		}
	}
}

// TestDoNeverFollowsRedirects: a 302 is the answer, and the redirect
// target never sees the assertion.
func TestDoNeverFollowsRedirects(t *testing.T) {
	var followed atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Store(true) }))
	defer target.Close()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer ts.Close()
	resp, err := Do(context.Background(), Request{Method: "POST", URL: ts.URL + "/token", Body: "a=b"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusTemporaryRedirect || followed.Load() {
		t.Errorf("status %d, followed %v", resp.Status, followed.Load())
	}
}

func TestDoSendsTheRequestAsIs(t *testing.T) {
	var got struct {
		method, path, ct, body string
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		got.method, got.path, got.ct, got.body = r.Method, r.URL.Path, r.Header.Get("Content-Type"), b.String()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"JWT is malformed"}`))
	}))
	defer ts.Close()
	resp, err := Do(context.Background(), Request{Method: "POST", URL: ts.URL + "/v2/auth/token",
		Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"x":1}`}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "POST" || got.path != "/v2/auth/token" || got.ct != "application/json" || got.body != `{"x":1}` {
		t.Errorf("server received %+v", got)
	}
	if resp.Status != 400 || resp.Error != "invalid_request" || resp.ErrorDescription == nil || *resp.ErrorDescription != "JWT is malformed" {
		t.Errorf("response %+v", resp)
	}
}

func TestDoBigBodyIsCut(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("x"), MaxResponseBody+10))
	}))
	defer ts.Close()
	resp, err := Do(context.Background(), Request{Method: "POST", URL: ts.URL}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || len(resp.Body) != MaxResponseBody {
		t.Errorf("truncated %v, %d bytes", resp.Truncated, len(resp.Body))
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.redoxengine.com/v2/auth/token": true,
		"http://127.0.0.1:8080/v2/auth/token":       true,
		"http://localhost/token":                    true,
		"http://[::1]:9/token":                      true,
		"http://api.redoxengine.com/v2/auth/token":  false,
		"http://10.0.0.1/token":                     false,
		"ftp://example.com/":                        false,
		"/v2/auth/token":                            false,
		"":                                          false,
	} {
		_, err := CheckURL(raw)
		if (err == nil) != ok {
			t.Errorf("CheckURL(%q): %v", raw, err)
		}
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Errorf("CheckURL(%q): error is not *Error", raw)
		}
	}
}

func TestDoConnectionRefused(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	u := ts.URL
	ts.Close()
	_, err := Do(context.Background(), Request{Method: "POST", URL: u}, Options{})
	var se *Error
	if !errors.As(err, &se) || !strings.HasPrefix(se.Msg, "cannot connect to") {
		t.Errorf("got %v", err)
	}
}

func TestPrintDisagreementShowsExchange(t *testing.T) {
	p := redox(t)
	ex := Compare(p, lint.Response{Status: 200, Certain: true}, &Response{Status: 400, Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body: `{"error":"invalid_request","error_description":"JWT is malformed"}`, Error: "invalid_request", ErrorDescription: desc("JWT is malformed")})
	ex.Request = Request{Method: "POST", URL: "https://api.redoxengine.com/v2/auth/token", Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: "grant_type=client_credentials"}
	var b bytes.Buffer
	id := func(s string) string { return s }
	Print(&b, ex, id, id, id)
	for _, want := range []string{"disagree:", "status: predicted 200, received 400", "> POST /v2/auth/token HTTP/1.1", "> Host: api.redoxengine.com",
		"> grant_type=client_credentials", "< HTTP/1.1 400 Bad Request", `< {"error":"invalid_request","error_description":"JWT is malformed"}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
