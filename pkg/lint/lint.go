// Package lint runs the server's validation steps and clientassert's own
// rules over a client assertion or a whole token request, and predicts the
// one response the server would send.
package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/redact"
	"github.com/clientassert/clientassert/pkg/request"
)

// Input is everything lint knows. Either Token or Request is set.
type Input struct {
	Token   string
	Request *request.Request
	Profile profile.Profile
	// ClientID is the client the key set is registered for; empty means the
	// key set belongs to whatever client iss names.
	ClientID string
	// Keys is the registered key set (or a single key); nil when the user
	// gave no key material.
	Keys *keys.Set
	// KeysErr says why the registered key set could not be read; the
	// server then finds no key for the kid.
	KeysErr error
	// SingleKey marks Keys as one key the user named with --key: when it has
	// no kid of its own it stands for whatever kid the header names.
	SingleKey bool
	// JWKSURL is where the registered key set was fetched from, when it was
	// given as a URL; an https jku on another host is reported.
	JWKSURL string
	// Unsigned marks a token whose signature is still to be made (build
	// checks its output this way): its empty signature is not a finding.
	Unsigned bool
	Now      time.Time
	// JTISeen reports whether the server already holds this jti for iss; nil
	// means no state is known (lint of one token). serve sets it.
	JTISeen func(iss, jti string) bool
}

// Finding is one problem, with what the server would say about it alone.
type Finding struct {
	Rule             string   `json:"rule"`
	Severity         Severity `json:"severity"`
	ErrorDescription string   `json:"error_description"`
	Message          string   `json:"message"`
	Fix              string   `json:"fix"`
	ServerCheck      bool     `json:"server_check"`
	Doc              string   `json:"doc"`
	// Quirk is what is surprising about the server's answer to this.
	Quirk string `json:"quirk,omitempty"`

	step      string            // the model step this check belongs to, or a hint's anchor
	vars      map[string]string // values for the step's outcome template
	hint      bool              // advice the server never rejects for
	explainer bool              // a hint that accounts for a step's answer
	explains  string            // that step, or "" when no step answers for it
	rank      int               // position in the pipeline, for display
	model     int               // position in the model's steps, or -1
}

// Response is the token endpoint's answer.
type Response struct {
	Status           int    `json:"status"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description"`
	// Certain is false when a step that needs key material was not checked
	// and could change the answer.
	Certain   bool     `json:"certain"`
	Unchecked []string `json:"unchecked,omitempty"`
	// Skipped is what the request would have sent but could not be read
	// (a file a curl command names, an unexpanded variable).
	Skipped []string `json:"skipped,omitempty"`
	Rule    string   `json:"rule,omitempty"`
	Entry   string   `json:"entry,omitempty"`
	// HiddenReason is the server's own reason where it keeps it out of the
	// response (node-oidc-provider's error_detail, for one).
	HiddenReason string `json:"hidden_reason,omitempty"`
	// NoDescription marks an answer whose body has no error_description.
	NoDescription bool `json:"-"`
	// Challenge is the WWW-Authenticate header the server adds, if any.
	Challenge string `json:"-"`
	// RawBody and ContentType replace the JSON body (an HTML error page).
	RawBody     string `json:"-"`
	ContentType string `json:"-"`
}

// Answer is the response as the profile's server writes it. A 200 answer
// carries only the status: the caller issues the token.
func (r Response) Answer(p profile.Profile) profile.Answer {
	if r.Status == 200 {
		return profile.Answer{Status: 200}
	}
	if r.RawBody != "" {
		return profile.Answer{Status: r.Status, RawBody: []byte(r.RawBody), ContentType: r.ContentType}
	}
	a := p.ErrorAnswer(r.Status, r.Error, r.ErrorDescription, !r.NoDescription)
	if r.Challenge != "" {
		a.Headers = map[string]string{"WWW-Authenticate": r.Challenge}
	}
	return a
}

