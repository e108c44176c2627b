package lint

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
)

const testdata = "../../testdata"

func redox(t testing.TB) profile.Profile {
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ruleIDs(r *Report) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Rule)
	}
	return ids
}

func predicted(r *Report) string {
	if r.Predicted.Status == 200 {
		return "200"
	}
	if r.Predicted.NoDescription {
		return "<" + r.Predicted.Error + ">"
	}
	return r.Predicted.ErrorDescription
}

// TestFixtureTokens runs every fixture token through lint with its key set
// and checks the rules it must trigger and the server's predicted answer.
func TestFixtureTokens(t *testing.T) {
	for _, c := range fixtures.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			in := Input{
				Token: fixtures.ReadToken(t, c.Name), Profile: redox(t), ClientID: fixtures.ClientID,
				Now: fixtures.Now, JWKSURL: c.JWKSURL,
			}
			if !c.NoKeys {
				in.Keys = fixtures.KeySet(t, c.JWKS)
			}
			if c.Profile != "" {
				p, err := profile.Get(c.Profile, fixtures.TokenURL)
				if err != nil {
					t.Fatal(err)
				}
				in.Profile = p
			}
			if c.SeenJTI {
				in.JTISeen = func(iss, jti string) bool { return iss == fixtures.ClientID }
			}
			r := Lint(in)
			got := ruleIDs(r)
			for _, want := range c.Rules {
				if !slices.Contains(got, want) {
					t.Errorf("rule %s did not fire; findings: %v", want, got)
				}
			}
			if p := predicted(r); p != c.Predicted {
				t.Errorf("predicted %q, want %q (findings %v)", p, c.Predicted, got)
			}
			if r.Predicted.Certain == c.Uncertain {
				t.Errorf("prediction certain=%v, want %v: unchecked %v", r.Predicted.Certain, !c.Uncertain, r.Predicted.Unchecked)
			}
			for _, f := range r.Findings {
				// An accepted token has no error findings but the advice
				// the case expects (a leaked key is one).
				if c.Predicted == "200" && f.Severity == SeverityError && (f.ServerCheck || !slices.Contains(c.Rules, f.Rule)) {
					t.Errorf("accepted token has error finding %s: %s", f.Rule, f.Message)
				}
			}
			for _, f := range r.Findings {
				if f.Message == "" || f.Fix == "" || f.Doc == "" {
					t.Errorf("finding %s lacks message, fix or doc: %+v", f.Rule, f)
				}
			}
		})
	}
}

func TestValidTokensAreClean(t *testing.T) {
	for _, name := range []string{"valid-rs384", "valid-es384"} {
		r := Lint(Input{Token: fixtures.ReadToken(t, name), Profile: redox(t), ClientID: fixtures.ClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: fixtures.Now})
		if len(r.Findings) != 0 {
			t.Errorf("%s: want no findings, got %v", name, ruleIDs(r))
		}
		if r.KeyID == "" {
			t.Errorf("%s: no verifying kid reported", name)
		}
	}
}

func TestWithoutKeysPredictionIsUncertain(t *testing.T) {
	r := Lint(Input{Token: fixtures.ReadToken(t, "valid-rs384"), Profile: redox(t), Now: fixtures.Now})
	if r.Predicted.Status != 200 || r.Predicted.Certain {
		t.Fatalf("want an uncertain 200, got %+v", r.Predicted)
	}
	if !slices.Contains(r.Predicted.Unchecked, "kid-not-found") || !slices.Contains(r.Predicted.Unchecked, "signature") {
		t.Errorf("unchecked steps %v should name the key lookup and the signature", r.Predicted.Unchecked)
	}
	// A failure before the key lookup is certain even without keys.
	r = Lint(Input{Token: fixtures.ReadToken(t, "no-kid"), Profile: redox(t), Now: fixtures.Now})
	if !r.Predicted.Certain || r.Predicted.ErrorDescription != "JWT header kid property is required" {
		t.Errorf("no-kid without keys: %+v", r.Predicted)
	}
	// A failure after it is not.
	r = Lint(Input{Token: fixtures.ReadToken(t, "iat-too-old"), Profile: redox(t), Now: fixtures.Now})
	if r.Predicted.Certain {
		t.Errorf("iat-too-old without keys should be uncertain: %+v", r.Predicted)
	}
}

