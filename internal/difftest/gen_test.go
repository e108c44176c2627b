package difftest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// tcase is one generated request with the single client it registers.
type tcase struct {
	ID          string
	Name        string
	ContentType *string
	// CTHeader is how the request spells the Content-Type header name.
	CTHeader    string
	Body        string
	TokenURL    string
	Now         int64
	ClientID    string
	JWKS        map[string]any
	HeaderJSON  string
	PayloadJSON string
	Token       string
	// Known marks a case whose mismatch is a known, reported bug of the Go
	// prediction: a mismatch is logged instead of failing the test.
	Known         string // KeylessReject: lint without keys must predict a rejection.
	KeylessReject bool
}

// oracleInput is the JSON line predict.js reads.
type oracleInput struct {
	ID          string                    `json:"id"`
	ContentType *string                   `json:"content_type"`
	Body        string                    `json:"body"`
	Clients     map[string]map[string]any `json:"clients"`
	TokenURL    string                    `json:"token_url"`
	Now         int64                     `json:"now"`
}

func (c *tcase) oracleInput() oracleInput {
	return oracleInput{ID: c.ID, ContentType: c.ContentType, Body: c.Body,
		Clients: map[string]map[string]any{c.ClientID: c.JWKS}, TokenURL: c.TokenURL, Now: c.Now}
}

// build is a case under construction: a valid assertion that scenarios
// break one way or several.
type build struct {
	name     []string
	clientID string
	now      int64
	tokenURL string

	header, payload jobj
	// rawHeader and rawPayload replace the JSON text of header/payload.
	rawHeader, rawPayload *string
	// segments, when set, rewrites the base64url header and payload segments
	// before signing.
	segments func(h, p string) (string, string)
	how      string // signing mode, see sign
	signer   *keyPair
	keys     []*keyPair
	// afterSign rewrites the finished token (tampering, extra parts).
	afterSign func(tok string) string

	contentType *string
	// fields lists the form body for a token; nil means the usual three.
	fields func(tok string) []field
	// body, when set, is the literal body for a token.
	body func(tok string) string
	// keylessReject says lint must reject the case without any key.
	keylessReject bool
}

type gen struct {
	rng   *rand.Rand
	kr    *keyring
	base  int64
	cases []*tcase
	err   []error
}

var baseTime = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Unix()

func newGen(kr *keyring) *gen {
	return &gen{rng: rand.New(rand.NewPCG(20261127, 7523)), kr: kr, base: baseTime}
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *gen) pick(options ...string) string { return options[g.rng.IntN(len(options))] }

func (g *gen) clientID() string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-a" + g.hex(3) + "-" + g.hex(12)
}

// std starts a case that the server accepts: RS384 or ES384 (chosen by the
// seed), fresh iat, exp five minutes later, right aud, iss = sub = client.
func (g *gen) std(name string) *build {
	now := g.base + int64(g.rng.IntN(30*86400)) - 15*86400
	cid := g.clientID()
	b := &build{name: []string{name}, clientID: cid, now: now, tokenURL: tokenURLUS, keys: g.kr.registered()}
	if g.rng.IntN(5) == 0 {
		b.tokenURL = tokenURLCA
	}
	b.contentType = strp(g.pick(formType, formType, formType+"; charset=UTF-8", formType+";charset=utf-8",
		"Application/X-WWW-Form-URLEncoded", formType+" ; charset=ISO-8859-1"))
	iat := now - int64(g.rng.IntN(30))
	b.header = jobj{{"alg", "RS384"}, {"typ", "JWT"}, {"kid", "rsa-main"}}
	b.payload = jobj{{"iss", cid}, {"sub", cid}, {"aud", b.tokenURL}, {"jti", g.hex(32)}, {"iat", iat}, {"exp", iat + 300}}
	if g.rng.IntN(3) == 0 {
		g.rng.Shuffle(len(b.payload), func(i, j int) { b.payload[i], b.payload[j] = b.payload[j], b.payload[i] })
	}
	if g.rng.IntN(2) == 0 {
		b.useES()
	} else {
		b.useRS()
	}
	return b
}

func (b *build) useRS() { b.setKey("RS384", "rsa-main", "RS384") }
func (b *build) useES() { b.setKey("ES384", "ec-main", "ES384") }

// setKey sets the header alg and kid and the signing mode; the signer is
// the registered key of that kid (see finish).
func (b *build) setKey(alg, kid, how string) {
	b.header.set("alg", alg)
	b.header.set("kid", kid)
	b.how = how
	b.signer = nil
}

