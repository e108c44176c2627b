package assertion

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func buildOK(t *testing.T, opts BuildOptions) (*Assertion, []Warning) {
	t.Helper()
	if opts.Profile.Name == "" {
		opts.Profile = redox(t)
	}
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	a, w, err := Build(opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return a, w
}

func TestBuildDefaults(t *testing.T) {
	a, warnings := buildOK(t, BuildOptions{ClientID: testClientID, KID: "rsa-2026-11", JTI: "0123456789abcdef0123"})
	want := `{"header":{"kid":"rsa-2026-11","typ":"JWT"},"claims":{"iss":"8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3",` +
		`"sub":"8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3","aud":"https://api.redoxengine.com/v2/auth/token",` +
		`"iat":1795780800,"exp":1795781100,"jti":"0123456789abcdef0123"}}`
	if got := mustJSON(t, a); got != want {
		t.Errorf("build output\n got %s\nwant %s", got, want)
	}
	if len(warnings) != 0 {
		t.Errorf("a default build should lint clean, got %+v", warnings)
	}

	a, _ = buildOK(t, BuildOptions{ClientID: testClientID, Alg: "ES384", KID: "k", Lifetime: 90 * time.Second, JTI: "0123456789abcdef0123"})
	if got := mustJSON(t, a.Header); got != `{"alg":"ES384","kid":"k","typ":"JWT"}` {
		t.Errorf("header order: %s", got)
	}
	if exp, _ := a.Claims.Number("exp"); exp != 1795780800+90 {
		t.Errorf("exp = %v with a 90s lifetime", exp)
	}
}

func TestBuildRandomJTI(t *testing.T) {
	a1, _ := buildOK(t, BuildOptions{ClientID: testClientID})
	a2, _ := buildOK(t, BuildOptions{ClientID: testClientID})
	j1, _ := a1.Claims.String("jti")
	j2, _ := a2.Claims.String("jti")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(j1) || j1 == j2 {
		t.Errorf("jti should be 128 fresh random bits in hex: %q, %q", j1, j2)
	}
	// The jti comes from Rand when given.
	a3, _ := buildOK(t, BuildOptions{ClientID: testClientID, Rand: bytes.NewReader(bytes.Repeat([]byte{0xab}, 16))})
	if j, _ := a3.Claims.String("jti"); j != strings.Repeat("ab", 16) {
		t.Errorf("jti from Rand = %q", j)
	}
	if _, _, err := Build(BuildOptions{Profile: redox(t), ClientID: testClientID, Rand: bytes.NewReader(nil)}); err == nil {
		t.Error("a failing random source must be an error")
	}
}

func TestBuildClaimsAndHeaders(t *testing.T) {
	a, _ := buildOK(t, BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123",
		Claims:  []string{"n=3", "scope=system/*.read", `aud=["a","b"]`, "iss=someone-else", "empty="},
		Headers: []string{"x5t=abc", "typ=at+jwt", "b64=false"}})
	if got := mustJSON(t, a.Header); got != `{"kid":"k","typ":"at+jwt","x5t":"abc","b64":false}` {
		t.Errorf("header: %s", got)
	}
	for name, want := range map[string]string{"n": `3`, "scope": `"system/*.read"`, "aud": `["a","b"]`, "iss": `"someone-else"`, "empty": `""`} {
		if v, _ := a.Claims.Get(name); string(v) != want {
			t.Errorf("claim %s = %s, want %s", name, v, want)
		}
	}
	// An explicit value is kept in its place even when wrong.
	if a.Claims[0].Name != "iss" || a.Claims[len(a.Claims)-1].Name != "empty" {
		t.Errorf("claim order: %s", mustJSON(t, a.Claims))
	}
}

func TestBuildOmit(t *testing.T) {
	a, warnings := buildOK(t, BuildOptions{ClientID: testClientID, KID: "", Omit: []string{"kid", "jti", "typ"}})
	if a.Header.Has("kid") || a.Header.Has("typ") || a.Claims.Has("jti") {
		t.Errorf("omitted members remain: %s", mustJSON(t, a))
	}
	if !slices.Equal(a.Omitted, []string{"kid", "jti", "typ"}) {
		t.Errorf("omit list = %v", a.Omitted)
	}
	out := mustJSON(t, a)
	if !strings.HasSuffix(out, `,"x-clientassert-omit":["kid","jti","typ"]}`) {
		t.Errorf("the omit list should be the last member of build output: %s", out)
	}
	rules := map[string]Warning{}
	for _, w := range warnings {
		rules[w.Rule] = w
	}
	kid := rules["kid-missing"]
	if !kid.ServerRefuses || !kid.Predicted || kid.ErrorDescription != "JWT header kid property is required" {
		t.Errorf("kid-missing warning = %+v", kid)
	}
	if _, ok := rules["jti-missing"]; !ok {
		t.Errorf("no jti-missing warning in %+v", warnings)
	}
	if _, ok := rules["typ-missing"]; ok {
		t.Error("lint rates a missing typ as info, which build does not repeat")
	}
	if rules["jti-missing"].ServerRefuses {
		t.Error("the redox server does not refuse a missing jti")
	}
}

