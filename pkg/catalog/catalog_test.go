package catalog

import (
	"regexp"
	"testing"
)

// The wire strings the server is known to send, byte for byte. A change
// here must be a deliberate change of what the server says.
var requiredWireStrings = []string{
	"",
	"x-www-form-urlencoded content-type required",
	"Missing grant_type parameter",
	"The grant_type parameter should equal 'client_credentials'",
	"Missing client assertion type",
	"Invalid client assertion type",
	"Missing client assertion",
	"JWTs must have three components",
	"JWT is malformed",
	"JWT header kid property is required",
	"Public key not found, check client_id, kid and Redox dashboard settings",
	`unexpected "aud" claim value`,
	`unexpected "iss" claim value`,
	`unexpected "sub" claim value`,
	`unexpected "jti" claim value`,
	`unexpected "typ" JWT header value`,
	`"exp" claim timestamp check failed`,
	`"nbf" claim timestamp check failed`,
	`"iat" claim timestamp check failed (it should be in the past)`,
	`"iat" claim timestamp check failed (too far in the past)`,
	`"iat" claim is missing`,
	`"iat" claim must be a JSON numeric value`,
	`"exp" claim must be a JSON numeric value`,
	`"nbf" claim must be a JSON numeric value`,
	`"iss" claim must be a string or array of strings`,
	`"aud" claim must be a string or array of strings`,
	`"sub" claim must be a string`,
	`"jti" claim must be a string`,
	"alg not whitelisted",
	"signature verification failed",
	"missing JWS signature algorithm",
}

