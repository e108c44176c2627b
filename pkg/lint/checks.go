package lint

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/token"
)

const assertionTypeURN = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

type uncheckedStep struct {
	id   string // shown in the report
	step string // the model step it stands for
}

type state struct {
	in          Input
	tok         *token.Token
	header      map[string]any
	claims      map[string]any
	now         int64
	findings    []Finding
	steps       []Step
	notes       []string
	unchecked   []uncheckedStep
	key         *keys.Key
	keyUnusable bool
	signatureOK bool
}

func newState(in Input) *state {
	return &state{in: in, now: int64(math.Floor(float64(in.Now.UnixMilli()) / 1000))}
}

// fail records that the check behind step failed for rule; the model
// decides whether the server rejects for it and with which bytes. vars are
// name, value pairs for the outcome's template.
func (s *state) fail(ruleID, step, msg string, vars ...string) {
	f := s.newFinding(ruleID, step, msg)
	if !slices.Contains(s.rule(ruleID).StepIDs(), step) {
		panic("lint: rule " + ruleID + " failed at step " + step + ", which its registry entry does not list")
	}
	if len(vars) > 0 {
		f.vars = map[string]string{}
		for i := 0; i+1 < len(vars); i += 2 {
			f.vars[vars[i]] = vars[i+1]
		}
	}
	s.findings = append(s.findings, f)
}

// hint records advice the server never rejects for; anchor places it
// among the steps. A hint that explains a step carries that step's bytes.
func (s *state) hint(ruleID, anchor, msg string) {
	if !s.rule(ruleID).Hint {
		panic("lint: rule " + ruleID + " is not registered as a hint")
	}
	f := s.newFinding(ruleID, anchor, msg)
	f.hint = true
	s.findings = append(s.findings, f)
}

func (s *state) explain(ruleID, anchor, explains, msg string) {
	f := s.newFinding(ruleID, anchor, msg)
	f.hint, f.explainer, f.explains = true, true, explains
	s.findings = append(s.findings, f)
}

func (s *state) rule(id string) Rule {
	r, ok := RuleByID(id)
	if !ok {
		panic("lint: finding for unregistered rule " + id)
	}
	return r
}

func (s *state) newFinding(ruleID, step, msg string) Finding {
	r := s.rule(ruleID)
	return Finding{Rule: r.ID, Severity: r.Severity, Message: msg, Fix: r.Fix, Doc: r.DocURL(), step: step}
}

func (s *state) step(id, status, detail string) {
	s.steps = append(s.steps, Step{ID: id, Status: status, Detail: detail})
}

func (s *state) notChecked(id, step, why string) {
	s.step(id, "not-checked", why)
	s.unchecked = append(s.unchecked, uncheckedStep{id, step})
}

func (s *state) run() {
	raw := s.in.Token
	if s.in.Request != nil {
		var ok bool
		raw, ok = s.checkRequest()
		if !ok {
			return
		}
	}
	s.tok = token.Parse(raw)
	if !s.checkStructure() {
		return
	}
	s.checkKid()
	if isJSONNull(s.tok.PayloadJSON) {
		// The server reads iss from the payload right after the kid check.
		s.fail("jwt-not-object", "jwt-payload-null",
			"the payload is JSON null; the server fails on it without a description")
		return
	}
	s.checkHygiene()
	s.checkKeyLookup()
	s.checkRegisteredKey()
	s.checkSignature()
	s.checkClaimTypes()
	s.checkClaimValues()
	s.checkTimes()
}

