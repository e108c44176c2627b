package profile

import "time"

// The models below are real token endpoints, each proven byte for byte
// against the server running locally (internal/difftest). Their token URL
// and issuer depend on the deployment: pass --aud and --issuer.

// oidcProvider is panva/node-oidc-provider 9.13.3 with client_credentials
// enabled. Every client authentication failure is the same 401; the reason
// goes only to the server's logs (error_detail), which is the hidden reason.
func oidcProvider() Profile {
	req := func(id, desc string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 400, Error: "invalid_request", Description: desc}}
	}
	format := func(id, hidden string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 400, Error: "invalid_request", Description: "invalid client_assertion format", Hidden: hidden}}
	}
	auth := func(id, hidden string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 401, Error: "invalid_client", Description: "client authentication failed", Hidden: hidden,
			Challenge: `Basic realm="{issuer}", error="invalid_client", error_description="client authentication failed"`}}
	}
	const (
		audList = "list of audience (aud) must include the endpoint url, issuer identifier or token endpoint url"
		noKey   = "no applicable key found in the JSON Web Key Set"
	)
	return Profile{
		Name: "oidc-provider", Title: "node-oidc-provider", JTI: JTIUnique,
		Algorithms: []string{"RS256", "RS384", "PS256", "ES256", "ES384", "Ed25519", "EdDSA"},
		Tolerance:  15 * time.Second,
		Aud:        AudTokenURLOrIssuer, IatFuture: IatFutureWithoutExp,
		Form:       FormRules{OtherTypes: BodyRefused, MissingType: BodyIgnored, DropEmpty: true, Repeated: RepeatedRefused},
		Grants:     []string{"authorization_code", "refresh_token"},
		ClientFrom: ClientFromSub, Presence: PresenceTruthy, Kidless: KidlessAnyFit, NonStringKid: KidIgnored,
		MinRSABits: 2048, JTIStoreAfter: "jti-replayed", JTIKeepAfterExp: 15 * time.Second,
		Verified: &Verified{Server: "panva/node-oidc-provider", Version: "9.13.3"},
		Steps: []Step{
			req("request-content-type", "only application/x-www-form-urlencoded content-type bodies are supported on POST /token"),
			req("request-param-repeated", "'{param}' parameter must not be provided twice"),
			req("request-auth-mechanisms", "client authentication must only be provided using one mechanism"),
			auth("request-auth-basic", "the provided authentication mechanism does not match the registered client authentication method"),
			req("request-assertion-missing", "no client authentication mechanism provided"),
			format("jwt-segments", "Invalid JWT"),
			format("jwt-encrypted", "Only JWTs using Compact JWS serialization can be decoded"),
			format("jwt-payload-malformed", "Failed to parse the decoded payload as JSON"),
			format("jwt-payload-not-object", "Invalid JWT Claims Set"),
			auth("sub-missing", "sub (JWT subject) must be provided in the client_assertion JWT"),
			req("request-assertion-type-missing", "client_assertion_type must be provided"),
			req("request-assertion-type-invalid", "client_assertion_type must have value urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			req("request-client-id-mismatch", "client_id mismatch"),
			auth("client-unknown", "client not found"),
			auth("jwt-header-malformed", "Invalid Token or Protected Header formatting"),
			auth("alg-missing", "alg mismatch"),
			auth("alg-none", "alg mismatch"),
			auth("alg-hmac-confusion", "alg mismatch"),
			auth("alg-not-allowed", "alg mismatch"),
			{ID: "exp-missing", Outcome: Outcome{Status: 401, Error: "invalid_client", Description: "client authentication failed",
				Hidden:    "expiration must be specified in the client_assertion JWT",
				Quirk:     "node-oidc-provider requires exp and then never looks at iat: an iat in the future or long past is accepted while exp is valid",
				Challenge: `Basic realm="{issuer}", error="invalid_client", error_description="client authentication failed"`}},
			auth("jti-missing", "unique jti (JWT ID) must be provided in the client_assertion JWT"),
			auth("iss-missing", "iss (JWT issuer) must be provided in the client_assertion JWT"),
			auth("iss-client-id", "iss (JWT issuer) must be the client_id"),
			auth("aud-missing", "aud (JWT audience) must be provided in the client_assertion JWT"),
			auth("aud-list-mismatch", audList),
			auth("aud-mismatch", "audience (aud) must equal the endpoint url, issuer identifier or token endpoint url"),
			auth("kid-not-found", noKey),
			auth("key-alg-mismatch", noKey),
			auth("key-use-mismatch", noKey),
			auth("signature-invalid", "signature verification failed"),
			auth("nbf-type", "invalid nbf value"),
			auth("nbf-future", "jwt not active yet"),
			auth("iat-type", "invalid iat value"),
			auth("iat-future-early", "jwt issued in the future"),
			auth("exp-type", "invalid exp value"),
			auth("exp-expired", "jwt expired"),
			auth("jti-type", "invalid jti value"),
			auth("iss-type", "invalid iss value"),
			auth("aud-type", "invalid aud value"),
			auth("jti-replayed", "client assertion tokens must only be used once"),
			req("request-grant-type-missing", "missing required parameter 'grant_type'"),
			{ID: "request-grant-type-invalid", Outcome: Outcome{Status: 400, Error: "unsupported_grant_type", Description: "unsupported grant_type requested"}},
			req("request-grant-type-not-allowed", "requested grant type is not allowed for this client"),
		},
		Wire: Wire{Path: "/token", Style: JSONCompact, ContentType: "application/json; charset=utf-8",
			Headers:   map[string]string{"Cache-Control": "no-store"},
			TokenType: "Bearer", ExpiresIn: 600, Scope: ScopeGranted},
	}
}