// TestTimeBoundaries pins the server's inclusive and exclusive edges.
func TestTimeBoundaries(t *testing.T) {
	ks, err := fixtures.LoadOrCreateKeys(filepath.Join(testdata, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	now := fixtures.Now.Unix()
	h := fixtures.Header("RS384", fixtures.KidRSA)
	base := fixtures.Claims(fixtures.Now)
	cases := []struct {
		name   string
		claims fixtures.Object
		want   string
	}{
		{"age 310 accepted", base.Set("iat", now-310).Set("exp", now+100), "200"},
		{"age 311 rejected", base.Set("iat", now-311).Set("exp", now+100), `"iat" claim timestamp check failed (too far in the past)`},
		{"iat +10 accepted", base.Set("iat", now+10).Without("exp"), "200"},
		{"iat +11 rejected without exp", base.Set("iat", now+11).Without("exp"), `"iat" claim timestamp check failed (it should be in the past)`},
		{"iat +11 rejected with exp", base.Set("iat", now+11).Set("exp", now+300), `"iat" claim timestamp check failed (it should be in the past)`},
		{"nbf +10 accepted", base.Set("nbf", now+10), "200"},
		{"nbf +11 rejected", base.Set("nbf", now+11), `"nbf" claim timestamp check failed`},
		{"exp -9 accepted", base.Set("iat", now-100).Set("exp", now-9), "200"},
		{"exp -10 rejected", base.Set("iat", now-100).Set("exp", now-10), `"exp" claim timestamp check failed`},
		{"nbf before exp in order", base.Set("iat", now-100).Set("nbf", now+60).Set("exp", now-60), `"nbf" claim timestamp check failed`},
		{"exp before age in order", base.Set("iat", now-1000).Set("exp", now-60), `"exp" claim timestamp check failed`},
		{"aud before times", base.Set("aud", "x").Set("iat", now-1000), `unexpected "aud" claim value`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := fixtures.Sign(h.JSON(), c.claims.JSON(), ks["rsa"])
			r := Lint(Input{Token: tok, Profile: redox(t), ClientID: fixtures.ClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: fixtures.Now})
			if got := predicted(r); got != c.want {
				t.Errorf("predicted %q, want %q; findings %v", got, c.want, ruleIDs(r))
			}
		})
	}
}

func TestFixtureRequests(t *testing.T) {
	for _, c := range fixtures.RequestCases() {
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(testdata, "requests", c.File))
			if err != nil {
				t.Fatal(err)
			}
			req, err := request.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			p := redox(t)
			if c.Profile != "" {
				if p, err = profile.Get(c.Profile, fixtures.TokenURL); err != nil {
					t.Fatal(err)
				}
			}
			r := Lint(Input{Request: req, Profile: p, ClientID: fixtures.ClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: fixtures.Now})
			for _, want := range c.Rules {
				if !slices.Contains(ruleIDs(r), want) {
					t.Errorf("rule %s did not fire; findings %v", want, ruleIDs(r))
				}
			}
			if got := predicted(r); got != c.Predicted {
				t.Errorf("predicted %q, want %q; findings %v", got, c.Predicted, ruleIDs(r))
			}
		})
	}
}

