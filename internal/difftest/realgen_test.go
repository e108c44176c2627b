package difftest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"time"
)

// realCase is one request for a running server. Cases are rendered just
// before they are sent, so their times are relative to the server's clock
// (time.Now()) with margins of many seconds from any boundary.
type realCase struct {
	ID          string
	Name        string
	ContentType *string
	Body        string
	HeaderJSON  string
	PayloadJSON string
	Now         time.Time
	// Authorization, when set, is sent as the Authorization header.
	Authorization string
}

// realGen builds cases for one server: one registered client, a fixed key
// set, a token URL and issuer learned from the running server.
type realGen struct {
	rng      *mrand.Rand
	kr       *keyring
	clientID string
	tokenURL string
	issuer   string
	// algs are the algs the server's client accepts; a fresh case uses one.
	algs []string
	keys []*keyPair
	n    int
	// jtiOf remembers a jti that a later case of a pair reuses.
	jtiOf map[string]string
	// authorization holds the Authorization header a build sends.
	authorization map[*build]string
}

// realKeys is the key set every server's client registers: the main RSA and
// EC keys marked for signing, and keys that servers treat differently (no
// use, use enc, a 1024-bit RSA key, a P-256 key, a key labelled RS256).
func realKeys(kr *keyring) []*keyPair {
	sig := map[string]any{"use": "sig"}
	return []*keyPair{
		withJWK(kr.rsaMain, sig),
		withJWK(kr.ecMain, sig),
		withJWK(kr.rsaRS256, sig),
		withJWK(kr.ec256, sig),
		withJWK(kr.rsa1024, sig),
		kr.rsaEnc,
		withJWK(kr.rsaOps, map[string]any{"key_ops": nil, "kid": "rsa-nouse"}),
	}
}

func newRealGen(kr *keyring, seed uint64, clientID, tokenURL, issuer string, algs []string) *realGen {
	return &realGen{rng: mrand.New(mrand.NewPCG(seed, 7523)), kr: kr, clientID: clientID,
		tokenURL: tokenURL, issuer: issuer, algs: algs, keys: realKeys(kr), jtiOf: map[string]string{},
		authorization: map[*build]string{}}
}