// MarshalJSON keeps error and error_description off a 200 answer and on a
// failure whenever the server sends one, since a blank description is itself
// a documented answer.
func (r Response) MarshalJSON() ([]byte, error) {
	var desc *string
	if r.Status != 200 && !r.NoDescription {
		desc = &r.ErrorDescription
	}
	return json.Marshal(struct {
		Status           int      `json:"status"`
		Error            string   `json:"error,omitempty"`
		ErrorDescription *string  `json:"error_description,omitempty"`
		Certain          bool     `json:"certain"`
		Unchecked        []string `json:"unchecked,omitempty"`
		Skipped          []string `json:"skipped,omitempty"`
		Rule             string   `json:"rule,omitempty"`
		Entry            string   `json:"entry,omitempty"`
		HiddenReason     string   `json:"hidden_reason,omitempty"`
	}{r.Status, r.Error, desc, r.Certain, r.Unchecked, r.Skipped, r.Rule, r.Entry, r.HiddenReason})
}

// Step is the outcome of one server validation step.
type Step struct {
	ID     string `json:"id"`
	Status string `json:"status"` // "pass", "fail", "not-checked", "not-reached"
	Detail string `json:"detail,omitempty"`
}

// Report is the result of Lint.
type Report struct {
	Predicted Response  `json:"predicted_response"`
	Findings  []Finding `json:"findings"`
	Summary   Summary   `json:"summary"`
	Steps     []Step    `json:"server_steps"`
	Profile   string    `json:"profile"`
	TokenURL  string    `json:"token_url"`
	Now       time.Time `json:"now"`
	ClientID  string    `json:"client_id,omitempty"`
	KeyID     string    `json:"verified_with_kid,omitempty"`
	Notes     []string  `json:"notes,omitempty"`
	Header    any       `json:"header,omitempty"`
	Claims    any       `json:"claims,omitempty"`
	// StoreJTI is set when the server would record the assertion's jti (for
	// replay detection) on this request, whatever its answer.
	StoreJTI *JTIRecord `json:"-"`
	// Key is the registered key that verified the signature.
	Key *keys.Key `json:"-"`
}

// StepID is the server model step the finding belongs to (a hint's anchor).
func (f Finding) StepID() string { return f.step }

// JTIRecord is a jti the server keeps until Until, when its assertion could no
// longer be accepted anyway.
type JTIRecord struct {
	Issuer string
	JTI    string
	Until  time.Time
}

// Summary counts findings by severity.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// HasErrors reports whether any finding is an error.
func (r *Report) HasErrors() bool { return r.Summary.Errors > 0 }

// Fails reports whether any finding is at least as severe as threshold.
func (r *Report) Fails(threshold Severity) bool {
	for _, f := range r.Findings {
		if rank(f.Severity) <= rank(threshold) {
			return true
		}
	}
	return false
}

// Lint evaluates every check; it never stops at the first failure.
func Lint(in Input) *Report {
	s := newState(in)
	s.run()
	return s.report()
}

func (s *state) report() *Report {
	s.resolve()
	before := func(a, b *Finding) bool {
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) < rank(b.Severity)
		}
		return a.rank < b.rank
	}
	for i := 1; i < len(s.findings); i++ {
		if before(&s.findings[i], &s.findings[i-1]) {
			sort.SliceStable(s.findings, func(i, j int) bool { return before(&s.findings[i], &s.findings[j]) })
			break
		}
	}
	r := s.out
	*r = Report{
		Findings: s.findings,
		Steps:    s.steps,
		Profile:  s.in.Profile.Name,
		TokenURL: s.in.Profile.TokenURL,
		Now:      s.in.Now.UTC().Truncate(time.Second),
		ClientID: s.in.ClientID,
		Notes:    s.notes,
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if s.key != nil && s.signatureOK {
		r.KeyID, r.Key = s.key.KID, s.key
	}
	if s.tok != nil {
		if s.tok.Header != nil {
			r.Header = redacted(s.tok.Header, s.tok.HeaderJSON)
		}
		if s.tok.Payload != nil {
			r.Claims = redacted(s.tok.Payload, s.tok.PayloadJSON)
		}
	}
	for _, f := range s.findings {
		switch f.Severity {
		case SeverityError:
			r.Summary.Errors++
		case SeverityWarning:
			r.Summary.Warnings++
		default:
			r.Summary.Infos++
		}
	}
	r.Predicted = s.predict()
	r.StoreJTI = s.storeJTI()
	return r
}

