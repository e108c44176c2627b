package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/redact"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/token"
)

const assertionTypeURN = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

type uncheckedStep struct {
	id   string // shown in the report
	step string // the model step it stands for
}

type state struct {
	headerBroken bool // the header failed to decode; the claims did not
	kidless      profile.KidlessLookup
	in           Input
	form         *request.Form // the request's parameters as the server reads them
	tok          *token.Token
	header       map[string]any
	claims       map[string]any
	now          int64
	findings     []Finding
	steps        []Step
	notes        []string
	// unchecked lists the steps not checked for want of key material; an
	// array and a count rather than a slice, so that the state, which
	// points into none of its own fields, can stay on the stack.
	unchecked   [4]uncheckedStep
	nUnchecked  int
	key         *keys.Key
	keyUnusable bool
	signatureOK bool
	out         *Report // filled in by report
}

func newState(in Input) *state {
	s := &state{in: in, now: int64(math.Floor(float64(in.Now.UnixMilli()) / 1000))}
	// The report and room for the steps a whole token passes through come
	// in one allocation.
	out := new(reportAndSteps)
	s.out, s.steps = &out.report, out.steps[:0]
	return s
}

type reportAndSteps struct {
	report Report
	steps  [8]Step
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
	s.unchecked[s.nUnchecked] = uncheckedStep{id, step} // each call site runs at most once
	s.nUnchecked++
}

func (s *state) run() {
	defer s.checkAttacks()
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
	if !s.headerBroken {
		s.checkKid()
	}
	if isJSONNull(s.tok.PayloadJSON) {
		// The server reads iss from the payload right after the kid check.
		s.fail("jwt-not-object", "jwt-payload-null",
			"the payload is JSON null; the server fails on it without a description")
		return
	}
	s.checkHygiene()
	s.checkClient()
	if !s.headerBroken {
		s.checkKeyLookup()
		s.checkRegisteredKey()
		s.checkSignature()
	}
	s.checkClaimTypes()
	s.checkClaimValues()
	s.checkTimes()
}

// absent says whether the server takes a claim as missing.
func (s *state) absent(name string) bool {
	v, ok := s.claims[name]
	if !ok {
		return true
	}
	switch s.in.Profile.Presence {
	case profile.PresenceTruthy:
		return !token.Truthy(v)
	case profile.PresenceTyped:
		if name == "exp" || name == "iat" || name == "nbf" {
			return !isNumber(v)
		}
		if list, isList := v.([]any); isList && name == "aud" {
			return len(list) == 0
		}
		str, isString := v.(string)
		return !isString || str == ""
	}
	return false
}

// clientID is the client the assertion must be for: --client-id, or the
// one the server reads from the request.
func (s *state) clientID() string {
	if s.in.ClientID != "" {
		return s.in.ClientID
	}
	var from any
	switch s.in.Profile.ClientFrom {
	case profile.ClientFromIss:
		from = s.claims["iss"]
	default:
		from = s.claims["sub"]
	}
	str, _ := from.(string)
	return str
}

// checkClient mirrors how the server finds the client and checks iss.
func (s *state) checkClient() {
	p := &s.in.Profile
	want := s.clientID()
	if p.ClientFrom != profile.ClientFromIss {
		param, _ := s.formValue("client_id")
		sub, _ := s.claims["sub"].(string)
		if param != "" && param != sub && s.modelled("request-client-id-mismatch") {
			s.fail("request-client-id-mismatch", "request-client-id-mismatch",
				fmt.Sprintf("the client_id parameter is %q but sub is %s; the server needs them to agree", param, compactJSON(s.claims["sub"])))
		}
		who, from := s.claims["sub"], "sub"
		if p.ClientFrom == profile.ClientFromParamOrSub && param != "" {
			who, from = param, "the client_id parameter"
		}
		switch {
		case from == "sub" && s.absent("sub"):
			s.fail("sub-not-iss", "sub-missing", "sub is missing; the server finds the client by sub")
		case want != "" && who != want:
			s.fail("client-unknown", "client-unknown", fmt.Sprintf("%s is %s but the client_id is %q; the server finds no such client", from, compactJSON(who), want))
		}
	}

	iss, isString := s.claims["iss"].(string)
	switch {
	case s.absent("iss") || p.Presence == profile.PresenceKey && (!isString || iss == ""):
		msg := "iss is missing; the server needs it to be the client_id"
		if _, present := s.claims["iss"]; present {
			msg = fmt.Sprintf("iss is %s; the server needs the client_id string", compactJSON(s.claims["iss"]))
		}
		step := "iss-missing"
		if _, present := s.claims["iss"]; present && p.Presence == profile.PresenceKey {
			step = "iss-client-id"
		}
		s.fail("iss-client-id", step, msg)
		s.step("client", "fail", msg)
	case want != "" && iss != want:
		msg := fmt.Sprintf("iss is %q but the client_id is %q", iss, want)
		if p.ClientFrom == profile.ClientFromIss {
			msg += "; the server looks up the keys of the client iss names"
		}
		s.fail("iss-client-id", "iss-client-id", msg)
		s.step("client", "fail", msg)
	default:
		s.step("client", "pass", iss)
	}
}

