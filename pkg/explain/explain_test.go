package explain

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/catalog"
)

var serverTime = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func atServerTime() Options { return Options{Now: serverTime, NowGiven: true} }

func jsonBody(desc string) string {
	b, _ := json.Marshal(map[string]string{"error": "invalid_request", "error_description": desc,
		"error_uri": "https://docs.redoxengine.com/permalink/7sEi7MTFssZ1JuHpUYLeYJ"})
	return string(b)
}

func httpResponse(desc string) string {
	body := jsonBody(desc)
	return fmt.Sprintf("HTTP/1.1 400 Bad Request\r\nDate: %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
		serverTime.Format(time.RFC1123), len(body), body)
}

func curlVerbose(desc string) string {
	return strings.Join([]string{
		"$ curl -v https://api.redoxengine.com/v2/auth/token \\",
		"    -d grant_type=client_credentials -d client_assertion=eyJ.e30.sig",
		"*   Trying 52.0.0.1:443...",
		"* Connected to api.redoxengine.com (52.0.0.1) port 443",
		"> POST /v2/auth/token HTTP/2",
		"> Host: api.redoxengine.com",
		"> content-type: application/x-www-form-urlencoded",
		">",
		"< HTTP/2 400 ",
		"< date: " + serverTime.Format(time.RFC1123),
		"< content-type: application/json",
		"<",
		jsonBody(desc) + "* Connection #0 to host api.redoxengine.com left intact",
	}, "\n")
}

func curlInclude(desc string) string {
	return "$ curl -i -X POST https://api.redoxengine.com/v2/auth/token -d @body.txt\n" + httpResponse(desc)
}

// Every wire string in the catalog, in every input form, resolves to its
// own entry and no other, as an exact match.
func TestEveryWireStringResolvesToItsEntry(t *testing.T) {
	forms := map[string]func(string) string{
		"bare":         func(s string) string { return s },
		"json":         jsonBody,
		"http":         httpResponse,
		"curl-verbose": curlVerbose,
		"curl-include": curlInclude,
	}
	n := 0
	for _, e := range catalog.All() {
		for _, d := range e.Descriptions {
			for form, render := range forms {
				if form == "bare" && d == "" {
					continue // a bare empty argument is handled by the command
				}
				n++
				r := Explain(render(d), atServerTime())
				if !r.Known || len(r.Matches) != 1 {
					t.Errorf("%s %q: known=%v, %d matches", form, d, r.Known, len(r.Matches))
					continue
				}
				m := r.Matches[0]
				if m.ID != e.ID || m.Match != KindExact || m.ErrorDescription != d {
					t.Errorf("%s %q: got %s (%s, %q), want %s exact", form, d, m.ID, m.Match, m.ErrorDescription, e.ID)
				}
				if r.Input.ErrorDescription != d {
					t.Errorf("%s %q: parsed description %q", form, d, r.Input.ErrorDescription)
				}
			}
		}
	}
	if n < 5*len(catalog.Descriptions())-1 {
		t.Errorf("only %d cases ran", n)
	}
}

func TestParseForms(t *testing.T) {
	desc := `"exp" claim timestamp check failed`
	cases := []struct {
		name, input string
		form        Form
		status      int
		url         string
	}{
		{"bare", desc, FormText, 0, ""},
		{"json", jsonBody(desc), FormJSON, 0, ""},
		{"http", httpResponse(desc), FormHTTP, 400, ""},
		{"http-100-continue", "HTTP/1.1 100 Continue\n\n" + httpResponse(desc), FormHTTP, 400, ""},
		{"curl-verbose", curlVerbose(desc), FormCurl, 400, "https://api.redoxengine.com/v2/auth/token"},
		{"curl-include", curlInclude(desc), FormCurl, 400, "https://api.redoxengine.com/v2/auth/token"},
		{"labelled", `error_description: "\"exp\" claim timestamp check failed"`, FormText, 0, ""},
		{"json-string", `"\"exp\" claim timestamp check failed"`, FormText, 0, ""},
		{"query", "error=invalid_request&error_description=%22exp%22+claim+timestamp+check+failed", FormText, 0, ""},
		{"no-blank-line", "HTTP/1.1 400 Bad Request\nContent-Type: application/json\n" + jsonBody(desc), FormHTTP, 400, ""},
		{"bom-crlf", "\ufeff" + strings.ReplaceAll(httpResponse(desc), "\n", "\r\n"), FormHTTP, 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Parse(c.input)
			if r.Form != c.form || r.Status != c.status || r.URL != c.url || r.ErrorDescription != desc || !r.HasDescription {
				t.Errorf("got %+v", r)
			}
		})
	}
}