func TestBuildWarnings(t *testing.T) {
	cases := []struct {
		name string
		opts BuildOptions
		rule string
		desc string // error_description of the predicted answer; "" when the server accepts
	}{
		{"long lifetime", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Lifetime: time.Hour}, "lifetime-too-long", ""},
		{"wrong aud", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Aud: "https://api.redoxengine.com/v2/auth/token/"}, "aud-trailing-slash", "unexpected \"aud\" claim value"},
		{"string iat", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Claims: []string{`iat="1795780800"`}}, "claim-type", `"iat" claim must be a JSON numeric value`},
		{"alg none", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Alg: "none"}, "alg-none", "alg not whitelisted"},
		{"typ not JWT", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Headers: []string{"typ=at+jwt"}}, "typ-not-jwt", ""},
		{"no iat", BuildOptions{ClientID: testClientID, KID: "k", JTI: "0123456789abcdef0123", Omit: []string{"iat"}}, "iat-missing", `"iat" claim is missing`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, warnings := buildOK(t, c.opts)
			var found *Warning
			var predicted []Warning
			for i, w := range warnings {
				if w.Rule == c.rule {
					found = &warnings[i]
				}
				if w.Predicted {
					predicted = append(predicted, w)
				}
			}
			if found == nil {
				t.Fatalf("no %s warning in %+v", c.rule, warnings)
			}
			if c.desc == "" {
				if len(predicted) != 0 {
					t.Errorf("the server would accept it, but %+v is marked predicted", predicted)
				}
				return
			}
			if len(predicted) != 1 || predicted[0].ErrorDescription != c.desc {
				t.Errorf("predicted = %+v, want one with %q", predicted, c.desc)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	smart, _ := profileGet("smart")
	cases := []struct {
		opts BuildOptions
		want string
	}{
		{BuildOptions{}, "--client-id is required"},
		{BuildOptions{ClientID: "c", Claims: []string{"novalue"}}, `--claim "novalue": expected name=value`},
		{BuildOptions{ClientID: "c", Claims: []string{"=1"}}, "expected name=value"},
		{BuildOptions{ClientID: "c", Headers: []string{"a=1", "a=2"}}, "--header a is given more than once"},
		{BuildOptions{ClientID: "c", KID: "k", Headers: []string{"kid=j"}}, "--kid and --header kid= both set kid"},
		{BuildOptions{ClientID: "c", Alg: "RS384", Headers: []string{"alg=ES384"}}, "--alg and --header alg= both set alg"},
		{BuildOptions{ClientID: "c", JTI: "j", Claims: []string{"jti=x"}}, "--jti and --claim jti= both set jti"},
		{BuildOptions{ClientID: "c", Aud: "https://x", Claims: []string{"aud=y"}}, "--aud and --claim aud= both set aud"},
		{BuildOptions{ClientID: "c", Lifetime: time.Minute, Claims: []string{"exp=1"}}, "--lifetime and --claim exp= both set exp"},
		{BuildOptions{ClientID: "c", KID: "k", Omit: []string{"kid"}}, "--kid and --omit kid contradict"},
		{BuildOptions{ClientID: "c", Lifetime: time.Minute, Omit: []string{"exp"}}, "--lifetime and --omit exp contradict"},
		{BuildOptions{ClientID: "c", Claims: []string{"n=1"}, Omit: []string{"n"}}, "--omit n contradicts"},
		{BuildOptions{ClientID: "c", Omit: []string{"nope"}}, `the assertion has no header member or claim "nope"`},
		{BuildOptions{ClientID: "c", Omit: []string{""}}, "--omit needs a name"},
		{BuildOptions{ClientID: "c", Claims: []string{"kid=1"}, Headers: []string{"kid=2"}}, "kid is given both as --claim and --header"},
		{BuildOptions{ClientID: "c", Lifetime: -time.Minute}, "--lifetime must be at least 1s"},
		{BuildOptions{ClientID: "c", Profile: smart}, "the smart profile has no token URL"},
		{BuildOptions{From: "abc"}, "--from: the token has 1 part;"},
		{BuildOptions{From: "e30.bm90anNvbg.x"}, "cannot read the token's claims"},
		{BuildOptions{From: "W10.e30.x"}, "cannot read the token's header: JSON array"},
	}
	for _, c := range cases {
		if c.opts.Profile.Name == "" {
			c.opts.Profile = redox(t)
		}
		_, _, err := Build(c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%+v) error = %v, want %q", c.opts, err, c.want)
		}
		if err != nil && (err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] || strings.HasSuffix(err.Error(), ".")) {
			t.Errorf("error %q is not in house style", err)
		}
	}
}