// formValue is a request parameter as the server reads it.
func (s *state) formValue(name string) (string, bool) {
	if s.form == nil || len(s.form.Values[name]) == 0 {
		return "", false
	}
	return s.form.Values[name][0], true
}

// clientAuthParams are the parameters a server reads to authenticate the client.
var clientAuthParams = []string{"client_id", "client_assertion", "client_assertion_type", "client_secret"}

func (s *state) checkRequest() (string, bool) {
	req, rules := s.in.Request, s.in.Profile.Form
	form := req.Form
	if form == nil { // a Request built by hand rather than by request.Parse
		form = request.ParseForm(req.Body)
	}
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(req.ContentType, ";", 2)[0]))
	switch {
	case !req.ContentTypeKnown:
		s.step("request-content-type", "not-checked", "a bare form body does not show its Content-Type")
		s.notes = append(s.notes, "the request is a bare form body, so its Content-Type was not checked")
	case req.IsFormURLEncoded(), rules.Multipart && ct == "multipart/form-data":
		s.step("request-content-type", "pass", req.ContentType)
	default:
		policy, msg := rules.OtherTypes, fmt.Sprintf("Content-Type is %q; the server needs application/x-www-form-urlencoded", req.ContentType)
		if req.ContentType == "" {
			policy, msg = rules.MissingType, "the request has no Content-Type header; the server needs application/x-www-form-urlencoded"
		}
		if policy == profile.BodyIgnored {
			s.notes = append(s.notes, strings.Replace(msg, "; the server needs", "; the server reads parameters only from", 1)+", so it sees none")
			form = &request.Form{Values: map[string][]string{}}
			s.step("request-content-type", "fail", req.ContentType)
			break
		}
		s.fail("request-content-type", "request-content-type", msg)
		s.step("request-content-type", "fail", req.ContentType)
	}
	if rules.DropEmpty {
		form = withoutEmpty(form)
	}
	s.form = form
	if len(form.Values) == 0 && s.modelled("request-form-empty") {
		s.fail("request-form-empty", "request-form-empty", "the server reads no parameters from the body")
	}
	get := func(name string) (string, bool) {
		vs := form.Values[name]
		switch {
		case len(vs) == 0:
			return "", false
		case rules.Repeated == profile.RepeatedList && len(vs) > 1:
			return "", true // a list equals no string
		}
		return vs[0], true
	}
	if rules.Repeated == profile.RepeatedRefused {
		for _, name := range clientAuthParams {
			if n := len(form.Values[name]); n > 1 {
				s.fail("request-param-repeated", "request-param-repeated", fmt.Sprintf("%s is sent %d times; the server refuses a repeated client authentication parameter", name, n), "param", name)
			}
		}
	}

	grant, hasGrant := get("grant_type")
	switch n := len(form.Values["grant_type"]); {
	case !hasGrant:
		s.fail("request-grant-type-missing", "request-grant-type-missing", "the body has no grant_type parameter")
	case rules.Repeated == profile.RepeatedList && n > 1:
		s.fail("request-grant-type-invalid", "request-grant-type-invalid",
			fmt.Sprintf("grant_type is sent %d times; the server reads a repeated parameter as a list, which equals no expected value", n))
	case grant == "client_credentials":
	case slices.Contains(s.in.Profile.Grants, grant):
		s.fail("request-grant-type-invalid", "request-grant-type-not-allowed",
			fmt.Sprintf("grant_type is %q; the server knows that grant but this client may only use client_credentials", grant), "grant", grant)
	default:
		s.fail("request-grant-type-invalid", "request-grant-type-invalid", fmt.Sprintf("grant_type is %q; the server needs client_credentials", grant), "grant", grant)
	}

	assertion, has := get("client_assertion")
	assertionType, hasType := get("client_assertion_type")
	auth := strings.TrimSpace(firstHeader(req, "Authorization"))
	if s.modelled("request-auth-mechanisms") {
		_, hasSecret := get("client_secret")
		if has && (auth != "" || hasSecret) {
			other := "an Authorization header"
			if auth == "" {
				other = "client_secret"
			}
			s.fail("request-auth-mechanisms", "request-auth-mechanisms", "the request authenticates the client with client_assertion and with "+other+"; the server accepts one mechanism")
		}
	}
	if s.modelled("request-auth-basic") && strings.HasPrefix(strings.ToLower(auth), "basic ") && (!has || !hasType) {
		s.fail("request-auth-basic", "request-auth-basic", "the request authenticates with HTTP Basic instead of the client assertion this client is registered for")
	}
	switch n := len(form.Values["client_assertion_type"]); {
	case !hasType:
		s.fail("request-assertion-type-missing", "request-assertion-type-missing", "the body has no client_assertion_type parameter")
	case rules.Repeated == profile.RepeatedList && n > 1:
		s.fail("request-assertion-type-invalid", "request-assertion-type-invalid",
			fmt.Sprintf("client_assertion_type is sent %d times; the server reads a repeated parameter as a list, which equals no expected value", n))
	case assertionType != assertionTypeURN:
		s.fail("request-assertion-type-invalid", "request-assertion-type-invalid",
			fmt.Sprintf("client_assertion_type is %q; the server needs %s", assertionType, assertionTypeURN), "value", assertionType)
	}
	switch n := len(form.Values["client_assertion"]); {
	case !has || assertion == "" && n < 2:
		msg := "the body has no client_assertion parameter"
		if has {
			msg = "client_assertion is empty"
		}
		s.fail("request-assertion-missing", "request-assertion-missing", msg)
		return "", false
	case rules.Repeated == profile.RepeatedList && n > 1:
		s.fail("request-assertion-repeated", "request-assertion-repeated",
			fmt.Sprintf("client_assertion is sent %d times; the server gets a list instead of a token and fails without a description", n))
		return "", false
	}
	return assertion, true
}

