package redact

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	cases := []struct {
		name, in          string
		replaced, dropped string
		found             []string
	}{
		{"no jwk", `{"alg":"RS384","d":"not a key"}`, `{"alg":"RS384","d":"not a key"}`, `{"alg":"RS384","d":"not a key"}`, nil},
		{"header jwk",
			`{"alg":"RS384","jwk":{"kty":"RSA","n":"AQ","e":"AQAB","d":"SECRET","p":"P1","q":"Q1","dp":"DP","dq":"DQ","qi":"QI"}}`,
			`{"alg":"RS384","jwk":{"kty":"RSA","n":"AQ","e":"AQAB","d":"<redacted>","p":"<redacted>","q":"<redacted>","dp":"<redacted>","dq":"<redacted>","qi":"<redacted>"}}`,
			`{"alg":"RS384","jwk":{"kty":"RSA","n":"AQ","e":"AQAB"}}`,
			[]string{"jwk.d", "jwk.p", "jwk.q", "jwk.dp", "jwk.dq", "jwk.qi"}},
		{"private first, spaced",
			"{\n  \"jwk\": {\n    \"d\": \"S\",\n    \"kty\": \"EC\",\n    \"x\": \"X\"\n  }\n}",
			"{\n  \"jwk\": {\n    \"d\": \"<redacted>\",\n    \"kty\": \"EC\",\n    \"x\": \"X\"\n  }\n}",
			"{\n  \"jwk\": {\n    \"kty\": \"EC\",\n    \"x\": \"X\"\n  }\n}",
			[]string{"jwk.d"}},
		{"only private members", `{"jwk":{"k":"c2VjcmV0","d":"x"}}`, `{"jwk":{"k":"<redacted>","d":"<redacted>"}}`, `{"jwk":{}}`, []string{"jwk.k", "jwk.d"}},
		{"cnf jwk in claims, escaped name",
			`{"iss":"a","cnf":{"jwk":{"kty":"oct","\u006b":"c2VjcmV0"}},"n":[{"kty":"EC","d":{"nested":[1]}}]}`,
			`{"iss":"a","cnf":{"jwk":{"kty":"oct","\u006b":"<redacted>"}},"n":[{"kty":"EC","d":"<redacted>"}]}`,
			`{"iss":"a","cnf":{"jwk":{"kty":"oct"}},"n":[{"kty":"EC"}]}`,
			[]string{"cnf.jwk.k", "n[].d"}},
		{"duplicate private member", `{"jwk":{"kty":"EC","d":"1","x":"X","d":"2"}}`, `{"jwk":{"kty":"EC","d":"<redacted>","x":"X","d":"<redacted>"}}`, `{"jwk":{"kty":"EC","x":"X"}}`, []string{"jwk.d", "jwk.d"}},
		{"not json", `{"jwk":{"kty":"EC","d":"1"`, `{"jwk":{"kty":"EC","d":"1"`, `{"jwk":{"kty":"EC","d":"1"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, found := JSON([]byte(c.in), Replace)
			if string(got) != c.replaced || !slices.Equal(found, c.found) {
				t.Errorf("Replace: got %s %v\nwant %s %v", got, found, c.replaced, c.found)
			}
			got, found = JSON([]byte(c.in), Drop)
			if string(got) != c.dropped || !slices.Equal(found, c.found) {
				t.Errorf("Drop: got %s %v\nwant %s %v", got, found, c.dropped, c.found)
			}
			if c.found != nil && !json.Valid(got) {
				t.Errorf("Drop made invalid JSON %s", got)
			}
		})
	}
}

func TestValue(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`{"jwk":{"kty":"RSA","n":"AQ","e":"AQAB","d":"SECRET"},"iat":1.50}`))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got, found := Value(v, Replace)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(got)
	if strings.TrimSpace(b.String()) != `{"iat":1.50,"jwk":{"d":"<redacted>","e":"AQAB","kty":"RSA","n":"AQ"}}` || !slices.Equal(found, []string{"jwk.d"}) {
		t.Errorf("got %s %v", b.String(), found)
	}
	if v["jwk"].(map[string]any)["d"] != "SECRET" {
		t.Error("Value changed its input")
	}
	plain := map[string]any{"alg": "RS384"}
	if got, found := Value(plain, Replace); found != nil || got.(map[string]any)["alg"] != "RS384" {
		t.Errorf("plain value: %v %v", got, found)
	}
}