func (s *state) checkRequest() (string, bool) {
	req := s.in.Request
	switch {
	case !req.ContentTypeKnown:
		s.step("request-content-type", "not-checked", "a bare form body does not show its Content-Type")
		s.notes = append(s.notes, "the request is a bare form body, so its Content-Type was not checked")
	case req.IsFormURLEncoded():
		s.step("request-content-type", "pass", req.ContentType)
	default:
		got := req.ContentType
		msg := "the request has no Content-Type header; the server needs application/x-www-form-urlencoded"
		if got != "" {
			msg = fmt.Sprintf("Content-Type is %q; the server needs application/x-www-form-urlencoded", got)
		}
		s.fail("request-content-type", "request-content-type", msg)
		s.step("request-content-type", "fail", got)
	}
	form := req.Form
	if form == nil { // a Request built by hand rather than by request.Parse
		form = request.ParseForm(req.Body)
	}
	for _, p := range []struct {
		name, want               string
		missingRule, invalidRule string
	}{
		{"grant_type", "client_credentials", "request-grant-type-missing", "request-grant-type-invalid"},
		{"client_assertion_type", assertionTypeURN, "request-assertion-type-missing", "request-assertion-type-invalid"},
	} {
		value, present := form.Get(p.name)
		switch n := len(form.Values[p.name]); {
		case !present:
			s.fail(p.missingRule, p.missingRule, "the body has no "+p.name+" parameter")
		case n > 1:
			s.fail(p.invalidRule, p.invalidRule,
				fmt.Sprintf("%s is sent %d times; the server reads a repeated parameter as a list, which equals no expected value", p.name, n))
		case value != p.want:
			s.fail(p.invalidRule, p.invalidRule, fmt.Sprintf("%s is %q; the server needs %s", p.name, value, p.want))
		}
	}
	assertion, has := form.Get("client_assertion")
	switch {
	case !has || assertion == "" && len(form.Values["client_assertion"]) < 2:
		msg := "the body has no client_assertion parameter"
		if has {
			msg = "client_assertion is empty"
		}
		s.fail("request-assertion-missing", "request-assertion-missing", msg)
		return "", false
	case len(form.Values["client_assertion"]) > 1:
		s.fail("request-assertion-repeated", "request-assertion-repeated",
			fmt.Sprintf("client_assertion is sent %d times; the server gets a list instead of a token and fails without a description", len(form.Values["client_assertion"])))
		return "", false
	}
	return assertion, true
}

func (s *state) checkStructure() bool {
	t := s.tok
	if n := len(t.Segments); n != 3 {
		if n == 5 {
			s.fail("jwt-encrypted", "jwt-encrypted", "the token has 5 parts: it is an encrypted JWT (JWE), which the server cannot read")
		} else {
			s.fail("jwt-segments", "jwt-segments",
				fmt.Sprintf("the token has %d part%s separated by %d dot%s; a signed JWT has 3", n, plural(n), n-1, plural(n-1)))
		}
		return false
	}
	for _, e := range t.Errors {
		if strings.HasPrefix(e.Reason, "character ") {
			s.hint("jwt-encoding", "jwt-encoding", e.Error())
		}
	}
	if !t.HeaderValid || !t.PayloadValid {
		for _, e := range t.Errors {
			if !strings.HasPrefix(e.Reason, "character ") {
				s.fail("jwt-malformed", "jwt-malformed", e.Error())
				break
			}
		}
		return false
	}
	if isJSONNull(t.HeaderJSON) {
		s.fail("jwt-not-object", "jwt-header-null",
			"the header is JSON null; the server fails on it without a description")
		return false
	}
	s.header, s.claims = t.Header, t.Payload
	if s.header == nil {
		s.header = map[string]any{}
		s.notes = append(s.notes, "the header is JSON but not an object; it was read as having no members, as the server does")
	}
	if s.claims == nil {
		s.claims = map[string]any{}
		s.notes = append(s.notes, "the payload is JSON but not an object; it was read as having no claims, as the server does")
	}
	for _, d := range t.DuplicateHeader {
		s.hint("duplicate-member", "duplicate-member", fmt.Sprintf("the header has %q more than once; the server uses the last one", d))
	}
	for _, d := range t.DuplicatePayload {
		s.hint("duplicate-member", "duplicate-member", fmt.Sprintf("the payload has %q more than once; the server uses the last one", d))
	}
	return true
}

func isJSONNull(b []byte) bool { return strings.TrimSpace(string(b)) == "null" }

