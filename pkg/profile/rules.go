package profile

import "time"

// The rule sets below are not one server: they are what a specification
// requires. They predict the error code the specification names and never
// an error_description, because no server's wording is known for them.

func ruleStep(id string, status int, code string) Step {
	return Step{ID: id, Outcome: Outcome{Status: status, Error: code, NoDescription: true}}
}

// requestSteps are the RFC 6749 / RFC 7521 checks of the request itself.
func requestSteps() []Step {
	return []Step{
		ruleStep("request-content-type", 400, "invalid_request"),
		ruleStep("request-grant-type-missing", 400, "invalid_request"),
		ruleStep("request-grant-type-invalid", 400, "unsupported_grant_type"),
		ruleStep("request-grant-type-not-allowed", 400, "unauthorized_client"),
		ruleStep("request-assertion-type-missing", 400, "invalid_request"),
		ruleStep("request-assertion-type-invalid", 400, "invalid_request"),
		ruleStep("request-assertion-missing", 400, "invalid_request"),
		ruleStep("request-assertion-repeated", 400, "invalid_request"),
	}
}

func clientSteps(ids ...string) []Step {
	out := make([]Step, 0, len(ids))
	for _, id := range ids {
		out = append(out, ruleStep(id, 400, "invalid_client"))
	}
	return out
}

var ruleSetForm = FormRules{OtherTypes: BodyRefused, MissingType: BodyRefused, Repeated: RepeatedList}

var ruleSetWire = Wire{Path: "/token", Style: JSONCompact,
	Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
	TokenType: "bearer", ExpiresIn: 300, Scope: ScopeAlways}

// smart is SMART App Launch v2 Backend Services: typ JWT, kid required, aud
// the token URL as a string, iss = sub = client_id, exp required and at most
// five minutes ahead, jti required and never reused.
func smart() Profile {
	return Profile{
		Name: "smart", Title: "SMART Backend Services (rules only)", JTI: JTIUnique,
		Algorithms:  []string{"RS384", "ES384"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		MaxExpAhead: 300 * time.Second, JTIStoreAfter: "jti-replayed", JTIKeepAfterExp: 10 * time.Second,
		Aud: AudTokenURL, IatFuture: IatFutureNever,
		Form: ruleSetForm, ClientFrom: ClientFromIss, Presence: PresenceKey, NonStringKid: KidLookedUp,
		Steps: append(requestSteps(), clientSteps(
			"jwt-segments", "jwt-encrypted", "jwt-header-malformed", "jwt-payload-malformed", "jwt-header-null", "jwt-payload-null",
			"alg-missing", "alg-none", "alg-hmac-confusion", "alg-not-allowed",
			"kid-missing", "typ-missing", "typ-not-jwt", "typ-type",
			"iss-type", "iss-missing", "iss-client-id", "sub-type", "sub-missing", "sub-not-iss",
			"kid-not-found", "registered-key-invalid", "registered-key-inconsistent-use", "registered-key-x5c",
			"crit-not-array", "crit-defined", "crit-not-understood",
			"key-alg-mismatch", "key-use-mismatch", "signature-invalid",
			"aud-missing", "aud-type", "aud-not-string", "aud-mismatch",
			"exp-missing", "exp-type", "exp-expired", "exp-too-far", "nbf-type", "nbf-future",
			"jti-missing", "jti-type", "jti-empty", "jti-replayed",
		)...),
		Wire: ruleSetWire,
	}
}

// rfc7523 is RFC 7523 section 3 for client authentication: iss and sub the
// client_id, aud identifying the server, exp required, a valid signature.
func rfc7523() Profile {
	return Profile{
		Name: "rfc7523", Title: "Plain RFC 7523 (rules only)", JTI: JTIIgnored,
		Algorithms:  []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		Aud: AudTokenURLOrIssuer, IatFuture: IatFutureNever,
		Form: ruleSetForm, ClientFrom: ClientFromIss, Presence: PresenceKey, NonStringKid: KidLookedUp,
		Steps: append(requestSteps(), clientSteps(
			"jwt-segments", "jwt-encrypted", "jwt-header-malformed", "jwt-payload-malformed", "jwt-header-null", "jwt-payload-null",
			"iss-type", "iss-missing", "iss-client-id", "sub-type", "sub-missing", "sub-not-iss",
			"kid-not-found", "registered-key-invalid", "registered-key-inconsistent-use", "registered-key-x5c",
			"crit-not-array", "crit-defined", "crit-not-understood",
			"alg-missing", "alg-none", "alg-hmac-confusion", "alg-not-allowed",
			"key-alg-mismatch", "key-use-mismatch", "signature-invalid",
			"aud-missing", "aud-type", "aud-mismatch",
			"exp-missing", "exp-type", "exp-expired", "nbf-type", "nbf-future",
		)...),
		Wire: Wire{Path: "/token", Style: JSONCompact,
			Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
			TokenType: "Bearer", ExpiresIn: 3600},
	}
}
