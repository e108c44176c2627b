package lint

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/redact"
)

// FuzzTokenJWK fuzzes the header and claims JSON of a token for the
// handling of embedded JWKs. The text rewriter in pkg/redact must agree
// with a plain walk over the decoded JSON (in both modes, keeping valid
// JSON), lint must report every private member it finds, and no private
// value may reach lint's JSON report.
//
//	go test ./pkg/lint -run '^$' -fuzz FuzzTokenJWK -fuzztime 5m
func FuzzTokenJWK(f *testing.F) {
	rsaJWK := `{"kty":"RSA","n":"3kru55xfihoyT6jnP8VLEeHswil","e":"AQAB","d":"PRIVATEdPRIVATEdPRIVATEd","p":"PRIVATEpPRIVATEpPRIVATEp","q":"PRIVATEqPRIVATEqPRIVATEq","dp":"PRIVATEdpPRIVATEdpPRIVATE","dq":"PRIVATEdqPRIVATEdqPRIVATE","qi":"PRIVATEqiPRIVATEqiPRIVATE"}`
	claims := fixtures.Claims(fixtures.Now).JSON()
	f.Add(`{"alg":"RS384","kid":"rsa-2026-11","typ":"JWT","jwk":`+rsaJWK+`}`, claims)
	f.Add(`{"alg":"ES384","kid":"k","jwk":{"d":"SECRETSECRETSECRETSECRET","kty":"EC","crv":"P-384","x":"AA","y":"AA"}}`, claims)
	f.Add(`{"alg":"RS384","kid":"k","jwk":{"k":"c2hhcmVkLXNlY3JldC1vZi10aGUtY2xpZW50"}}`, `{"iss":"a","cnf":{"jwk":{"kty":"oct","\u006b":"c2hhcmVkLXNlY3JldC1vZi10aGUtY2xpZW50"}}}`)
	f.Add(`{"alg":"RS384","kid":{"kty":"RSA","d":"KIDSECRETKIDSECRETKIDSECRET"},"jwk":{"kty":"EC","d":"1"},"jwk":{"kty":"EC"}}`, `{"keys":[{"kty":"RSA","d":"SETSECRETSETSECRETSETSECRET"},[{"kty":"oct","k":"x","oth":[{"d":"y"}]}]]}`)
	f.Add(`{ "jwk" : { "d" : "FIRSTFIRSTFIRSTFIRST" , "kty" : "EC" } , "alg" : "RS384" }`, `null`)
	f.Add(`{"alg":"RS384","kid":"k","crit":[{"kty":"EC","d":"CRITSECRETCRITSECRET"}]}`, `[]`)
	prof := redox(f)
	f.Fuzz(func(t *testing.T, header, payload string) {
		for _, text := range []string{header, payload} {
			checkRedactAgainstWalk(t, text)
		}
		tok := b64url(header) + "." + b64url(payload) + ".c2ln"
		r := Lint(Input{Token: tok, Profile: prof, ClientID: fixtures.ClientID, Now: fixtures.Now})
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("report does not marshal: %v", err)
		}
		fired := false
		for _, fd := range r.Findings {
			fired = fired || fd.Rule == "private-key-in-token"
		}
		// A private value that also stands in public elsewhere in the token
		// may show; only one that is nowhere else is a leak.
		redactedH, _ := redact.JSON([]byte(header), redact.Replace)
		redactedP, _ := redact.JSON([]byte(payload), redact.Replace)
		public := string(redactedH) + "\n" + string(redactedP)
		for _, part := range []struct {
			text    string
			decoded any
		}{{header, r.Header}, {payload, r.Claims}} {
			secrets, ok := privateValues(part.text)
			if !ok || len(secrets) == 0 || part.decoded == nil {
				continue
			}
			if !fired {
				t.Errorf("private members in %q but no private-key-in-token finding", part.text)
			}
			for _, s := range secrets {
				if strings.Contains(string(out), s) && !strings.Contains(public, s) {
					t.Errorf("the report shows the private value %q", s)
				}
			}
		}
	})
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// checkRedactAgainstWalk compares redact.JSON with walkRedact on valid JSON.
func checkRedactAgainstWalk(t *testing.T, text string) {
	t.Helper()
	in, ok := decodeJSON(text)
	if !ok {
		redact.JSON([]byte(text), redact.Replace) // must not panic
		return
	}
	for _, mode := range []redact.Mode{redact.Replace, redact.Drop} {
		out, found := redact.JSON([]byte(text), mode)
		got, ok := decodeJSON(string(out))
		if !ok {
			t.Fatalf("mode %d made invalid JSON of %q: %q", mode, text, out)
		}
		want, n := walkRedact(in, false, mode)
		// The text also holds the repeats of a member that decoding drops,
		// so it can find more, never fewer.
		if len(found) < n || len(found) > 0 && string(out) == text {
			t.Errorf("mode %d: %d private members reported in %q, the walk finds %d: %v", mode, len(found), text, n, found)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("mode %d: %q became %q; the walk gives %#v", mode, text, out, want)
		}
	}
}

func decodeJSON(text string) (any, bool) {
	if !json.Valid([]byte(text)) {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// walkRedact is the reference: the decoded value with each private member
// of a JWK (an object with kty, or the value of a jwk member) replaced or
// dropped, and how many there were. Repeated members count once here, as
// the decoded map holds them once.
func walkRedact(v any, isJWK bool, mode redact.Mode) (any, int) {
	switch x := v.(type) {
	case map[string]any:
		_, hasKty := x["kty"]
		jwk := isJWK || hasKty
		out, n := map[string]any{}, 0
		for k, val := range x {
			if jwk && redact.IsPrivateMember(k) {
				n++
				if mode == redact.Replace {
					out[k] = redact.Placeholder
				}
				continue
			}
			nv, m := walkRedact(val, k == "jwk", mode)
			out[k], n = nv, n+m
		}
		return out, n
	case []any:
		out, n := make([]any, len(x)), 0
		for i, e := range x {
			var m int
			out[i], m = walkRedact(e, false, mode)
			n += m
		}
		return out, n
	}
	return v, 0
}

var plainSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{16,}$`)

// privateValues lists the private string values in text long and plain
// enough to search for in a report.
func privateValues(text string) ([]string, bool) {
	v, ok := decodeJSON(text)
	if !ok {
		return nil, false
	}
	var out []string
	var walk func(v any, isJWK bool)
	walk = func(v any, isJWK bool) {
		switch x := v.(type) {
		case map[string]any:
			_, hasKty := x["kty"]
			for k, val := range x {
				if (isJWK || hasKty) && redact.IsPrivateMember(k) {
					if s, ok := val.(string); ok && plainSecret.MatchString(s) {
						out = append(out, s)
					}
					continue
				}
				walk(val, k == "jwk")
			}
		case []any:
			for _, e := range x {
				walk(e, false)
			}
		}
	}
	walk(v, false)
	return out, true
}