func (g *realGen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

// std is a case the server accepts: iss = sub = client, aud = token URL,
// iat 5 s ago, exp in 2 minutes, a fresh jti, signed with an accepted alg.
func (g *realGen) std(name string) *build {
	now := time.Now().Unix()
	b := &build{name: []string{name}, clientID: g.clientID, now: now, tokenURL: g.tokenURL, keys: g.keys}
	b.contentType = strp(formType)
	b.header = jobj{{"alg", "RS384"}, {"typ", "JWT"}, {"kid", "rsa-main"}}
	b.payload = jobj{{"iss", g.clientID}, {"sub", g.clientID}, {"aud", g.tokenURL},
		{"jti", g.hex(24)}, {"iat", now - 5}, {"exp", now + 120}}
	switch g.algs[g.rng.IntN(len(g.algs))] {
	case "ES384":
		b.useES()
	default:
		b.useRS()
	}
	return b
}

func (g *realGen) signer(b *build) *keyPair {
	if b.signer != nil {
		return b.signer
	}
	kid, _ := b.header.get("kid")
	for _, k := range g.keys {
		if k.kid == kid && k.priv != nil {
			return k
		}
	}
	return nil
}

// render signs a build into a request, as finish does for the oracle.
func (g *realGen) render(b *build) (*realCase, error) {
	r, err := b.render(g.kr, g.signer(b))
	if err != nil {
		return nil, err
	}
	g.n++
	return &realCase{
		ID: fmt.Sprintf("r%03d", g.n), Name: strings.Join(b.name, "; "), ContentType: b.contentType,
		Body: r.body, HeaderJSON: r.headerText, PayloadJSON: r.payloadText, Now: time.Unix(b.now, 0),
		Authorization: g.authorization[b],
	}, nil
}

// realStep is one request of a scenario; a scenario of several steps (a
// replay) sends them in order.
type realScenario struct {
	name  string
	mix   bool
	steps []func(g *realGen, b *build)
}

func one(name string, mix bool, fn func(g *realGen, b *build)) realScenario {
	return realScenario{name: name, mix: mix, steps: []func(*realGen, *build){fn}}
}

// sameJTI makes the step reuse the jti of the scenario's first step.
func sameJTI(g *realGen, b *build, scenario string) {
	if jti, ok := g.jtiOf[scenario]; ok {
		b.claim("jti", jti)
		return
	}
	v, _ := b.payload.get("jti")
	g.jtiOf[scenario], _ = v.(string)
}

// form changes the request's form fields on top of earlier changes, so that
// mixed scenarios add up (see withFields for the change syntax).
func form(b *build, changes ...string) {
	prev := b.fields
	if prev == nil {
		prev = stdFields
	}
	b.fields = func(tok string) []field {
		fs := prev(tok)
		for _, ch := range changes {
			fs = withFieldsOn(fs, tok, ch)
		}
		return fs
	}
}

// withFieldsOn applies one withFields change to fs.
func withFieldsOn(fs []field, tok, ch string) []field {
	switch {
	case strings.HasPrefix(ch, "-"):
		var out []field
		for _, f := range fs {
			if f.name != ch[1:] {
				out = append(out, f)
			}
		}
		return out
	case strings.HasPrefix(ch, "+"):
		n, v, _ := strings.Cut(ch[1:], "=")
		return append(append([]field(nil), fs...), field{n, strings.ReplaceAll(v, "$TOKEN", tok)})
	default:
		n, v, _ := strings.Cut(ch, "=")
		out := append([]field(nil), fs...)
		for i := range out {
			if out[i].name == n {
				out[i].value = strings.ReplaceAll(v, "$TOKEN", tok)
			}
		}
		return out
	}
}

func realScenarios() []realScenario {
	var s []realScenario
	add := func(name string, mix bool, fn func(g *realGen, b *build)) { s = append(s, one(name, mix, fn)) }
	ago := func(b *build, d int64) int64 { return b.now - d }

	for i := range 4 {
		add(fmt.Sprintf("valid RS384 #%d", i+1), false, func(g *realGen, b *build) { b.useRS() })
		add(fmt.Sprintf("valid ES384 #%d", i+1), false, func(g *realGen, b *build) { b.useES() })
	}
	add("valid, no kid", false, func(g *realGen, b *build) { b.header.del("kid") })
	add("valid, no typ", false, func(g *realGen, b *build) { b.header.del("typ") })
	add("valid, extra claims", false, func(g *realGen, b *build) { b.claim("scope", "a b"); b.claim("nested", map[string]any{"x": 1}) })
	add("valid, client_id parameter equal to sub", false, func(g *realGen, b *build) {
		form(b, "+client_id="+g.clientID)
	})
	add("valid, scope parameter", false, func(g *realGen, b *build) { form(b, "+scope=openid") })

	// Content type and body.
	add("content-type missing", true, func(g *realGen, b *build) { b.contentType = nil })
	add("content-type application/json with JSON body", false, func(g *realGen, b *build) {
		b.ct("application/json")
		b.body = func(tok string) string {
			return fmt.Sprintf(`{"grant_type":"client_credentials","client_assertion_type":%q,"client_assertion":%q}`, assertionURN, tok)
		}
	})
	add("content-type text/plain", true, func(g *realGen, b *build) { b.ct("text/plain") })
	add("content-type with charset=utf-8", false, func(g *realGen, b *build) { b.ct(formType + "; charset=utf-8") })
	add("content-type upper case", false, func(g *realGen, b *build) { b.ct("APPLICATION/X-WWW-FORM-URLENCODED") })
	add("content-type multipart with multipart body", false, func(g *realGen, b *build) {
		const boundary = "XyZzY0123"
		b.ct("multipart/form-data; boundary=" + boundary)
		b.body = func(tok string) string {
			var sb strings.Builder
			for _, f := range stdFields(tok) {
				fmt.Fprintf(&sb, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f.name, f.value)
			}
			fmt.Fprintf(&sb, "--%s--\r\n", boundary)
			return sb.String()
		}
	})
	add("body empty", false, func(g *realGen, b *build) { b.body = func(string) string { return "" } })

	// Form parameters.
	add("grant_type missing", true, func(g *realGen, b *build) { form(b, "-grant_type") })
	add("grant_type password", true, func(g *realGen, b *build) { form(b, "grant_type=password") })
	add("grant_type authorization_code", false, func(g *realGen, b *build) { form(b, "grant_type=authorization_code") })
	add("grant_type empty", false, func(g *realGen, b *build) { form(b, "grant_type=") })
	add("client_assertion_type missing", true, func(g *realGen, b *build) { form(b, "-client_assertion_type") })
	add("client_assertion_type saml2", true, func(g *realGen, b *build) {
		form(b, "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
	})
	add("client_assertion_type empty", false, func(g *realGen, b *build) { form(b, "client_assertion_type=") })
	add("client_assertion missing", true, func(g *realGen, b *build) { form(b, "-client_assertion") })
	add("client_assertion empty", false, func(g *realGen, b *build) { form(b, "client_assertion=") })
	add("client_assertion twice", false, func(g *realGen, b *build) { form(b, "+client_assertion=$TOKEN") })
	add("client_id parameter names another client", true, func(g *realGen, b *build) {
		form(b, "+client_id=someone-else")
	})
	add("Authorization Bearer header as well", false, func(g *realGen, b *build) { g.authorization[b] = "Bearer abc.def.ghi" })
	add("Authorization Basic header as well", false, func(g *realGen, b *build) {
		g.authorization[b] = "Basic " + base64.StdEncoding.EncodeToString([]byte(g.clientID+":s3cret"))
	})
	add("Authorization Basic header instead of an assertion", false, func(g *realGen, b *build) {
		g.authorization[b] = "Basic " + base64.StdEncoding.EncodeToString([]byte(g.clientID+":s3cret"))
		form(b, "-client_assertion", "-client_assertion_type")
	})
	add("client_secret parameter as well", false, func(g *realGen, b *build) { form(b, "+client_secret=s3cret") })

	// Token shape.
	add("two parts", true, func(g *realGen, b *build) {
		b.afterSign = func(tok string) string { return tok[:strings.LastIndexByte(tok, '.')] }
	})
	add("four parts", false, func(g *realGen, b *build) { b.afterSign = func(tok string) string { return tok + ".e30" } })
	add("five parts", false, func(g *realGen, b *build) { b.afterSign = func(tok string) string { return tok + ".e30.e30" } })
	add("not a JWT at all", true, func(g *realGen, b *build) { b.afterSign = func(string) string { return "not-a-jwt" } })
	add("header JSON unterminated", false, func(g *realGen, b *build) { t := `{"alg":"RS384"`; b.rawHeader = &t })
	add("payload JSON unterminated", true, func(g *realGen, b *build) { t := `{"iss":"x"`; b.rawPayload = &t })
	add("payload JSON array", false, func(g *realGen, b *build) { t := `[1,2]`; b.rawPayload = &t })
	add("empty signature", true, func(g *realGen, b *build) { b.how = "empty" })
	add("signed by a stranger RSA key", true, func(g *realGen, b *build) { b.useRS(); b.signer = g.kr.rsaStranger })
	add("signed by a stranger EC key", false, func(g *realGen, b *build) { b.useES(); b.signer = g.kr.ecStranger })
	add("payload tampered after signing", false, func(g *realGen, b *build) {
		b.afterSign = replaceSegment(1, func(p string) string {
			return b64([]byte(strings.Replace(b.payload.String(), `"iat":`, `"iat": `, 1)))
		})
	})

	// Header.
	add("kid unknown", true, func(g *realGen, b *build) { b.hdr("kid", "nope") })
	add("kid missing", true, func(g *realGen, b *build) { b.header.del("kid") })
	add("kid number", false, func(g *realGen, b *build) { b.hdr("kid", 7) })
	add("kid of the EC key on an RS384 token", false, func(g *realGen, b *build) { b.setKey("RS384", "ec-main", "RS384") })
	add("kid of the use=enc key", false, func(g *realGen, b *build) { b.setKey("RS384", "rsa-enc", "RS384") })
	add("kid of the key without use", false, func(g *realGen, b *build) { b.setKey("RS384", "rsa-nouse", "RS384") })
	add("kid of the 1024-bit key", false, func(g *realGen, b *build) { b.setKey("RS384", "rsa-1024", "RS384") })
	add("alg none, unsigned", true, func(g *realGen, b *build) { b.hdr("alg", "none"); b.how = "none" })
	add("alg HS256", true, func(g *realGen, b *build) { b.hdr("alg", "HS256"); b.how = "HS256" })
	add("alg missing", false, func(g *realGen, b *build) { b.header.del("alg") })
	add("alg RS256 with the RS256 key", false, func(g *realGen, b *build) { b.setKey("RS256", "rsa-rs256", "RS256") })
	add("alg RS256 with the main RSA key", true, func(g *realGen, b *build) { b.setKey("RS256", "rsa-main", "RS256") })
	add("alg RS512", false, func(g *realGen, b *build) { b.setKey("RS512", "rsa-main", "RS512") })
	add("alg PS256", false, func(g *realGen, b *build) { b.setKey("PS256", "rsa-main", "PS256") })
	add("alg PS384", false, func(g *realGen, b *build) { b.setKey("PS384", "rsa-main", "PS384") })
	add("alg ES256 with the P-256 key", true, func(g *realGen, b *build) { b.setKey("ES256", "ec-256", "ES256") })
	add("alg ES384 with the RSA key's kid", false, func(g *realGen, b *build) { b.setKey("ES384", "rsa-main", "ES384") })

	// Claims.
	add("iss missing", true, func(g *realGen, b *build) { b.drop("iss") })
	add("iss another client", true, func(g *realGen, b *build) { b.claim("iss", "someone-else") })
	add("iss number", false, func(g *realGen, b *build) { b.claim("iss", 42) })
	add("sub missing", true, func(g *realGen, b *build) { b.drop("sub") })
	add("sub another client", true, func(g *realGen, b *build) { b.claim("sub", "someone-else") })
	add("sub number", false, func(g *realGen, b *build) { b.claim("sub", 42) })
	add("iss and sub another client", false, func(g *realGen, b *build) {
		b.claim("iss", "someone-else")
		b.claim("sub", "someone-else")
	})
	add("aud missing", true, func(g *realGen, b *build) { b.drop("aud") })
	add("aud the issuer", true, func(g *realGen, b *build) { b.claim("aud", g.issuer) })
	add("aud the issuer without trailing slash", false, func(g *realGen, b *build) { b.claim("aud", strings.TrimSuffix(g.issuer, "/")) })
	add("aud wrong", true, func(g *realGen, b *build) { b.claim("aud", "https://example.com/token") })
	add("aud token URL with trailing slash", false, func(g *realGen, b *build) { b.claim("aud", g.tokenURL+"/") })
	add("aud array with the token URL", false, func(g *realGen, b *build) { b.claim("aud", []any{"https://example.com", g.tokenURL}) })
	add("aud array with the issuer", false, func(g *realGen, b *build) { b.claim("aud", []any{g.issuer}) })
	add("aud array without either", false, func(g *realGen, b *build) { b.claim("aud", []any{"https://example.com"}) })
	add("aud empty array", false, func(g *realGen, b *build) { b.claim("aud", []any{}) })
	add("aud number", false, func(g *realGen, b *build) { b.claim("aud", 1) })
	add("exp missing", true, func(g *realGen, b *build) { b.drop("exp") })
	add("exp 2 minutes ago", true, func(g *realGen, b *build) { b.times(-300, i64(-120)) })
	add("exp an hour ago", false, func(g *realGen, b *build) { b.times(-7200, i64(-3600)) })
	add("exp a year ahead", false, func(g *realGen, b *build) { b.claim("exp", b.now+365*86400) })
	add("exp string", false, func(g *realGen, b *build) { b.claim("exp", fmt.Sprint(b.now+120)) })
	add("exp zero", false, func(g *realGen, b *build) { b.claim("exp", 0) })
	add("iat missing", true, func(g *realGen, b *build) { b.drop("iat") })
	add("iat a minute ahead", true, func(g *realGen, b *build) { b.claim("iat", b.now+60) })
	add("iat a minute ahead, no exp", false, func(g *realGen, b *build) { b.times(60, nil) })
	add("iat two hours old, exp ahead", false, func(g *realGen, b *build) { b.claim("iat", ago(b, 7200)) })
	add("iat two hours old, no exp", false, func(g *realGen, b *build) { b.times(-7200, nil) })
	add("iat and exp missing", false, func(g *realGen, b *build) { b.drop("iat"); b.drop("exp") })
	add("nbf a minute ahead", true, func(g *realGen, b *build) { b.claim("nbf", b.now+60) })
	add("nbf an hour ago", false, func(g *realGen, b *build) { b.claim("nbf", b.now-3600) })
	add("jti missing", true, func(g *realGen, b *build) { b.drop("jti") })
	add("jti number", false, func(g *realGen, b *build) { b.claim("jti", 12345) })
	add("jti empty", false, func(g *realGen, b *build) { b.claim("jti", "") })

	// Replays: the same jti twice, after an accepted or a refused use.
	pair := func(name string, first, second func(g *realGen, b *build)) {
		s = append(s, realScenario{name: name, steps: []func(*realGen, *build){
			func(g *realGen, b *build) { sameJTI(g, b, name); first(g, b) },
			func(g *realGen, b *build) { sameJTI(g, b, name); second(g, b) },
		}})
	}
	nothing := func(g *realGen, b *build) {}
	pair("jti replayed after an accepted use", nothing, nothing)
	pair("jti replayed after a wrong-aud use", func(g *realGen, b *build) { b.claim("aud", "https://example.com/token") }, nothing)
	pair("jti replayed after an expired use", func(g *realGen, b *build) { b.times(-300, i64(-120)) }, nothing)
	pair("jti replayed after a bad-signature use", func(g *realGen, b *build) { b.useRS(); b.signer = g.kr.rsaStranger }, nothing)
	pair("jti replayed after a wrong-iss use", func(g *realGen, b *build) { b.claim("iss", "someone-else") }, nothing)
	pair("jti replayed after an unknown-kid use", func(g *realGen, b *build) { b.hdr("kid", "nope") }, nothing)
	pair("jti replayed after a grant_type password use", func(g *realGen, b *build) { form(b, "grant_type=password") }, nothing)
	pair("jti replayed with the same token, expired second time", nothing, func(g *realGen, b *build) { b.times(-300, i64(-120)) })
	return s
}

// realRun generates every scenario and mixed combinations, calling send for
// each case as soon as it is rendered.
func (g *realGen) run(mixed int, send func(c *realCase)) []error {
	var errs []error
	all := realScenarios()
	var mixable []realScenario
	for _, sc := range all {
		for i, step := range sc.steps {
			b := g.std(sc.name)
			step(g, b)
			c, err := g.render(b)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if len(sc.steps) > 1 {
				c.Name += fmt.Sprintf(" (use %d of %d)", i+1, len(sc.steps))
			}
			send(c)
		}
		if sc.mix {
			mixable = append(mixable, sc)
		}
	}
	for range mixed {
		n := 2 + g.rng.IntN(2)
		b := g.std("mix")
		b.name = nil
		for range n {
			sc := mixable[g.rng.IntN(len(mixable))]
			b.name = append(b.name, sc.name)
			sc.steps[0](g, b)
		}
		b.name[0] = "mix: " + b.name[0]
		c, err := g.render(b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		send(c)
	}
	return errs
}

func randomClientID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return fmt.Sprintf("client-%x", n)
}

func realJWKS(g *realGen) []byte {
	b, err := json.Marshal(jwks(g.keys...))
	if err != nil {
		panic(err)
	}
	return b
}