// checkKid mirrors the server's first look at the header: kid must be truthy.
func (s *state) checkKid() {
	kidVal, hasKid := s.header["kid"]
	if !hasKid || !token.Truthy(kidVal) {
		msg := "the header has no kid"
		if hasKid {
			msg = fmt.Sprintf("the header kid is %s, which the server treats as missing", compactJSON(kidVal))
		}
		s.fail("kid-missing", "kid-missing", msg)
		s.step("kid", "fail", msg)
		return
	}
	s.step("kid", "pass", "")
}

// checkKeyLookup mirrors the server: the client from iss, then its key by kid.
func (s *state) checkKeyLookup() {
	kidVal, hasKid := s.header["kid"]

	iss, issIsString := s.claims["iss"].(string)
	switch {
	case !issIsString || iss == "":
		msg := "iss is missing; the server finds the client by iss"
		if _, present := s.claims["iss"]; present {
			msg = fmt.Sprintf("iss is %s; the server finds the client by the iss string", compactJSON(s.claims["iss"]))
		}
		s.fail("iss-client-id", "iss-client-id", msg)
		s.step("client", "fail", msg)
	case s.in.ClientID != "" && iss != s.in.ClientID:
		msg := fmt.Sprintf("iss is %q but the client_id is %q; the server looks up the keys of the client iss names", iss, s.in.ClientID)
		s.fail("iss-client-id", "iss-client-id", msg)
		s.step("client", "fail", msg)
	default:
		s.step("client", "pass", iss)
	}

	if s.in.KeysErr != nil {
		if hasKid && token.Truthy(kidVal) {
			msg := fmt.Sprintf("cannot read the key set: %s", s.in.KeysErr)
			s.fail("kid-not-found", "kid-not-found", msg)
			s.step("kid-not-found", "fail", msg)
		}
		return
	}
	if s.in.Keys == nil {
		s.notChecked("kid-not-found", "kid-not-found", "no key set given (--jwks or --key)")
		return
	}
	kid, _ := kidVal.(string)
	for _, dup := range s.in.Keys.DuplicateKIDs() {
		s.hint("jwks-duplicate-kid", "jwks-duplicate-kid", fmt.Sprintf("kid %q appears more than once in the key set", dup))
	}
	for _, k := range s.in.Keys.Keys {
		if k.Kty == "RSA" && k.Bits > 0 && k.Bits < 2048 {
			s.hint("rsa-key-too-small", "rsa-key-too-small", fmt.Sprintf("key %s is RSA %d-bit; use at least 2048 bits", kidLabel(k), k.Bits))
		}
	}
	if !hasKid || !token.Truthy(kidVal) {
		return
	}
	key, assumed := s.in.Keys.Resolve(kidVal, s.in.SingleKey)
	if key == nil {
		msg := fmt.Sprintf("no key in the key set has kid %s; it holds %s", compactJSON(kidVal), describeKIDs(s.in.Keys))
		s.fail("kid-not-found", "kid-not-found", msg)
		s.step("kid-not-found", "fail", msg)
		return
	}
	if assumed {
		s.notes = append(s.notes, fmt.Sprintf("the --key file has no kid; it was taken as the key registered under kid %s", compactJSON(kidVal)))
	}
	s.key = key
	s.step("kid-not-found", "pass", kid)
}