func TestMatchStages(t *testing.T) {
	cases := []struct {
		input string
		kind  Kind
		ids   []string
		name  string
	}{
		{"JWT header kid property is required", KindExact, []string{"kid-required"}, ""},
		{"  jwt HEADER kid property   is required.  ", KindFold, []string{"kid-required"}, ""},
		{"\u201ciat\u201d claim is missing", KindFold, []string{"iat-missing"}, ""},
		{"iat claim is missing", KindFold, []string{"iat-missing"}, ""},
		{`Unexpected "AUD" claim value`, KindFold, []string{"unexpected-aud"}, ""},
		{"Unexpected X claim value", KindFold, []string{"unexpected-aud", "unexpected-iss", "unexpected-sub", "unexpected-jti", "unexpected-typ"}, ""},
		{`"iat" claim timestamp check failed`, KindFold, []string{"iat-future", "iat-too-old"}, ""},
		{`unexpected "scope" claim value`, KindTemplate, []string{"unexpected-aud", "unexpected-iss", "unexpected-sub", "unexpected-jti"}, "scope"},
		{`"jti" claim must be a JSON numeric value`, KindTemplate, []string{"claim-not-numeric"}, "jti"},
		{`the key does not support PS384 verify algorithm`, KindTemplate, []string{"key-does-not-support-alg"}, "PS384"},
		{`critical "urn:example:ext" is not understood`, KindTemplate, []string{"crit-header"}, "urn:example:ext"},
		{`"sub" claim is missing`, KindTemplate, []string{"claim-missing"}, "sub"},
		{"Public key not found, check client_id", KindClose, []string{"public-key-not-found"}, ""},
		{`"iat" claim timestamp check failed (too far`, KindClose, []string{"iat-too-old"}, ""},
		{"JWT header kid propery is requird", KindClose, []string{"kid-required"}, ""},
		{"signature verfication failed", KindClose, []string{"signature-failed"}, ""},
		{"Error: alg not whitelisted (see logs)", KindClose, []string{"alg-not-whitelisted"}, ""},
	}
	for _, c := range cases {
		r := Explain(c.input, atServerTime())
		var ids []string
		for _, m := range r.Matches {
			ids = append(ids, m.ID)
			if m.Match != c.kind || m.Name != c.name {
				t.Errorf("%q: %s is a %s match for %q, want %s for %q", c.input, m.ID, m.Match, m.Name, c.kind, c.name)
			}
		}
		if strings.Join(ids, " ") != strings.Join(c.ids, " ") || !r.Known {
			t.Errorf("%q: matched %v, want %v", c.input, ids, c.ids)
		}
	}
}

// A template with a name the catalog knows resolves to the wire string of
// that name, not to the family.
func TestTemplateUsesTheRealName(t *testing.T) {
	r := Explain(`"EXP" claim must be a JSON numeric value`, atServerTime())
	if len(r.Matches) != 1 || r.Matches[0].ErrorDescription != catalog.NotNumeric("exp") {
		t.Fatalf("got %+v", r.Matches)
	}
	r = Explain(`unexpected "scope" claim value`, atServerTime())
	for _, m := range r.Matches {
		if m.ErrorDescription != `unexpected "scope" claim value` || m.Note == "" {
			t.Errorf("%s: %q, note %q", m.ID, m.ErrorDescription, m.Note)
		}
	}
}