func withoutEmpty(f *request.Form) *request.Form {
	out := &request.Form{Values: map[string][]string{}}
	for _, name := range f.Order {
		for _, v := range f.Values[name] {
			if v == "" {
				continue
			}
			if _, seen := out.Values[name]; !seen {
				out.Order = append(out.Order, name)
			}
			out.Values[name] = append(out.Values[name], v)
		}
	}
	return out
}

func firstHeader(req *request.Request, name string) string {
	for k, vs := range req.Headers {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// modelled reports whether the model runs a check at all: checks only some
// servers make are not run for the others.
func (s *state) modelled(step string) bool { return s.in.Profile.StepIndex(step) >= 0 }

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
	for _, part := range []struct {
		valid bool
		name  string
	}{{t.HeaderValid, "header"}, {t.PayloadValid, "payload"}} {
		if part.valid {
			continue
		}
		for _, e := range t.Errors {
			if e.Segment == part.name && !strings.HasPrefix(e.Reason, "character ") {
				s.fail("jwt-malformed", "jwt-"+part.name+"-malformed", e.Error())
				break
			}
		}
	}
	if !t.PayloadValid {
		return false
	}
	if !t.HeaderValid {
		// Some servers read the claims before the header: keep checking them.
		s.headerBroken = true
		s.header, s.claims = map[string]any{}, t.Payload
		if s.claims == nil {
			s.claims = map[string]any{}
		}
		return true
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
		if s.modelled("jwt-payload-not-object") && !isJSONNull(t.PayloadJSON) {
			s.fail("jwt-not-object", "jwt-payload-not-object", "the payload is JSON but not an object")
		} else {
			s.notes = append(s.notes, "the payload is JSON but not an object; it was read as having no claims, as the server does")
		}
	}
	if kid, ok := s.header["kid"]; ok && s.in.Profile.NonStringKid == profile.KidMalformed {
		if _, isString := kid.(string); !isString {
			s.fail("kid-not-string", "kid-not-string", fmt.Sprintf("the header kid is %s, not a string; the server cannot parse the header", compactJSON(kid)))
		}
	}
	for _, d := range t.DuplicateHeader {
		s.hint("duplicate-member", "duplicate-member", fmt.Sprintf("the header has %q more than once; the server uses the last one", d))
	}
	for _, d := range t.DuplicatePayload {
		s.hint("duplicate-member", "duplicate-member", fmt.Sprintf("the payload has %q more than once; the server uses the last one", d))
	}
	return true
}

func isJSONNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

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
	_, kidIsString := kidVal.(string)
	kidUsable := hasKid && token.Truthy(kidVal) && (kidIsString || s.in.Profile.NonStringKid == profile.KidLookedUp)
	if hasKid && !kidIsString && s.in.Profile.NonStringKid == profile.KidMalformed {
		return
	}

	if s.in.KeysErr != nil {
		if kidUsable || s.in.Profile.Kidless != profile.KidlessNone {
			msg := fmt.Sprintf("cannot read the key set: %s", s.in.KeysErr)
			s.fail("kid-not-found", "kid-not-found", msg)
			s.step("kid-not-found", "fail", msg)
		}
		return
	}
	if s.in.Keys == nil {
		if hasKid && s.kidFailsWithoutKeys(kidVal) {
			return
		}
		s.notChecked("kid-not-found", "kid-not-found", "no key set given (--jwks or --key)")
		return
	}
	kid, _ := kidVal.(string)
	for _, dup := range s.in.Keys.DuplicateKIDs() {
		s.hint("jwks-duplicate-kid", "jwks-duplicate-kid", fmt.Sprintf("kid %q appears more than once in the key set", dup))
	}
	if s.in.Profile.LoadsWholeKeySet {
		if desc, err := s.in.Keys.KeyStoreError(); err != nil {
			s.fail("key-set-invalid", "key-set-invalid", fmt.Sprintf("the server loads the whole key set and one entry fails: %s", err), "message", desc)
		}
	}
	for _, k := range s.in.Keys.Keys {
		if k.Kty == "RSA" && k.Bits > 0 && k.Bits < 2048 {
			s.hint("rsa-key-too-small", "rsa-key-too-small", fmt.Sprintf("key %s is RSA %d-bit; use at least 2048 bits", kidLabel(k), k.Bits))
		}
	}
	if !kidUsable {
		s.kidless = s.in.Profile.Kidless
		return
	}
	key, assumed := s.in.Keys.Resolve(kidVal, s.in.SingleKey)
	if key == nil {
		msg := fmt.Sprintf("no key in the key set has kid %s; it holds %s", compactJSON(kidVal), describeKIDs(s.in.Keys))
		s.fail("kid-not-found", "kid-not-found", msg, "kid", fmt.Sprint(kidVal))
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
	if s.key == nil && s.kidless != profile.KidlessNone && s.in.Keys != nil {
		s.verifyKidless(alg)
		return
	}
	if s.key == nil {
		if s.signatureFailsWithoutKeys(alg) {
			return
		}
		s.notChecked("signature", "signature-invalid", "no key to verify with")
		return
	}
	if !s.keyFits(s.key, alg, true) {
		return
	}
	s.verifyWith(s.key, alg)
}

// keyFits checks that a key can verify alg the way the server decides it:
// the key type first, then use, key_ops and the JWK's own alg.
func (s *state) keyFits(k *keys.Key, alg string, report bool) bool {
	kid := k.KID
	if v, ok := s.header["kid"]; ok {
		kid = fmt.Sprint(v)
	}
	vars := []string{"alg", alg, "kid", kid, "key_type", keyTypeName(alg)}
	if !typeFits(k, alg) {
		if report {
			s.fail("key-alg-mismatch", "key-alg-mismatch",
				fmt.Sprintf("key %s (%s) cannot verify %s: %s needs %s", kidLabel(k), k.Describe(), alg, alg, neededKey(alg)), vars...)
		}
		return false
	}
	why := ""
	if ok, reason := k.SupportsVerify(alg); !ok {
		why = reason
	} else if s.in.Profile.KeyUseSig && k.Use != "sig" {
		why = fmt.Sprintf("its use is %q; the server takes only keys with use \"sig\"", k.Use)
	}
	if why != "" {
		if report {
			s.fail("key-alg-mismatch", "key-use-mismatch",
				fmt.Sprintf("key %s (%s) cannot verify %s: %s", kidLabel(k), k.Describe(), alg, why), vars...)
		}
		return false
	}
	return true
}

func (s *state) verifyWith(k *keys.Key, alg string) {
	if min := s.in.Profile.MinRSABits; k.Kty == "RSA" && k.Bits < min {
		msg := fmt.Sprintf("key %s is RSA %d-bit; the server's crypto refuses RSA keys under %d bits, so no signature verifies", kidLabel(k), k.Bits, min)
		s.fail("signature-invalid", "signature-invalid", msg)
		s.step("signature", "fail", msg)
		return
	}
	verdict := keys.VerifyCompact(k, alg, s.tok.Raw, s.tok.Signature)
	if verdict.Status == keys.NotChecked {
		s.notChecked("signature", "signature-invalid", verdict.Reason)
		return
	}
	if verdict.Status != keys.Valid {
		msg := fmt.Sprintf("the %s signature does not verify with key %s (%s)", alg, kidLabel(k), k.Describe())
		if why := signatureNeverVerifies(alg, s.tok.Signature); why != "" {
			msg += "; no key could verify it: " + why
		} else if k.Kty == "EC" && len(s.tok.Signature) != 2*((k.Bits+7)/8) {
			msg += fmt.Sprintf("; it is %d bytes, a raw %s signature is %d (a DER-encoded signature?)", len(s.tok.Signature), alg, 2*((k.Bits+7)/8))
		}
		s.fail("signature-invalid", "signature-invalid", msg)
		s.step("signature", "fail", msg)
		return
	}
	s.key, s.signatureOK = k, true
	s.step("signature", "pass", plainKid(k))
}

// verifyKidless picks the key the way a server does for a header without a
// usable kid: every key that fits, or the first signing key of the alg's type.
func (s *state) verifyKidless(alg string) {
	var candidates []*keys.Key
	for _, k := range s.in.Keys.Keys {
		switch s.kidless {
		case profile.KidlessAnyFit:
			if s.keyFits(k, alg, false) {
				candidates = append(candidates, k)
			}
		case profile.KidlessFirstSig:
			if typeFits(k, alg) && k.Use == "sig" && len(candidates) == 0 {
				candidates = append(candidates, k)
			}
		}
	}
	if len(candidates) == 0 {
		msg := fmt.Sprintf("the header names no kid and no key in the key set fits %s", alg)
		if s.kidless == profile.KidlessFirstSig {
			s.fail("key-alg-mismatch", "key-use-mismatch", msg, "alg", alg, "kid", "", "key_type", keyTypeName(alg))
		} else {
			s.fail("kid-not-found", "kid-not-found", msg, "kid", "")
		}
		s.step("kid-not-found", "fail", msg)
		return
	}
	for _, k := range candidates {
		if min := s.in.Profile.MinRSABits; k.Kty == "RSA" && k.Bits < min {
			continue
		}
		if keys.VerifyCompact(k, alg, s.tok.Raw, s.tok.Signature).Status == keys.Valid {
			s.key, s.signatureOK = k, true
			s.step("signature", "pass", plainKid(k))
			return
		}
	}
	msg := fmt.Sprintf("the header names no kid, and the %s signature verifies with none of the %d key(s) that fit", alg, len(candidates))
	s.fail("signature-invalid", "signature-invalid", msg)
	s.step("signature", "fail", msg)
}

// keyKindFor is the key type, and for EC the curve, that alg verifies with.
func keyKindFor(alg string) (kty, crv string) {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		return "RSA", ""
	case strings.HasPrefix(alg, "ES"):
		return "EC", keys.CurveFor(alg)
	case alg == "EdDSA", alg == "Ed25519":
		return "OKP", ""
	case strings.HasPrefix(alg, "HS"):
		return "oct", ""
	}
	return "", ""
}