// redacted is v, decoded from text, without private key material. Only an
// object with a kty member or a member named jwk can hold some, and most
// tokens have neither, so they skip redact's round trip through JSON text:
// the text shows neither name, unless written with escapes.
func redacted(v map[string]any, text []byte) any {
	if !bytes.Contains(text, []byte("kty")) && !bytes.Contains(text, []byte("jwk")) && !bytes.Contains(text, []byte(`\u`)) {
		return v
	}
	if !mayHoldJWK(v) {
		return v
	}
	out, _ := redact.Value(v, redact.Replace)
	return out
}

func mayHoldJWK(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["kty"]; ok {
			return true
		}
		if _, ok := x["jwk"]; ok {
			return true
		}
		for _, e := range x {
			if mayHoldJWK(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if mayHoldJWK(e) {
				return true
			}
		}
	}
	return false
}

// fill puts values into an outcome template: the ones every template may
// use, with the failing check's own on top. Most outcomes are fixed bytes
// and need none.
func (s *state) fill(template string, own map[string]string) string {
	if !strings.Contains(template, "{") {
		return template
	}
	return profile.Fill(template, s.vars(own))
}

func (s *state) vars(own map[string]string) map[string]string {
	p := &s.in.Profile
	v := map[string]string{"token_url": p.TokenURL, "issuer": p.Issuer}
	if len(p.Algorithms) > 0 {
		v["client_alg"] = p.Algorithms[0]
	}
	if s.header != nil {
		if alg, ok := s.header["alg"].(string); ok {
			v["alg"] = alg
		} else {
			v["alg"] = ""
		}
		if kid, ok := s.header["kid"]; ok {
			v["kid"] = fmt.Sprint(kid)
		}
	}
	for k, x := range own {
		v[k] = x
	}
	return v
}

// storeJTI says whether the server records the assertion's jti on this
// request: it does when every step up to its store point passes (a step
// that overrides client authentication's answer does not stop it).
func (s *state) storeJTI() *JTIRecord {
	p := &s.in.Profile
	if p.JTI != profile.JTIUnique || s.claims == nil {
		return nil
	}
	at := p.StepIndex(p.JTIStoreAfter)
	if at < 0 {
		return nil
	}
	jti, ok := s.claims["jti"].(string)
	if !ok || jti == "" {
		return nil
	}
	for _, f := range s.findings {
		if f.ServerCheck && f.model <= at && !p.Steps[f.model].Outcome.Overrides {
			return nil
		}
	}
	for _, u := range s.unchecked[:s.nUnchecked] {
		if i := p.StepIndex(u.step); i >= 0 && i <= at {
			return nil // the key was not checked: whether it is stored is unknown
		}
	}
	iss, _ := s.claims["iss"].(string)
	rec := &JTIRecord{Issuer: iss, JTI: jti}
	switch exp, ok := number(s.claims["exp"]); {
	case p.JTIKeepFor > 0:
		rec.Until = s.in.Now.Add(p.JTIKeepFor)
	case ok:
		rec.Until = time.Unix(int64(exp), 0).Add(p.JTIKeepAfterExp)
	default:
		return nil
	}
	return rec
}

func rank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// resolve lets the model decide what each finding means: a check whose step
// the model lists is a server rejection, an error carrying the model's exact
// answer; anything else keeps its rule's severity and no answer of its own.
func (s *state) resolve() {
	m := &s.in.Profile
	for i := range s.findings {
		f := &s.findings[i]
		f.rank = pipelineRank(f.step)
		f.model = -1
		if f.hint {
			if !f.explainer {
				continue
			}
			if step, ok := m.Step(f.explains); ok && !step.Outcome.NoDescription {
				f.ErrorDescription = s.fill(step.Outcome.Description, f.vars)
			} else {
				f.Severity = SeverityWarning
			}
			continue
		}
		idx := m.StepIndex(f.step)
		if idx < 0 {
			continue
		}
		f.model, f.ServerCheck, f.Severity = idx, true, SeverityError
		o := m.Steps[idx].Outcome
		if !o.NoDescription {
			f.ErrorDescription = s.fill(o.Description, f.vars)
		}
		f.Quirk = o.Quirk
	}
}