func TestUnknownTextGetsNearestAndAdvice(t *testing.T) {
	r := Explain("the moon is made of cheese", atServerTime())
	if r.Known || len(r.Matches) != 0 || len(r.Nearest) == 0 || len(r.Advice) == 0 {
		t.Fatalf("got %+v", r)
	}
	for _, m := range r.Nearest {
		if m.Match != KindNearest || m.Score <= 0 || m.Score >= closeScore {
			t.Errorf("nearest %s kind %s score %v", m.ID, m.Match, m.Score)
		}
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"matches":[]`) {
		t.Errorf("matches must be an empty array: %s", b)
	}
}

func TestBlankDescription(t *testing.T) {
	for _, in := range []string{`{"error":"invalid_request","error_description":""}`, `""`, "   \n"} {
		r := Explain(in, atServerTime())
		if !r.Known || len(r.Matches) != 1 || r.Matches[0].ID != "blank-description" || r.Matches[0].Match != KindExact {
			t.Errorf("%q: %+v", in, r.Matches)
			continue
		}
		cmd := r.Matches[0].LintCommand
		if !strings.Contains(cmd, "--jwks") || !strings.Contains(cmd, "--client-id") {
			t.Errorf("the blank case should lint with the keys: %s", cmd)
		}
	}
	r := Explain(`{"error":"invalid_request"}`, atServerTime())
	if len(r.Matches) != 1 || r.Matches[0].ID != "blank-description" || len(r.Notes) == 0 {
		t.Errorf("a missing member should read as blank with a note: %+v", r)
	}
}

// withAssertion puts a signed-looking assertion with the given iat on the
// curl command line of a verbose transcript.
func withAssertion(transcript string, iat time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"RS384","kid":"k1"}`)) + "." + enc([]byte(fmt.Sprintf(`{"iss":"c","iat":%d}`, iat.Unix()))) + ".c2ln"
	return strings.Replace(transcript, "client_assertion=eyJ.e30.sig", "client_assertion="+tok, 1)
}

// The Date header is compared with the assertion's iat when the input holds
// one, else with --now; never with the moment explain runs.
func TestClockSkew(t *testing.T) {
	resp := httpResponse(catalog.DescIatFuture)
	cases := []struct {
		now        time.Time
		verdict    string
		skew       int64
		firstCause string
	}{
		{serverTime.Add(9 * time.Second), WithinTolerance, 9, "The client's clock runs fast."},
		{serverTime.Add(42 * time.Second), BeyondTolerance, 42, "The clock that set iat runs 42s ahead"},
		{serverTime.Add(-42 * time.Second), BeyondTolerance, -42, "The client's clock runs fast."},
	}
	for _, c := range cases {
		r := Explain(resp, Options{Now: c.now, NowGiven: true})
		if r.Clock == nil || r.Clock.Verdict != c.verdict || r.Clock.SkewSeconds != c.skew || r.Clock.ToleranceSeconds != 10 || r.Clock.LocalFrom != "now-flag" {
			t.Errorf("now %s: clock %+v", c.now, r.Clock)
			continue
		}
		if !strings.HasPrefix(r.Matches[0].Causes[0], c.firstCause) {
			t.Errorf("now %s: first cause %q", c.now, r.Matches[0].Causes[0])
		}
	}
	// A clock far behind explains an iat that is too old.
	r := Explain(httpResponse(catalog.DescIatTooOld), Options{Now: serverTime.Add(-6 * time.Minute), NowGiven: true})
	if !strings.Contains(r.Matches[0].Causes[0], "6m0s behind") || !strings.Contains(r.Clock.Message, "likely cause") {
		t.Errorf("got %q / %q", r.Matches[0].Causes[0], r.Clock.Message)
	}
	if Explain(jsonBody(catalog.DescIatFuture), atServerTime()).Clock != nil {
		t.Error("a body without headers has no clock check")
	}

	// Pasted a minute (or a day) later, without --now: nothing to compare.
	for _, later := range []time.Duration{time.Minute, 24 * time.Hour} {
		r := Explain(resp, Options{Now: serverTime.Add(later)})
		if r.Clock != nil {
			t.Errorf("explain ran %s after the response and compared its own clock: %+v", later, r.Clock)
		}
		if !strings.Contains(strings.Join(r.Notes, "\n"), "clock was not checked") {
			t.Errorf("no note says the clock was not checked: %q", r.Notes)
		}
	}
}

