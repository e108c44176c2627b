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
}

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
	for i, s := range p.Steps {
		if s.ID == id {
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