// unsignedToken makes an unsigned compact token from raw header and payload JSON.
func unsignedToken(header, payload string) string {
	enc := func(s string) string {
		var b bytes.Buffer
		_ = json.Compact(&b, []byte(s))
		return b64(b.Bytes())
	}
	return enc(header) + "." + enc(payload) + ".c2ln"
}

func TestBuildFromRetimes(t *testing.T) {
	now := testNow.Add(time.Hour)
	n := now.Unix()
	cases := []struct {
		name     string
		header   string
		payload  string
		lifetime time.Duration
		want     string
	}{
		{"keeps gaps", `{"alg":"RS384","kid":"k","typ":"JWT"}`, `{"iss":"c","iat":1795780770,"nbf":1795780760,"exp":1795781070,"jti":"j"}`, 0,
			`{"iss":"c","iat":` + itoa(n) + `,"nbf":` + itoa(n-10) + `,"exp":` + itoa(n+300) + `,"jti":"j"}`},
		{"lifetime sets exp", `{"alg":"RS384","kid":"k"}`, `{"iat":1795780770,"exp":1795790000}`, 2 * time.Minute,
			`{"iat":` + itoa(n) + `,"exp":` + itoa(n+120) + `}`},
		{"milliseconds stay milliseconds", `{"alg":"RS384","kid":"k"}`, `{"iat":1795780770000,"exp":1795781070000}`, 0,
			`{"iat":` + itoa(now.UnixMilli()) + `,"exp":` + itoa(now.UnixMilli()+300000) + `}`},
		{"fraction kept", `{"alg":"RS384","kid":"k"}`, `{"iat":1795780770.5,"exp":1795781070}`, 0,
			`{"iat":` + itoa(n) + `.5,"exp":` + itoa(n+300) + `}`},
		{"string iat kept", `{"alg":"RS384","kid":"k"}`, `{"iat":"yesterday","exp":1,"nbf":2}`, 0,
			`{"iat":"yesterday","exp":` + itoa(n+300) + `,"nbf":` + itoa(n) + `}`},
		{"no exp without lifetime", `{"alg":"RS384","kid":"k"}`, `{"iat":1795780770}`, 0, `{"iat":` + itoa(n) + `}`},
		{"exp added by lifetime", `{"alg":"RS384","kid":"k"}`, `{"iat":1795780770}`, time.Minute, `{"iat":` + itoa(n) + `,"exp":` + itoa(n+60) + `}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, _ := buildOK(t, BuildOptions{From: unsignedToken(c.header, c.payload), Now: now, Lifetime: c.lifetime})
			if got := mustJSON(t, a.Claims); got != c.want {
				t.Errorf("claims\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestBuildFromKeepsFaults(t *testing.T) {
	from := unsignedToken(`{"typ":"JWT","alg":"RS256","x5t":"abc"}`, `{"iss":"c","sub":"other","aud":"https://api.redoxengine.com/v2/auth/token","iat":1,"exp":2,"jti":"j","iss":"c2"}`)
	a, warnings := buildOK(t, BuildOptions{From: "Bearer " + from})
	if got := mustJSON(t, a.Header); got != `{"typ":"JWT","alg":"RS256","x5t":"abc"}` {
		t.Errorf("header: %s", got)
	}
	if !slices.Equal(a.Omitted, []string{"kid"}) {
		t.Errorf("a kid the original lacked must stay out: omitted = %v", a.Omitted)
	}
	if got := mustJSON(t, a.Claims); !strings.Contains(got, `"iss":"c","sub":"other"`) || !strings.Contains(got, `"iss":"c2"`) {
		t.Errorf("claims lost a repeat or a wrong value: %s", got)
	}
	var rules []string
	for _, w := range warnings {
		rules = append(rules, w.Rule)
	}
	for _, r := range []string{"kid-missing", "alg-not-allowed", "sub-not-iss", "duplicate-member"} {
		if !slices.Contains(rules, r) {
			t.Errorf("no %s warning in %v", r, rules)
		}
	}

	// Flags override what they name, and a header added by flag is no longer omitted.
	a, _ = buildOK(t, BuildOptions{From: from, ClientID: "new", KID: "k2", Alg: "ES384", JTI: "0123456789abcdef0123", Aud: "https://x/token"})
	if got := mustJSON(t, a.Header); got != `{"typ":"JWT","alg":"ES384","kid":"k2","x5t":"abc"}` {
		t.Errorf("header with flags: %s", got)
	}
	if len(a.Omitted) != 0 {
		t.Errorf("omitted = %v", a.Omitted)
	}
	for name, want := range map[string]string{"iss": `"new"`, "sub": `"new"`, "jti": `"0123456789abcdef0123"`, "aud": `"https://x/token"`} {
		if v, _ := a.Claims.Get(name); string(v) != want {
			t.Errorf("%s = %s, want %s", name, v, want)
		}
	}
}

func itoa(n int64) string { return string(jsonInt(n)) }