func TestClockComparesIATWithDate(t *testing.T) {
	cases := []struct {
		desc       string
		iat        time.Duration // relative to the Date header
		verdict    string
		message    string
		firstCause string
	}{
		{catalog.DescIatFuture, 42 * time.Second, BeyondTolerance, "iat is 42s after the server's Date header", "The assertion's iat is 42s after"},
		{catalog.DescIatFuture, -3 * time.Second, WithinTolerance, "iat is 3s before it", "The client's clock runs fast."},
		{catalog.DescIatFuture, 0, WithinTolerance, "iat is the same second", "The client's clock runs fast."},
		{catalog.DescIatTooOld, -6 * time.Minute, BeyondTolerance, "6m0s before the server's Date header", "The assertion's iat is 6m0s before"},
	}
	for _, c := range cases {
		in := withAssertion(curlVerbose(c.desc), serverTime.Add(c.iat))
		// Whenever explain runs, and whatever --now says, iat decides.
		for _, opts := range []Options{{Now: serverTime.Add(72 * time.Hour)}, {Now: serverTime.Add(-time.Hour), NowGiven: true}} {
			r := Explain(in, opts)
			if r.Clock == nil || r.Clock.LocalFrom != "iat" || r.Clock.Verdict != c.verdict || !r.Clock.LocalTime.Equal(serverTime.Add(c.iat)) {
				t.Errorf("iat %s: clock %+v", c.iat, r.Clock)
				continue
			}
			if !strings.Contains(r.Clock.Message, c.message) || strings.Contains(r.Clock.Message, "0s ahead of)") {
				t.Errorf("iat %s: message %q", c.iat, r.Clock.Message)
			}
			if !strings.HasPrefix(r.Matches[0].Causes[0], c.firstCause) {
				t.Errorf("iat %s: first cause %q", c.iat, r.Matches[0].Causes[0])
			}
		}
	}
}

// The within-tolerance message has no dangling "(0s ahead of)".
func TestClockMessageAtZeroSkew(t *testing.T) {
	r := Explain(httpResponse(catalog.DescIatFuture), atServerTime())
	if r.Clock == nil || strings.Contains(r.Clock.Message, "ahead of)") || !strings.Contains(r.Clock.Message, "the same second") {
		t.Errorf("clock %+v", r.Clock)
	}
}

// A huge input is not echoed back whole.
func TestEchoIsCapped(t *testing.T) {
	huge := strings.Repeat("x", 2<<20)
	for _, in := range []string{huge, `{"error":"invalid_request","error_description":"` + huge + `"}`} {
		r := Explain(in, Options{})
		out, _ := json.Marshal(r)
		if len(out) > 64<<10 {
			t.Errorf("a %d-byte input gave %d bytes of JSON", len(in), len(out))
		}
		if len(r.Input.ErrorDescription) > maxEcho+3 || !strings.Contains(strings.Join(r.Notes, "\n"), "only its first") {
			t.Errorf("error_description of %d bytes echoed; notes %q", len(r.Input.ErrorDescription), r.Notes)
		}
	}
}