func (s *state) checkSignature() {
	if crit, ok := s.header["crit"]; ok {
		step, name := critStep(crit)
		s.fail("crit-header", step, fmt.Sprintf("the header has crit %s; the server understands no extensions", compactJSON(crit)), "name", name)
	}
	algVal, hasAlg := s.header["alg"]
	alg, _ := algVal.(string)
	switch {
	case !hasAlg || !token.Truthy(algVal):
		s.fail("alg-missing", "alg-missing", "the header has no alg")
		return
	case strings.EqualFold(alg, "none"):
		s.fail("alg-none", "alg-none", "alg is none: the token is not signed")
		return
	case strings.HasPrefix(alg, "HS") && (s.in.Keys == nil || s.in.Keys.Asymmetric()):
		if !s.in.Profile.AllowsAlg(alg) {
			s.fail("alg-hmac-confusion", "alg-hmac-confusion",
				fmt.Sprintf("alg is %s, an HMAC algorithm, but client keys are asymmetric; the server accepts %s", alg, strings.Join(s.in.Profile.Algorithms, " or ")))
			return
		}
	case !s.in.Profile.AllowsAlg(alg):
		s.fail("alg-not-allowed", "alg-not-allowed",
			fmt.Sprintf("alg is %s; the server accepts %s", compactJSON(algVal), strings.Join(s.in.Profile.Algorithms, " or ")))
		return
	}
	if s.keyUnusable {
		s.step("signature", "not-reached", "the registered key cannot be loaded")
		return
	}
	if s.key == nil {
		s.notChecked("signature", "signature-invalid", "no key to verify with")
		return
	}
	if ok, why := s.key.SupportsVerify(alg); !ok {
		s.fail("key-alg-mismatch", "key-alg-mismatch",
			fmt.Sprintf("key %s (%s) cannot verify %s: %s", kidLabel(s.key), s.key.Describe(), alg, why), "alg", alg)
		return
	}
	if !keys.Verify(s.key, alg, []byte(s.tok.SigningInput()), s.tok.Signature) {
		msg := fmt.Sprintf("the %s signature does not verify with key %s (%s)", alg, kidLabel(s.key), s.key.Describe())
		if s.key.Kty == "EC" && len(s.tok.Signature) != 2*((s.key.Bits+7)/8) {
			msg += fmt.Sprintf("; it is %d bytes, a raw %s signature is %d (a DER-encoded signature?)", len(s.tok.Signature), alg, 2*((s.key.Bits+7)/8))
		}
		s.fail("signature-invalid", "signature-invalid", msg)
		s.step("signature", "fail", msg)
		return
	}
	s.signatureOK = true
	s.step("signature", "pass", kidLabel(s.key))
}

// critStep names the library's answer to a crit header: the step for its
// message and the parameter it names.
func critStep(crit any) (step, name string) {
	list, ok := crit.([]any)
	if !ok || len(list) == 0 {
		return "crit-not-array", ""
	}
	for _, v := range list {
		if str, ok := v.(string); !ok || str == "" {
			return "crit-not-array", ""
		}
	}
	defined := map[string]bool{"alg": true, "jku": true, "jwk": true, "kid": true, "x5u": true, "x5c": true, "x5t": true,
		"x5t#S256": true, "typ": true, "cty": true, "crit": true, "enc": true, "zip": true, "epk": true, "apu": true,
		"apv": true, "iv": true, "tag": true, "p2s": true, "p2c": true}
	first := list[0].(string)
	if defined[first] {
		return "crit-defined", first
	}
	return "crit-not-understood", first
}

// checkClaimTypes follows the library's order: iat, exp, nbf, jti, iss, sub, aud.
func (s *state) checkClaimTypes() {
	for _, name := range []string{"iat", "exp", "nbf"} {
		v, present := s.claims[name]
		switch {
		case !present && name == "iat":
			s.fail("iat-missing", "iat-missing", "the payload has no iat; the server needs it to check the token's age")
		case present && !isNumber(v):
			s.fail("claim-type", name+"-type", fmt.Sprintf("%s is %s, not a JSON number%s", name, compactJSON(v), numericHint(v)))
		}
	}
	for _, name := range []string{"jti", "iss", "sub", "aud"} {
		v, present := s.claims[name]
		if !present {
			if name == "aud" {
				s.fail("aud-missing", "aud-missing", "the payload has no aud; the server needs its token URL there")
			}
			continue
		}
		switch name {
		case "jti", "sub":
			if str, ok := v.(string); !ok || str == "" {
				s.fail("claim-type", name+"-type", fmt.Sprintf("%s is %s; it must be a non-empty string", name, compactJSON(v)))
			}
		case "iss", "aud":
			if !isStringOrStrings(v) {
				s.fail("claim-type", name+"-type", fmt.Sprintf("%s is %s; it must be a non-empty string or array of non-empty strings", name, compactJSON(v)))
			}
		}
	}
	// The library types the header's typ last, after the claims.
	if typ, present := s.header["typ"]; present {
		if str, _ := typ.(string); str == "" {
			s.fail("claim-type", "typ-type", fmt.Sprintf("the header typ is %s; when present it must be a non-empty string", compactJSON(typ)))
		}
	}
}