// typeFits reports whether a key is of the type and curve alg needs.
func typeFits(k *keys.Key, alg string) bool {
	kty, crv := keyKindFor(alg)
	return kty != "" && k.Kty == kty && (kty != "EC" || crv != "" && k.Crv == crv)
}

func neededKey(alg string) string {
	switch kty, crv := keyKindFor(alg); kty {
	case "RSA":
		return "an RSA key"
	case "EC":
		return "an EC " + crv + " key"
	case "oct":
		return "a shared secret"
	}
	return "an OKP key"
}

// keyTypeName is how fosite names the key type it looked for.
func keyTypeName(alg string) string {
	if kty, _ := keyKindFor(alg); kty == "EC" {
		return "ECDSA"
	}
	return "RSA"
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
		if name == "aud" && s.absent("aud") {
			s.fail("aud-missing", "aud-missing", "the payload has no aud; the server needs its token URL there")
			continue
		}
		if !present {
			continue
		}
		switch name {
		case "jti", "sub":
			if str, ok := v.(string); !ok || str == "" {
				step := name + "-type"
				if ok && name == "jti" {
					step = "jti-empty"
				}
				s.fail("claim-type", step, fmt.Sprintf("%s is %s; it must be a non-empty string", name, compactJSON(v)))
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
		case !present && s.in.Profile.ClientFrom != profile.ClientFromIss:
			// the client lookup reported it
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
	if aud, ok := s.claims["aud"]; ok && !s.absent("aud") && (isStringOrStrings(aud) || s.in.Profile.Presence != profile.PresenceKey) {
		s.checkAudience(aud)
	}
	if !s.headerBroken {
		s.checkHeaderHygiene()
	}
}

func (s *state) checkAudience(aud any) {
	want := s.in.Profile.TokenURL
	var values []string
	switch v := aud.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if str, ok := x.(string); ok {
				values = append(values, str)
			}
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
	p := &s.in.Profile
	tol := int64(p.Tolerance / time.Second)
	maxAge := int64(p.MaxTokenAge / time.Second)
	now := float64(s.now)
	iat, iatOK := number(s.claims["iat"])
	exp, expOK := number(s.claims["exp"])
	nbf, nbfOK := number(s.claims["nbf"])
	_, expPresent := s.claims["exp"]
	if p.ZeroTimesSkipped {
		iatOK, expOK, nbfOK = iatOK && iat != 0, expOK && exp != 0, nbfOK && nbf != 0
	}

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
	if s.absent("exp") {
		s.fail("exp-missing", "exp-missing", "the payload has no exp; RFC 7523 requires one, and stricter servers refuse the token")
	} else if iatOK && expOK && p.MaxLifetime > 0 && exp-iat > p.MaxLifetime.Seconds() && exp < 1e11 && iat < 1e11 {
		s.hint("lifetime-too-long", "lifetime-too-long",
			fmt.Sprintf("exp is %s after iat; keep it at most %s", secs(exp-iat), secs(p.MaxLifetime.Seconds())))
	}
}

func (s *state) checkHygiene() {
	jti, present := s.claims["jti"]
	switch str, isString := jti.(string); {
	case !present || s.absent("jti"):
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
	b, _ = redact.JSON(b, redact.Replace)
	if len(b) > 120 {
		cut := 117
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return string(b[:cut]) + "..."
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

// plainKid names a key for a JSON field, where quotes would be doubled.
func plainKid(k *keys.Key) string {
	if k.KID == "" {
		return fmt.Sprintf("#%d", k.Index+1)
	}
	return k.KID
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