func TestLintCommand(t *testing.T) {
	cases := []struct{ input, want string }{
		{catalog.DescKidRequired, `clientassert lint "$TOKEN" --now 2026-11-27T12:00:00Z`},
		{catalog.DescContentType, `clientassert lint --request request.http --now 2026-11-27T12:00:00Z`},
		{catalog.DescSignatureFailed, `clientassert lint "$TOKEN" --client-id "$CLIENT_ID" --jwks jwks.json --now 2026-11-27T12:00:00Z`},
		{strings.ReplaceAll(curlVerbose(catalog.DescIatTooOld), "api.redoxengine.com", "api.ca.redoxengine.com"),
			`clientassert lint "$TOKEN" --profile redox-ca --now 2026-11-27T12:00:00Z`},
		{strings.ReplaceAll(curlVerbose(catalog.DescIatTooOld), "api.redoxengine.com", "auth.example.org"),
			`clientassert lint "$TOKEN" --profile rfc7523 --aud https://auth.example.org/v2/auth/token --now 2026-11-27T12:00:00Z`},
	}
	for _, c := range cases {
		r := Explain(c.input, atServerTime())
		if got := r.Matches[0].LintCommand; got != c.want {
			t.Errorf("%.40q:\n got %s\nwant %s", c.input, got, c.want)
		}
	}
	if got := Explain(catalog.DescKidRequired, Options{Now: serverTime}).Matches[0].LintCommand; got != `clientassert lint "$TOKEN"` {
		t.Errorf("without a known moment there is no --now: %s", got)
	}
}

func TestResponsesWithoutAnError(t *testing.T) {
	ok := Explain("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"access_token\":\"x\",\"token_type\":\"Bearer\",\"expires_in\":300}", atServerTime())
	if !ok.Accepted || !ok.Known || len(ok.Matches) != 0 {
		t.Errorf("200: %+v", ok)
	}
	bad := Explain("HTTP/1.1 502 Bad Gateway\nContent-Type: text/html\n\n<html>bad gateway</html>", atServerTime())
	if bad.Known || bad.Accepted || bad.Status != 502 || !strings.Contains(bad.Advice[0], "502") {
		t.Errorf("502: %+v", bad)
	}
	cut := Explain(`{"error":"invalid_request","error_description":"Public key not found, check cli`, atServerTime())
	if !cut.Known || cut.Matches[0].ID != "public-key-not-found" || cut.Matches[0].Match != KindClose || len(cut.Notes) == 0 {
		t.Errorf("truncated body: %+v", cut)
	}
}

// Huge or hostile input must not be slow or panic.
func TestLargeInput(t *testing.T) {
	big := strings.Repeat("signature verification failed ", 100000)
	start := time.Now()
	r := Explain(big, atServerTime())
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	if !r.Known || r.Matches[0].ID != "signature-failed" {
		t.Errorf("got %+v", r.Matches)
	}
}

func TestListHasEveryEntry(t *testing.T) {
	list := List()
	if len(list) != len(catalog.All()) {
		t.Fatalf("%d listed, %d in the catalog", len(list), len(catalog.All()))
	}
	for i, e := range catalog.All() {
		if list[i].ID != e.ID || list[i].Fix == "" || list[i].Rules == nil {
			t.Errorf("entry %d: %+v", i, list[i])
		}
	}
}

func FuzzExplain(f *testing.F) {
	for _, d := range catalog.Descriptions() {
		f.Add(httpResponse(d))
		f.Add(curlVerbose(d))
	}
	f.Add("< HTTP/1.1 400\n<\n{")
	f.Add("HTTP/1.1 100 Continue\n\nHTTP/1.1 100 Continue\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := Explain(in, atServerTime())
		if r.Known == (len(r.Matches) == 0) && !r.Accepted {
			t.Errorf("known=%v with %d matches", r.Known, len(r.Matches))
		}
	})
}