func (g *gen) signerFor(b *build) *keyPair {
	kid, _ := b.header.get("kid")
	for _, k := range append(g.kr.registered(), g.kr.hmac) {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

// rendered is a build signed into a token and the request body that
// carries it.
type rendered struct {
	headerText, payloadText, token, body string
}

// render signs b with signer, or, when signer cannot make b's signature,
// with the main registered key of the alg's family.
func (b *build) render(kr *keyring, signer *keyPair) (rendered, error) {
	r := rendered{headerText: b.header.String(), payloadText: b.payload.String()}
	if b.rawHeader != nil {
		r.headerText = *b.rawHeader
	}
	if b.rawPayload != nil {
		r.payloadText = *b.rawPayload
	}
	h, p := b64([]byte(r.headerText)), b64([]byte(r.payloadText))
	if b.segments != nil {
		h, p = b.segments(h, p)
	}
	if !fits(b.how, signer) {
		signer = kr.rsaMain
		if strings.HasPrefix(b.how, "ES") {
			signer = kr.ecMain
			if strings.HasPrefix(b.how, "ES256") {
				signer = kr.ec256
			}
		}
	}
	sig, err := sign(b.how, signer, kr.hmacSecret, h+"."+p)
	if err != nil {
		return rendered{}, fmt.Errorf("case %q: %v", strings.Join(b.name, "; "), err)
	}
	r.token = h + "." + p + "." + b64(sig)
	if b.afterSign != nil {
		r.token = b.afterSign(r.token)
	}
	switch {
	case b.body != nil:
		r.body = b.body(r.token)
	case b.fields != nil:
		r.body = formBody(b.fields(r.token))
	default:
		r.body = formBody(stdFields(r.token))
	}
	return r, nil
}

// finish renders the case and adds it.
func (g *gen) finish(b *build) {
	signer := b.signer
	if signer == nil {
		signer = g.signerFor(b)
	}
	r, err := b.render(g.kr, signer)
	if err != nil {
		g.err = append(g.err, err)
		return
	}
	c := &tcase{
		ID:            fmt.Sprintf("c%03d", len(g.cases)+1),
		Name:          strings.Join(b.name, "; "),
		ContentType:   b.contentType,
		CTHeader:      g.pick("Content-Type", "Content-Type", "content-type", "CONTENT-TYPE"),
		Body:          r.body,
		TokenURL:      b.tokenURL,
		Now:           b.now,
		ClientID:      b.clientID,
		JWKS:          jwks(b.keys...),
		HeaderJSON:    r.headerText,
		PayloadJSON:   r.payloadText,
		Token:         r.token,
		KeylessReject: b.keylessReject,
	}
	c.Known = knownMismatch(c)
	g.cases = append(g.cases, c)
}

func stdFields(tok string) []field {
	return []field{{"grant_type", "client_credentials"}, {"client_assertion_type", assertionURN}, {"client_assertion", tok}}
}

// describe renders a case for a failure message.
func (c *tcase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  case:      %s\n", c.Name)
	ct := "(none)"
	if c.ContentType != nil {
		ct = fmt.Sprintf("%q", *c.ContentType)
	}
	fmt.Fprintf(&b, "  content-type: %s  token_url: %s  now: %d  client_id: %s\n", ct, c.TokenURL, c.Now, c.ClientID)
	fmt.Fprintf(&b, "  header:    %s\n", c.HeaderJSON)
	fmt.Fprintf(&b, "  payload:   %s\n", c.PayloadJSON)
	var kids []string
	if list, ok := c.JWKS["keys"].([]any); ok {
		for _, k := range list {
			j, _ := json.Marshal(k)
			if len(j) > 90 {
				j = append(j[:60], "..."...)
			}
			kids = append(kids, string(j))
		}
	}
	fmt.Fprintf(&b, "  keys:      %d: %s\n", len(kids), strings.Join(kids, " | "))
	body := c.Body
	if len(body) > 400 {
		body = body[:400] + "..."
	}
	fmt.Fprintf(&b, "  body:      %s\n", body)
	return b.String()
}

// fits reports whether signing mode how can use key k.
func fits(how string, k *keyPair) bool {
	if k == nil || k.priv == nil {
		return strings.HasPrefix(how, "HS") || how == "none" || how == "empty" || how == "garbage"
	}
	kty, _ := k.jwk["kty"].(string)
	switch {
	case strings.HasPrefix(how, "RS"), strings.HasPrefix(how, "PS"):
		return kty == "RSA"
	case strings.HasPrefix(how, "ES"):
		crv, _ := k.jwk["crv"].(string)
		want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[how[:5]]
		return kty == "EC" && crv == want
	}
	return true
}
