package profile

import "strings"

// A server model is data: the ordered steps a token endpoint runs over a
// token request, each with the answer it sends when that step fails. The
// lint engine runs every check, maps each failing check to the step it
// belongs to, and predicts the answer of the first failing step in this
// order. A check whose step the model does not list is not something the
// server rejects for, and keeps its rule's own severity.

// Step is one thing the server checks.
type Step struct {
	// ID is the check's stable step ID, shared by every model that runs
	// the same check.
	ID      string
	Outcome Outcome
}

// Outcome is what the server sends when a step fails.
type Outcome struct {
	Status int
	Error  string
	// Description is the exact error_description; {name} placeholders are
	// filled with values of the failing check (the claim, alg or header
	// name). NoDescription marks an answer without one.
	Description   string
	NoDescription bool
	// Hidden is the server's own reason where it keeps it out of the
	// response, templated like Description.
	Hidden string
	// Entry is the documented-error registry entry (pkg/catalog) this
	// answer belongs to, for servers the registry documents.
	Entry string
	// RawBody replaces the JSON error body (an HTML error page).
	RawBody     string
	ContentType string
	// Challenge is the WWW-Authenticate header sent when the request
	// carried an Authorization header, templated like Description.
	Challenge string
	// Quirk says what is surprising about this answer, for a server
	// whose behaviour here users trip over.
	Quirk string
	// Overrides marks a check the server makes after client
	// authentication whose answer replaces client authentication's: it
	// comes first in the answer but does not stop the jti being recorded.
	Overrides bool
}

// FormRules say how a server reads the request body.
type FormRules struct {
	// Multipart bodies are read as forms too.
	Multipart bool
	// OtherTypes and MissingType: what a body of another content type,
	// or with none, gets.
	OtherTypes  BodyPolicy
	MissingType BodyPolicy
	// DropEmpty: a parameter with an empty value counts as absent.
	DropEmpty bool
	// Repeated is what a parameter sent more than once means.
	Repeated RepeatedPolicy
}

type BodyPolicy string

const (
	// BodyRefused: the content-type step fails.
	BodyRefused BodyPolicy = "refused"
	// BodyIgnored: the body is not read; the request has no parameters.
	BodyIgnored BodyPolicy = "ignored"
)

type RepeatedPolicy string

const (
	// RepeatedList: the parameter arrives as a list, which equals no value.
	RepeatedList RepeatedPolicy = "list"
	// RepeatedRefused: a repeated client authentication parameter fails.
	RepeatedRefused RepeatedPolicy = "refused"
	// RepeatedFirst: the first value is used.
	RepeatedFirst RepeatedPolicy = "first"
)

// ClientSource is where a server reads which client is authenticating.
type ClientSource string

const (
	ClientFromIss ClientSource = "iss"
	ClientFromSub ClientSource = "sub"
	// ClientFromParamOrSub: the client_id parameter when sent, else sub.
	ClientFromParamOrSub ClientSource = "client_id-or-sub"
)

// Presence says when a server takes a claim as present.
type Presence string

const (
	// PresenceKey: the member exists, whatever its value.
	PresenceKey Presence = "key"
	// PresenceTruthy: JavaScript truthiness (0, "", false, null are absent).
	PresenceTruthy Presence = "truthy"
	// PresenceTyped: a value of the claim's type (a non-empty string, a number).
	PresenceTyped Presence = "typed"
)

// KidlessLookup is how a server picks a key for a header without a kid.
type KidlessLookup string

const (
	// KidlessNone: no key; the model decides whether a missing kid fails.
	KidlessNone KidlessLookup = ""
	// KidlessAnyFit tries every key that fits the alg.
	KidlessAnyFit KidlessLookup = "any-fit"
	// KidlessFirstSig takes the first key with use "sig" of the alg's type.
	KidlessFirstSig KidlessLookup = "first-sig"
)

// NonStringKid is what a server does with a kid that is not a string.
type NonStringKid string

const (
	// KidLookedUp: the value is looked up and matches no key.
	KidLookedUp NonStringKid = "looked-up"
	// KidIgnored: the header is read as having no kid.
	KidIgnored NonStringKid = "ignored"
	// KidMalformed: the header fails to parse.
	KidMalformed NonStringKid = "malformed"
)

// AudRule says which values a server accepts as the assertion's aud.
type AudRule string

const (
	AudTokenURL AudRule = "token-url"
	// AudTokenURLOrIssuer also accepts the issuer identifier.
	AudTokenURLOrIssuer AudRule = "token-url-or-issuer"
)

// IatFuturePolicy says when a server refuses an iat in the future.
type IatFuturePolicy string

const (
	// IatFutureJose: jose 2.x checks it twice, early without exp and late
	// with exp.
	IatFutureJose IatFuturePolicy = "jose"
	// IatFutureWithoutExp: only when exp is absent (node-oidc-provider).
	IatFutureWithoutExp IatFuturePolicy = "without-exp"
	// IatFutureAlways: whenever iat is ahead of now plus the tolerance.
	IatFutureAlways IatFuturePolicy = "always"
	// IatFutureNever: the server does not look at iat's future.
	IatFutureNever IatFuturePolicy = "never"
)

// StepIndex is the position of a step in the model, or -1.
func (p Profile) StepIndex(id string) int {
	for i := range p.Steps {
		if p.Steps[i].ID == id { // by index: a Step is too big to copy per look
			return i
		}
	}
	return -1
}

// Step returns the model's step with this ID.
func (p Profile) Step(id string) (Step, bool) {
	if i := p.StepIndex(id); i >= 0 {
		return p.Steps[i], true
	}
	return Step{}, false
}

// Fill puts vars into a templated outcome string.
func Fill(template string, vars map[string]string) string {
	if !strings.Contains(template, "{") {
		return template
	}
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(template)
}

// Verified names what a model was proven against.
type Verified struct {
	Server  string `json:"server"`
	Version string `json:"version"`
}