func (s *state) checkClaimValues() {
	iss, _ := s.claims["iss"].(string)
	want := s.in.ClientID
	if want == "" {
		want = iss
	}
	if sub, present := s.claims["sub"]; want != "" && (!present || sub != want) {
		switch {
		case !present:
			s.fail("sub-not-iss", "sub-missing", fmt.Sprintf("sub is missing; RFC 7523 requires it to be the client_id %q", want))
		case s.in.ClientID != "" && sub == iss:
			s.fail("sub-not-iss", "sub-not-iss", fmt.Sprintf("sub and iss are both %s but the client_id is %q; both must be the client_id", compactJSON(sub), want))
		case s.in.ClientID == "":
			s.fail("sub-not-iss", "sub-not-iss", fmt.Sprintf("sub is %s but iss is %q; RFC 7523 requires sub to be the client_id, the same value as iss", compactJSON(sub), want))
		default:
			s.fail("sub-not-iss", "sub-not-iss", fmt.Sprintf("sub is %s but the client_id is %q; RFC 7523 requires them to be equal", compactJSON(sub), want))
		}
	}
	if aud, ok := s.claims["aud"]; ok && isStringOrStrings(aud) {
		s.checkAudience(aud)
	}
	s.checkHeaderHygiene()
}

func (s *state) checkAudience(aud any) {
	want := s.in.Profile.TokenURL
	var values []string
	switch v := aud.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			values = append(values, x.(string))
		}
	}
	if want == "" {
		s.notChecked("aud", "aud-mismatch", "the profile has no token URL; pass --aud")
		return
	}
	accepted := []string{want}
	if s.in.Profile.Aud == profile.AudTokenURLOrIssuer && s.in.Profile.Issuer != "" {
		accepted = append(accepted, s.in.Profile.Issuer)
	}
	_, isList := aud.([]any)
	if isList && s.in.Profile.StepIndex("aud-not-string") >= 0 {
		s.fail("aud-not-string", "aud-not-string", fmt.Sprintf("aud is the array %s; the server needs the token URL as a single string", compactJSON(aud)))
	}
	for _, v := range values {
		if slices.Contains(accepted, v) {
			s.step("aud", "pass", v)
			return
		}
	}
	step := "aud-mismatch"
	if isList {
		step = "aud-list-mismatch"
	}
	rule, meant := "aud-mismatch", ""
	for _, v := range values {
		if id, m := classifyAudience(v, want, s.in.Profile.Siblings); id != "" {
			rule, meant = id, m
			break
		}
	}
	expects := want
	if len(accepted) > 1 {
		expects = want + " or its issuer " + accepted[1]
	}
	msg := fmt.Sprintf("aud is %s; the server expects %s", compactJSON(aud), expects)
	if meant != "" {
		msg += "; " + meant
	}
	s.fail(rule, step, msg)
	s.step("aud", "fail", msg)
}

// classifyAudience recognises the usual near misses of a token URL.
func classifyAudience(got, want string, siblings []string) (string, string) {
	for _, sib := range siblings {
		if got == sib && sib != want {
			return "aud-wrong-region", fmt.Sprintf("that is another region's token URL; you POST to %s (use --profile or --aud if you meant that region)", want)
		}
	}
	norm := func(u string) string {
		u = strings.ToLower(strings.TrimRight(strings.TrimSpace(u), "/"))
		u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		return u
	}
	if norm(got) == norm(want) {
		return "aud-trailing-slash", fmt.Sprintf("it differs only in case, scheme, whitespace or a trailing slash; aud is compared exactly, so use %s", want)
	}
	gu, err1 := url.Parse(strings.TrimSpace(got))
	wu, err2 := url.Parse(want)
	if err1 == nil && err2 == nil && strings.EqualFold(gu.Host, wu.Host) && gu.Path != wu.Path {
		lp := strings.ToLower(gu.Path)
		if strings.Contains(lp, "fhir") || lp == "" || lp == "/" || strings.HasPrefix(lp, "/endpoint") || strings.HasPrefix(lp, "/v1") || strings.HasPrefix(lp, "/v2") {
			return "aud-fhir-base", fmt.Sprintf("that is an API base URL on the right host; the audience is the token URL %s", want)
		}
	}
	return "", ""
}