// predict picks the first failing step in the model's order. Steps that
// needed a key and were not checked make the answer uncertain when they come
// before it.
func (s *state) predict() Response {
	m := &s.in.Profile
	var first *Finding
	for i := range s.findings {
		f := &s.findings[i]
		if f.ServerCheck && (first == nil || f.model < first.model) {
			first = f
		}
	}
	resp := Response{Status: 200, Certain: true}
	firstAt := len(m.Steps)
	if first != nil {
		firstAt = first.model
		o := m.Steps[first.model].Outcome
		resp = Response{Status: o.Status, Error: o.Error, Certain: true, Rule: first.Rule, Entry: o.Entry,
			NoDescription: o.NoDescription, HiddenReason: s.fill(o.Hidden, first.vars),
			RawBody: o.RawBody, ContentType: o.ContentType}
		if !o.NoDescription {
			resp.ErrorDescription = s.fill(o.Description, first.vars)
		}
		if o.Challenge != "" && s.in.Request != nil && firstHeader(s.in.Request, "Authorization") != "" {
			resp.Challenge = s.fill(o.Challenge, first.vars)
		}
	}
	if s.in.Request != nil && len(s.in.Request.Skipped) > 0 {
		resp.Certain = false
		resp.Skipped = s.in.Request.Skipped
	}
	for _, u := range s.unchecked[:s.nUnchecked] {
		if at := m.StepIndex(u.step); at >= 0 && at < firstAt {
			resp.Certain = false
			if resp.Unchecked == nil {
				resp.Unchecked = make([]string, 0, s.nUnchecked)
			}
			resp.Unchecked = append(resp.Unchecked, u.id)
		}
	}
	return resp
}

// pipeline is the order checks are listed in for display: the order of the
// reference model (jose 2.x behind Redox), with the steps other servers add
// and the hints placed where they belong.
var pipeline = []string{
	"request-content-type", "request-form-empty", "request-param-repeated", "request-grant-type-missing",
	"request-grant-type-invalid", "request-grant-type-not-allowed", "request-auth-mechanisms", "request-auth-basic",
	"request-assertion-type-missing", "request-assertion-type-invalid", "request-client-id-mismatch",
	"request-assertion-missing", "request-assertion-repeated",
	"jwt-segments", "jwt-encrypted", "jwt-encoding", "jwt-header-malformed", "jwt-payload-malformed", "duplicate-member",
	"jwt-header-null", "jwt-payload-not-object", "kid-not-string",
	"kid-missing", "jwt-payload-null", "client-unknown", "iss-missing", "iss-client-id",
	"key-set-invalid", "jwks-duplicate-kid", "rsa-key-too-small", "rsa-small-exponent", "kid-not-found",
	"registered-key-invalid", "registered-key-inconsistent-use", "registered-key-x5c",
	"crit-not-array", "crit-defined", "crit-not-understood",
	"alg-missing", "alg-none", "alg-hmac-confusion", "alg-not-allowed", "key-alg-mismatch", "key-use-mismatch", "signature-invalid",
	"iat-missing", "iat-type", "exp-type", "nbf-type", "jti-type", "jti-empty", "iss-type", "sub-type", "aud-missing", "aud-type", "typ-type",
	"sub-missing", "sub-not-iss", "aud-not-string", "aud-mismatch", "aud-list-mismatch", "aud-foreign",
	"time-milliseconds", "time-fractional", "iat-future-early", "nbf-future", "exp-expired", "exp-too-far",
	"jti-missing", "jti-short", "jti-replayed", "typ-missing", "typ-not-jwt", "jku-not-https", "jku-foreign-host", "header-embedded-key", "private-key-in-token", "header-b64",
	"exp-missing", "lifetime-too-long",
	"iat-too-old", "iat-future",
}

var pipelineIndex = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(pipeline))
	for i, id := range pipeline {
		m[id] = i
	}
	return m
})

func pipelineRank(step string) int {
	if i, ok := pipelineIndex()[step]; ok {
		return i
	}
	return len(pipeline)
}