func TestRequiredWireStrings(t *testing.T) {
	for _, s := range requiredWireStrings {
		if _, ok := ByDescription(s); !ok {
			t.Errorf("catalog lacks wire string %q", s)
		}
	}
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestEntriesAreComplete(t *testing.T) {
	if len(All()) < 20 {
		t.Fatalf("catalog has only %d entries", len(All()))
	}
	for _, e := range All() {
		if !idPattern.MatchString(e.ID) {
			t.Errorf("entry id %q is not kebab-case", e.ID)
		}
		if len(e.Descriptions) == 0 {
			t.Errorf("%s has no wire string", e.ID)
		}
		if e.Checked == "" || len(e.Causes) == 0 || len(e.Fix) == 0 {
			t.Errorf("%s lacks what was checked, causes or fix", e.ID)
		}
		if e.Source != Documented && e.Source != Library {
			t.Errorf("%s has source %q", e.ID, e.Source)
		}
		if e.Anchor() != e.ID || e.DocURL() != DocsBase+"errors.md#"+e.ID {
			t.Errorf("%s anchor %q", e.ID, e.Anchor())
		}
	}
}

// The documented table's strings must be marked documented; the library's
// own messages must not claim to be.
func TestDocumentedFlag(t *testing.T) {
	documented := map[string]bool{
		"": true, "x-www-form-urlencoded content-type required": true, "Missing grant_type parameter": true,
		"Missing client assertion": true, "JWT header kid property is required": true, "JWT is malformed": true,
		"JWTs must have three components": true,
	}
	for d := range documented {
		if e, _ := ByDescription(d); e.Source != Documented {
			t.Errorf("%q should be documented", d)
		}
	}
	for _, d := range []string{"alg not whitelisted", "signature verification failed", `"iat" claim is missing`} {
		if e, _ := ByDescription(d); e.Source != Library {
			t.Errorf("%q should be a library message", d)
		}
	}
}

func TestTemplates(t *testing.T) {
	if UnexpectedClaim("aud") != `unexpected "aud" claim value` || NotNumeric("exp") != `"exp" claim must be a JSON numeric value` ||
		KeyDoesNotSupport("ES384") != "the key does not support ES384 verify algorithm" ||
		CritNotUnderstood("b64") != `critical "b64" is not understood` {
		t.Error("a template renders wrongly")
	}
}

func TestLookupIsCaseInsensitive(t *testing.T) {
	e, exact := Lookup(`Unexpected "AUD" claim value`)
	if e.ID != "unexpected-aud" || exact {
		t.Errorf("got %q exact=%v", e.ID, exact)
	}
}

// Every template must describe its own entries: it matches one of their
// wire strings, their documented form, or the output of the helper that
// builds that message for the lint engine.
func TestTemplatesMatchTheirEntries(t *testing.T) {
	if len(Templates()) == 0 {
		t.Fatal("no templates registered")
	}
	helpers := []string{UnexpectedClaim("x"), NotNumeric("x"), NotString("x"), NotStringOrArray("x"),
		KeyDoesNotSupport("x"), CritNotUnderstood("x"), CritDefined("x")}
	for _, tmpl := range Templates() {
		for _, e := range tmpl.Entries {
			found := false
			for _, d := range append(append([]string{e.DocumentedAs}, e.Descriptions...), helpers...) {
				if _, ok := tmpl.Match(d); ok && d != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("template %q matches no wire string of %s", tmpl.Pattern, e.ID)
			}
		}
	}
	for _, h := range helpers {
		if e, _ := Lookup(h); e.ID == "" {
			t.Errorf("no entry for the helper's message %q", h)
		}
	}
}

func TestTemplateMatchExtractsName(t *testing.T) {
	cases := []struct {
		text, pattern, name string
	}{
		{`unexpected "scope" claim value`, `unexpected "%s" claim value`, "scope"},
		{`Unexpected X claim value`, `unexpected "%s" claim value`, "X"},
		{`the key does not support PS384 verify algorithm`, "the key does not support %s verify algorithm", "PS384"},
		{CritDefined("kid"), "The critical list contains a non-extension Header Parameter %s", "kid"},
		{`  "jti"   claim must be a string `, `"%s" claim must be a string`, "jti"},
	}
	for _, c := range cases {
		var got *Template
		for _, tmpl := range Templates() {
			if tmpl.Pattern == c.pattern {
				got = tmpl
			}
		}
		if got == nil {
			t.Fatalf("no template %q", c.pattern)
		}
		name, ok := got.Match(c.text)
		if !ok || name != c.name {
			t.Errorf("%q on %q: got %q, %v; want %q", c.pattern, c.text, name, ok, c.name)
		}
		if ok && c.name == "scope" && got.Render(name) != c.text {
			t.Errorf("render %q", got.Render(name))
		}
	}
}

// The string template must not swallow the longer string-or-array message,
// nor may templates match text that only shares a few words.
func TestTemplatesAreAnchored(t *testing.T) {
	for _, tmpl := range Templates() {
		if tmpl.Pattern == `"%s" claim must be a string` {
			if _, ok := tmpl.Match(NotStringOrArray("aud")); ok {
				t.Error("string template matches the string-or-array message")
			}
		}
		for _, text := range []string{"claim value", `unexpected "aud" claim value, retry`, "JWT is malformed", `"iat" claim timestamp check failed (too far in the past)`} {
			if tmpl.Pattern == `"%s" claim timestamp check failed` || tmpl.Pattern == `unexpected "%s" claim value` {
				if _, ok := tmpl.Match(text); ok {
					t.Errorf("%q matches %q", tmpl.Pattern, text)
				}
			}
		}
	}
}

func TestLookupByTemplate(t *testing.T) {
	cases := map[string]string{
		`"jti" claim must be a JSON numeric value`:          "claim-not-numeric",
		`the key does not support PS384 verify algorithm`:   "key-does-not-support-alg",
		`critical "http://example.com/x" is not understood`: "crit-header",
		`unexpected "sub" CLAIM value`:                      "unexpected-sub",
		`"sub" claim is missing`:                            "claim-missing",
	}
	for text, want := range cases {
		e, exact := Lookup(text)
		if e.ID != want || exact {
			t.Errorf("Lookup(%q) = %q exact=%v, want %q", text, e.ID, exact, want)
		}
	}
	if e, _ := Lookup("no such message"); e.ID != "" {
		t.Errorf("unknown text resolved to %q", e.ID)
	}
}