func (s *state) checkTimes() {
	p := s.in.Profile
	tol := int64(p.Tolerance / time.Second)
	maxAge := int64(p.MaxTokenAge / time.Second)
	now := float64(s.now)
	iat, iatOK := number(s.claims["iat"])
	exp, expOK := number(s.claims["exp"])
	nbf, nbfOK := number(s.claims["nbf"])
	_, expPresent := s.claims["exp"]

	earlyIat := "iat-future-early"
	for _, c := range []struct {
		name, explains string
		value          float64
		ok             bool
	}{{"iat", earlyIat, iat, iatOK}, {"exp", "", exp, expOK}, {"nbf", "nbf-future", nbf, nbfOK}} {
		if !c.ok {
			continue
		}
		if c.value > 1e11 {
			s.explain("time-milliseconds", "time-milliseconds", c.explains,
				fmt.Sprintf("%s is %s, which is %s in seconds; it looks like milliseconds (%s)", c.name, formatNum(c.value),
					yearOf(c.value), time.UnixMilli(int64(c.value)).UTC().Format(time.RFC3339)))
		} else if c.value != math.Trunc(c.value) {
			s.hint("time-fractional", "time-fractional", fmt.Sprintf("%s is %s, not a whole number of seconds", c.name, formatNum(c.value)))
		}
	}

	iatAhead := func(step string) {
		s.fail("iat-future", step, fmt.Sprintf("iat is %s after now; the server allows at most %ds of clock skew", secs(iat-now), tol))
	}
	if iatOK && iat > now+float64(tol) {
		switch {
		case p.IatFuture == profile.IatFutureAlways, !expPresent && (p.IatFuture == profile.IatFutureJose || p.IatFuture == profile.IatFutureWithoutExp):
			iatAhead(earlyIat)
		}
	}
	if nbfOK && nbf > now+float64(tol) {
		s.fail("nbf-future", "nbf-future",
			fmt.Sprintf("nbf is %s after now; the server allows at most %ds of clock skew", secs(nbf-now), tol))
	}
	if expOK && exp <= now-float64(tol) {
		s.fail("exp-expired", "exp-expired",
			fmt.Sprintf("exp was %s before now; the server allows %ds of clock skew", secs(now-exp), tol))
	}
	if ahead := p.MaxExpAhead.Seconds(); expOK && ahead > 0 && exp > now+ahead+float64(tol) {
		s.fail("exp-too-far", "exp-too-far",
			fmt.Sprintf("exp is %s after now; the server accepts at most %s", secs(exp-now), secs(ahead)))
	}
	if iatOK {
		age := now - iat
		if maxAge > 0 && age-float64(tol) > float64(maxAge) {
			s.fail("iat-too-old", "iat-too-old",
				fmt.Sprintf("iat is %s before now; the server accepts at most %s", secs(age), secs(float64(maxAge+tol))))
		} else if age < -float64(tol) && expPresent && p.IatFuture == profile.IatFutureJose {
			iatAhead("iat-future")
		}
	}
	if _, present := s.claims["exp"]; !present {
		s.fail("exp-missing", "exp-missing", "the payload has no exp; RFC 7523 requires one, and stricter servers refuse the token")
	} else if iatOK && expOK && exp-iat > p.MaxLifetime.Seconds() && exp < 1e11 && iat < 1e11 {
		s.hint("lifetime-too-long", "lifetime-too-long",
			fmt.Sprintf("exp is %s after iat; keep it at most %s", secs(exp-iat), secs(p.MaxLifetime.Seconds())))
	}
}

