package assertion

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/request"
)

func signedFixture(t *testing.T) string {
	t.Helper()
	tok, err := Sign(buildFixed(t, "rsa-2026-11"), loadKey(t, "rsa.pem"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenRequestFormats(t *testing.T) {
	tok := signedFixture(t)
	tr, err := NewTokenRequest("https://api.redoxengine.com/v2/auth/token", tok)
	if err != nil {
		t.Fatal(err)
	}
	wantBody := "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + tok
	if tr.Body != wantBody {
		t.Errorf("body = %s", tr.Body)
	}
	httpReq := tr.HTTP()
	head, body, ok := strings.Cut(httpReq, "\r\n\r\n")
	if !ok || body != wantBody {
		t.Fatalf("HTTP request does not end in the body after a blank CRLF line:\n%q", httpReq)
	}
	wantHead := "POST /v2/auth/token HTTP/1.1\r\nHost: api.redoxengine.com\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Accept: application/json\r\nContent-Length: " + strconv.Itoa(len(wantBody))
	if head != wantHead {
		t.Errorf("head =\n%q\nwant\n%q", head, wantHead)
	}

	// Every format reads back, through the parser lint --request uses, as
	// the same request, and lints clean with the fixture keys.
	for _, format := range RequestFormats {
		text, err := tr.Format(format)
		if err != nil {
			t.Fatal(err)
		}
		req, err := request.Parse([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, text)
		}
		if len(req.Notes) != 0 {
			t.Errorf("%s: parser notes %v", format, req.Notes)
		}
		if req.Body != wantBody {
			t.Errorf("%s: parsed body %q", format, req.Body)
		}
		if format != "form" && (req.Method != "POST" || !req.IsFormURLEncoded() || !strings.HasSuffix(req.URL, "/v2/auth/token")) {
			t.Errorf("%s: parsed %s %s %q", format, req.Method, req.URL, req.ContentType)
		}
		r := lint.Lint(lint.Input{Request: req, Profile: redox(t), ClientID: testClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: testNow})
		if r.Predicted.Status != 200 || r.Summary.Errors+r.Summary.Warnings != 0 {
			t.Errorf("%s: lint --request %+v %+v", format, r.Predicted, r.Findings)
		}
	}
}

func TestTokenRequestURLs(t *testing.T) {
	tr, err := NewTokenRequest("http://localhost:8080/oauth/token?tenant=a%20b&x='y'", "a.b.c")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tr.HTTP(), "POST /oauth/token?tenant=a%20b&x='y' HTTP/1.1\r\nHost: localhost:8080\r\n") {
		t.Errorf("HTTP head: %q", tr.HTTP())
	}
	curl := tr.Curl()
	if !strings.HasPrefix(curl, `curl --request POST 'http://localhost:8080/oauth/token?tenant=a%20b&x='\''y'\''' \`) {
		t.Errorf("curl does not quote the URL for the shell: %s", curl)
	}
	req, err := request.Parse([]byte(curl))
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(req.URL); u == nil || u.Query().Get("x") != "'y'" {
		t.Errorf("curl URL read back as %q", req.URL)
	}
	for _, bad := range []string{"", "/v2/auth/token", "ftp://host/token", "https://", "https://u:p@host/t", "https://host/t#frag", "::", "https://host/a b", "https://host/t\n"} {
		if _, err := NewTokenRequest(bad, "a.b.c"); err == nil {
			t.Errorf("token URL %q accepted", bad)
		}
	}
	if _, err := tr.Format("json"); err == nil {
		t.Error("unknown format accepted")
	}
}