// TestRequestOrder checks that the first request problem in server order
// wins, while every problem is still reported.
func TestRequestOrder(t *testing.T) {
	req, err := request.Parse([]byte("POST /v2/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\ngrant_type=password"))
	if err != nil {
		t.Fatal(err)
	}
	r := Lint(Input{Request: req, Profile: redox(t), Now: fixtures.Now})
	if r.Predicted.ErrorDescription != "x-www-form-urlencoded content-type required" {
		t.Errorf("predicted %+v", r.Predicted)
	}
	for _, want := range []string{"request-content-type", "request-grant-type-invalid", "request-assertion-type-missing", "request-assertion-missing"} {
		if !slices.Contains(ruleIDs(r), want) {
			t.Errorf("missing %s in %v", want, ruleIDs(r))
		}
	}
}

// TestReportRedactsPrivateKeys: the report's header and claims, and every
// message, show a leaked key's private members as <redacted>.
func TestReportRedactsPrivateKeys(t *testing.T) {
	ks, err := fixtures.LoadOrCreateKeys(filepath.Join(testdata, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	leaked := fixtures.PrivateJWK(ks["other-rsa"])
	for _, name := range []string{"header-jwk-private", "claims-cnf-jwk-private"} {
		r := Lint(Input{Token: fixtures.ReadToken(t, name), Profile: redox(t), ClientID: fixtures.ClientID, Now: fixtures.Now})
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, member := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if v := leaked[member].(string); strings.Contains(string(out), v[:24]) {
				t.Errorf("%s: the report holds the private member %s", name, member)
			}
		}
		if strings.Contains(string(out), "c2hhcmVkLXNlY3JldC1vZi10aGUtY2xpZW50") {
			t.Errorf("%s: the report holds the oct secret", name)
		}
		if !strings.Contains(string(out), `redacted`) {
			t.Errorf("%s: no <redacted> placeholder in %s", name, out)
		}
	}
}

// The keyless lint of an ordinary token stays within the budget of
// 50 allocations (it makes about 20); a count, not a timing.
func TestLintNoKeyAllocations(t *testing.T) {
	in := Input{Token: fixtures.ReadToken(t, "valid-rs384"), Profile: redox(t), Now: fixtures.Now}
	if r := Lint(in); r.Predicted.Status != 200 {
		t.Fatal(r.Predicted)
	}
	if n := testing.AllocsPerRun(100, func() { Lint(in) }); n > 50 {
		t.Errorf("Lint allocates %v times per token, want at most 50", n)
	}
}

// A registered key's x5c is read in order: the first entry that is not a
// certificate is reported, whether it is not a string or not base64 DER.
func TestRegisteredKeyX5COrder(t *testing.T) {
	block, _ := pem.Decode(readFile(t, "../keys/testdata/rsa2048.cert.pem"))
	if block == nil {
		t.Fatal("no certificate fixture")
	}
	cert := base64.StdEncoding.EncodeToString(block.Bytes)
	for _, c := range []struct {
		chain    []any
		step     string
		contains string
	}{
		{[]any{cert}, "", ""},
		{[]any{"bm90IGEgY2VydA", 5}, "registered-key-x5c", "x5c[0] is not a base64 DER certificate"},
		{[]any{cert, 5}, "registered-key-invalid", "x5c[1] is 5, not a string"},
		{[]any{cert, cert, "bm90IGEgY2VydA"}, "registered-key-x5c", "x5c[2] is not a base64 DER certificate"},
	} {
		jwk := map[string]any{"kty": "RSA", "kid": "k", "n": "AQAB", "e": "AQAB", "x5c": c.chain}
		data, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
		set, err := keys.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second answer comes from the key's memo
			step, _, msg := jwkLoadProblem(set.Keys[0])
			if step != c.step || !strings.Contains(msg, c.contains) {
				t.Errorf("%v: %s %q, want %s %q", c.chain, step, msg, c.step, c.contains)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A long value is shortened for a message on a character boundary, so the
// message stays valid UTF-8.
func TestCompactJSONCutsOnCharacters(t *testing.T) {
	for pad := range 4 {
		v := strings.Repeat("a", 110+pad) + strings.Repeat("é", 20)
		got := compactJSON(v)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "...") || len(got) > 120 {
			t.Errorf("compactJSON of %d bytes = %q", len(v), got)
		}
	}
}