// hydra is ory/fosite v0.49.0 configured as Ory Hydra v2.3.0 configures it:
// the token URL is the only aud, each client has one signing alg (Hydra's
// default RS256), jtis are kept until exp, and no clock skew is allowed.
// fosite writes a fixed sentence per error code and appends a hint.
func hydra() Profile {
	const (
		invalidRequest = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed."
		invalidClient  = "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."
		integrity      = invalidClient + " Unable to verify the integrity of the 'client_assertion' value."
		enforcesAlg    = invalidClient + " The 'client_assertion' uses signing algorithm '{alg}' but the requested OAuth 2.0 Client enforces signing algorithm '{client_alg}'."
		noKeyOfType    = invalidRequest + " Unable to find {key_type} public key with use='sig' for kid '{kid}' in JSON Web Key Set."
		expiry         = invalidClient + " Unable to type assert the expiry time from claims. This should not happen as we validate the expiry time already earlier with token.Claims.Valid()"
	)
	req := func(id, desc string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 400, Error: "invalid_request", Description: desc}}
	}
	client := func(id, desc string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 401, Error: "invalid_client", Description: desc}}
	}
	unrecognizable := func(id, hidden string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 500, Error: "error", Description: "The error is unrecognizable", Hidden: hidden,
			Quirk: "Hydra answers a time check that fails with HTTP 500 and no reason (ory/hydra#2066); it allows no clock skew at all"}}
	}
	spendsJTI := "Hydra records the jti before it checks aud, so this assertion's jti is now spent: fix aud and sign a new assertion with a fresh jti"
	audStep := func(id string) Step {
		st := client(id, invalidClient+" Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint '{token_url}'.")
		st.Outcome.Quirk = spendsJTI
		return st
	}
	return Profile{
		Name: "hydra", Title: "Ory Hydra (fosite)", JTI: JTIUnique,
		Algorithms: []string{"RS256"},
		Aud:        AudTokenURL, IatFuture: IatFutureAlways,
		Form:       FormRules{Multipart: true, OtherTypes: BodyIgnored, MissingType: BodyIgnored, DropEmpty: true, Repeated: RepeatedFirst},
		Grants:     []string{"authorization_code", "refresh_token"},
		ClientFrom: ClientFromParamOrSub, Presence: PresenceTyped, Kidless: KidlessFirstSig, NonStringKid: KidMalformed,
		KeyUseSig: true, ZeroTimesSkipped: true,
		JTIStoreAfter: "exp-missing",
		Verified:      &Verified{Server: "ory/fosite (as in Ory Hydra v2.3.0)", Version: "v0.49.0"},
		Steps: []Step{
			req("request-form-empty", invalidRequest+" The POST body can not be empty."),
			req("request-grant-type-missing", invalidRequest+" Request parameter 'grant_type' is missing"),
			{ID: "request-grant-type-invalid", Outcome: Outcome{Status: 400, Error: "invalid_request", Overrides: true,
				Quirk:       "Hydra hides the client authentication result behind this answer, but still records a valid assertion's jti",
				Description: invalidRequest + " Make sure that the various parameters are correct, be aware of case sensitivity and trim your parameters. Make sure that the client you are using has exactly whitelisted the redirect_uri you specified."}},
			client("request-auth-basic", invalidClient+" The OAuth 2.0 Client supports client authentication method 'private_key_jwt', but method 'client_secret_basic' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'client_secret_basic'."),
			req("request-assertion-type-missing", invalidRequest+" Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body."),
			req("request-assertion-type-invalid", invalidRequest+" Unknown client_assertion_type '{value}'."),
			req("request-assertion-missing", invalidRequest+" The client_assertion request parameter must be set when using client_assertion_type of 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."),
			client("jwt-segments", integrity),
			client("jwt-encrypted", integrity),
			client("jwt-header-malformed", integrity),
			client("jwt-payload-malformed", integrity),
			client("jwt-payload-not-object", integrity),
			client("kid-not-string", integrity),
			client("sub-missing", invalidClient+" The claim 'sub' from the client_assertion JSON Web Token is undefined."),
			{ID: "client-unknown", Outcome: Outcome{Status: 401, Error: "invalid_client", Description: invalidClient, Hidden: "not_found"}},
			client("alg-missing", enforcesAlg),
			client("alg-none", enforcesAlg),
			client("alg-hmac-confusion", enforcesAlg),
			client("alg-not-allowed", enforcesAlg),
			req("kid-not-found", invalidRequest+" The JSON Web Token uses signing key with kid '{kid}', which could not be found."),
			req("key-alg-mismatch", noKeyOfType),
			req("key-use-mismatch", noKeyOfType),
			client("signature-invalid", integrity),
			unrecognizable("nbf-future", "Token is not valid yet"),
			unrecognizable("iat-future-early", "Token used before issued"),
			unrecognizable("exp-expired", "Token is expired"),
			client("iss-missing", invalidClient+" Claim 'iss' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client."),
			client("iss-client-id", invalidClient+" Claim 'iss' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client."),
			client("sub-not-iss", invalidClient+" Claim 'sub' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client."),
			client("jti-missing", invalidClient+" Claim 'jti' from 'client_assertion' must be set but is not."),
			{ID: "jti-replayed", Outcome: Outcome{Status: 400, Error: "jti_known", Description: "The jti was already used. Claim 'jti' from 'client_assertion' MUST only be used once."}},
			client("exp-missing", expiry),
			audStep("aud-missing"),
			audStep("aud-mismatch"),
			audStep("aud-list-mismatch"),
			{ID: "request-grant-type-not-allowed", Outcome: Outcome{Status: 400, Error: "unauthorized_client",
				Description: "The client is not authorized to request a token using this method. The OAuth 2.0 Client is not allowed to use authorization grant '{grant}'."}},
		},
		Wire: Wire{Path: "/oauth2/token", Style: JSONCompact, ContentType: "application/json;charset=UTF-8",
			Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
			TokenType: "bearer", ExpiresIn: 3600, Scope: ScopeAlways},
	}
}