func (s *state) checkHygiene() {
	jti, present := s.claims["jti"]
	switch str, isString := jti.(string); {
	case !present:
		s.fail("jti-missing", "jti-missing", "the payload has no jti, so a replayed assertion cannot be told apart")
	case isString && str != "" && len(str) < 16:
		s.hint("jti-short", "jti-short", fmt.Sprintf("jti %q is %d characters; use at least 16 random characters", str, len(str)))
	}
	if str, ok := jti.(string); ok && str != "" && s.in.JTISeen != nil && s.in.Profile.JTI == profile.JTIUnique {
		iss, _ := s.claims["iss"].(string)
		if s.in.JTISeen(iss, str) {
			s.fail("jti-replayed", "jti-replayed", fmt.Sprintf("jti %q was already used by %q; the server accepts each assertion once", str, iss))
		}
	}
}

func (s *state) checkHeaderHygiene() {
	typ, present := s.header["typ"]
	switch str, _ := typ.(string); {
	case !present:
		s.fail("typ-missing", "typ-missing", `the header has no typ; some servers require "JWT"`)
	case !strings.EqualFold(strings.TrimPrefix(strings.ToLower(str), "application/"), "jwt"):
		s.fail("typ-not-jwt", "typ-not-jwt", fmt.Sprintf("typ is %s; servers that check it expect \"JWT\"", compactJSON(typ)))
	}
	if jku, ok := s.header["jku"]; ok {
		if str, _ := jku.(string); !strings.HasPrefix(strings.ToLower(str), "https://") {
			s.hint("jku-not-https", "jku-not-https", fmt.Sprintf("jku is %s; it must be an https URL", compactJSON(jku)))
		}
	}
	for _, name := range []string{"jwk", "x5c", "x5u"} {
		if _, ok := s.header[name]; ok {
			s.hint("header-embedded-key", "header-embedded-key", fmt.Sprintf("the header carries %s; the server ignores it and verifies with the registered key set", name))
		}
	}
	if _, ok := s.header["b64"]; ok {
		s.hint("header-b64", "header-b64", "the header has b64; JWTs always use base64url-encoded payloads")
	}
}

func isNumber(v any) bool { _, ok := v.(json.Number); return ok }

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func isStringOrStrings(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, e := range x {
			if str, ok := e.(string); !ok || str == "" {
				return false
			}
		}
		return true
	}
	return false
}

func numericHint(v any) string {
	str, ok := v.(string)
	if !ok {
		return ""
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(str), 64); err == nil {
		return " (a number inside a string: drop the quotes)"
	}
	if _, err := time.Parse(time.RFC3339, str); err == nil {
		return " (a date string: use seconds since the epoch)"
	}
	return ""
}

func compactJSON(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

// secs renders a number of seconds the way people read it: 6m12s.
func secs(f float64) string {
	if math.IsInf(f, 0) {
		return "forever"
	}
	if math.Abs(f) > 100*365.25*86400 {
		return strconv.FormatFloat(math.Round(f/(365.25*86400)), 'f', -1, 64) + " years"
	}
	d := time.Duration(math.Round(f)) * time.Second
	return d.String()
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func yearOf(f float64) string {
	if f > 2.5e11 {
		return "past the year 9999"
	}
	return fmt.Sprintf("the year %d", time.Unix(int64(f), 0).UTC().Year())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func kidLabel(k *keys.Key) string {
	if k.KID == "" {
		return fmt.Sprintf("#%d", k.Index+1)
	}
	return strconv.Quote(k.KID)
}

func describeKIDs(set *keys.Set) string {
	if len(set.Keys) == 0 {
		return "no keys"
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, kidLabel(k))
	}
	if len(kids) > 6 {
		kids = append(kids[:6], fmt.Sprintf("and %d more", len(kids)-6))
	}
	return "kid " + strings.Join(kids, ", ")
}