// authlib is Authlib 1.2.0's client_assertion_jwt client authentication on a
// client_credentials grant (Flask). Every failure is a bare
// {"error": "invalid_client"}; a missing sub, or a key of the wrong type for
// the alg, raises inside Authlib and Flask answers with its HTML 500 page.
// Key lookup and the jti store are the application's: this model looks keys
// up by kid and keeps jtis for an hour, as Authlib's documentation suggests.
func authlib() Profile {
	client := func(id string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 400, Error: "invalid_client", NoDescription: true}}
	}
	crash := func(id, hidden string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 500, Error: "server_error", NoDescription: true, Hidden: hidden,
			RawBody: flaskInternalError, ContentType: "text/html; charset=utf-8",
			Quirk: "Authlib 1.2.0 raises on this instead of answering invalid_client, so Flask sends its HTML 500 page"}}
	}
	steps := []Step{
		{ID: "request-grant-type-missing", Outcome: Outcome{Status: 400, Error: "unsupported_grant_type", NoDescription: true}},
		{ID: "request-grant-type-invalid", Outcome: Outcome{Status: 400, Error: "unsupported_grant_type", NoDescription: true}},
		{ID: "request-grant-type-not-allowed", Outcome: Outcome{Status: 400, Error: "unsupported_grant_type", NoDescription: true}},
		client("request-assertion-type-missing"), client("request-assertion-type-invalid"), client("request-assertion-missing"),
		client("jwt-segments"), client("jwt-encrypted"), client("jwt-header-malformed"), client("alg-missing"),
		client("jwt-payload-malformed"), client("jwt-payload-not-object"),
		crash("sub-missing", "KeyError: 'sub'"),
		client("client-unknown"), client("kid-missing"), client("kid-not-found"),
		crash("key-alg-mismatch", "KeyError: 0"), crash("alg-hmac-confusion", "KeyError: 0"), client("alg-not-allowed"), client("key-use-mismatch"),
		client("alg-none"), client("signature-invalid"),
		client("iss-missing"), client("aud-missing"), client("exp-missing"), client("jti-missing"),
		client("iss-client-id"), client("aud-type"), client("aud-mismatch"), client("aud-list-mismatch"),
		client("exp-type"), client("exp-expired"), client("nbf-future"),
		client("jti-empty"), client("jti-replayed"),
	}
	return Profile{
		Name: "authlib", Title: "Authlib (Flask)", JTI: JTIUnique,
		Algorithms: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"},
		Aud:        AudTokenURL, IatFuture: IatFutureNever,
		Form:       FormRules{Multipart: true, OtherTypes: BodyIgnored, MissingType: BodyIgnored, DropEmpty: true, Repeated: RepeatedFirst},
		ClientFrom: ClientFromSub, Presence: PresenceKey, NonStringKid: KidLookedUp,
		JTIStoreAfter: "jti-replayed", JTIKeepFor: time.Hour,
		Verified: &Verified{Server: "Authlib", Version: "1.2.0"},
		Steps:    steps,
		Wire: Wire{Path: "/oauth/token", Style: JSONPython, ContentType: "application/json",
			Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
			TokenType: "Bearer", ExpiresIn: 864000, Scope: ScopeGranted},
	}
}

// flaskInternalError is the page Flask (Werkzeug) serves for an unhandled
// exception.
const flaskInternalError = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n"
