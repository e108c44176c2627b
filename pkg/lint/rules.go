package lint

import (
	"sync"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/profile"
)

// Severity of a finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rule documents one thing clientassert checks. Whether a server rejects a
// token for it, and with which answer, is the server model's to say: a rule
// whose step a model lists is an error there with that model's bytes; in any
// other model it has the rule's own severity.
type Rule struct {
	ID string `json:"id"`
	// Severity applies where no server model rejects for the rule.
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Steps are the model steps the rule's check can fail at; nil means the
	// one step named like the rule.
	Steps []string `json:"steps,omitempty"`
	// Check says what passing the rule's step shows, for step listings.
	Check string `json:"check,omitempty"`
	// Hint marks advice no server rejects for: it never becomes a step.
	Hint     bool   `json:"hint,omitempty"`
	NeedsKey bool   `json:"needs_key,omitempty"`
	Citation string `json:"citation"`
	Why      string `json:"why"`
	Fix      string `json:"fix"`
}

// StepIDs are the model steps the rule can fail at.
func (r Rule) StepIDs() []string {
	if r.Hint {
		return nil
	}
	if r.Steps == nil {
		return []string{r.ID}
	}
	return r.Steps
}

// SeverityIn is the rule's severity under a server model.
func (r Rule) SeverityIn(p profile.Profile) Severity {
	for _, id := range r.StepIDs() {
		if p.StepIndex(id) >= 0 {
			return SeverityError
		}
	}
	return r.Severity
}

// Anchor is the rule's heading anchor in docs/rules.md.
func (r Rule) Anchor() string { return r.ID }

// DocURL is the relative link to the rule's documentation.
func (r Rule) DocURL() string { return catalog.DocsBase + "rules.md#" + r.Anchor() }

// Rules returns the registry in documentation order.
func Rules() []Rule { return rules }

// RuleByID looks a rule up.
func RuleByID(id string) (Rule, bool) {
	r, ok := ruleIndex()[id]
	return r, ok
}

var ruleIndex = sync.OnceValue(func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		if _, dup := m[r.ID]; dup {
			panic("lint: duplicate rule id " + r.ID)
		}
		m[r.ID] = r
	}
	return m
})

var rules = []Rule{
	// The request, as the server reads it.
	{ID: "request-content-type", Severity: SeverityError,
		Title: "Content-Type is not application/x-www-form-urlencoded", Citation: "RFC 6749 §4.4.2; RFC 7523 §2.2",
		Why: "The token endpoint only reads form-encoded bodies.",
		Fix: "Send Content-Type: application/x-www-form-urlencoded and a URL-encoded body."},
	{ID: "request-grant-type-missing", Severity: SeverityError,
		Title: "grant_type is missing", Citation: "RFC 6749 §4.4.2",
		Why: "The client credentials grant is named in the body.", Fix: "Add grant_type=client_credentials."},
	{ID: "request-grant-type-invalid", Steps: []string{"request-grant-type-invalid", "request-grant-type-not-allowed"}, Severity: SeverityError,
		Title: "grant_type is not client_credentials", Citation: "RFC 6749 §4.4.2",
		Why: "Only the client credentials grant is accepted.", Fix: "Set grant_type=client_credentials exactly."},
	{ID: "request-assertion-type-missing", Severity: SeverityError,
		Title: "client_assertion_type is missing", Citation: "RFC 7521 §4.2",
		Why: "The server needs to know the assertion is a JWT.", Fix: "Add client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer."},
	{ID: "request-assertion-type-invalid", Severity: SeverityError,
		Title: "client_assertion_type is not the JWT bearer URN", Citation: "RFC 7523 §2.2",
		Why: "Only JWT client assertions are accepted.", Fix: "Set client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer."},
	{ID: "request-assertion-missing", Severity: SeverityError,
		Title: "client_assertion is missing or empty", Citation: "RFC 7521 §4.2",
		Why: "The signed JWT travels in this parameter.", Fix: "Put the signed JWT in client_assertion."},

	{ID: "request-assertion-repeated", Severity: SeverityError,
		Title: "client_assertion is sent more than once", Citation: "RFC 7521 §4.2: a single assertion",
		Why: "A repeated parameter reaches the server as a list, not a token, and it fails without saying why.", Fix: "Send exactly one client_assertion."},

	// Decoding.
	{ID: "jwt-segments", Check: "the token has three parts", Severity: SeverityError,
		Title: "The token does not have three parts", Citation: "RFC 7515 §7.1",
		Why: "A compact JWS is header.payload.signature.", Fix: "Send the token exactly as the signing library produced it."},
	{ID: "jwt-encrypted", Check: "the token is signed, not encrypted", Severity: SeverityError,
		Title: "The token has five parts (an encrypted JWT)", Citation: "RFC 7516 §7.1",
		Why: "The server cannot decode a JWE and does not say so.", Fix: "Send a signed JWT (JWS), not an encrypted one."},
	{ID: "jwt-malformed", Check: "the header and payload are base64url JSON", Steps: []string{"jwt-header-malformed", "jwt-payload-malformed"}, Severity: SeverityError,
		Title: "The header or payload is not base64url JSON", Citation: "RFC 7519 §7.2",
		Why: "The server parses both parts as JSON.", Fix: "Build the token with a JOSE library; use clientassert decode to find the broken offset."},
	{ID: "jwt-not-object", Check: "the header and payload are JSON objects", Steps: []string{"jwt-header-null", "jwt-payload-null", "jwt-payload-not-object"}, Severity: SeverityError,
		Title: "The header or payload is JSON but not an object", Citation: "RFC 7519 §7.2",
		Why: "The validating library fails on it with an internal error, which the server does not describe.", Fix: "Make the header and the claims JSON objects."},
	{ID: "jwt-encoding", Hint: true, Severity: SeverityWarning,
		Title: "A part is not strict base64url", Citation: "RFC 7515 §2",
		Why: "The server's decoder skips stray characters and stops at '=', so it may read something other than what you meant; strict verifiers reject it.",
		Fix: "Encode each part with unpadded base64url (RFC 7515 §2)."},
	{ID: "duplicate-member", Hint: true, Severity: SeverityWarning,
		Title: "The header or payload repeats a member name", Citation: "RFC 7515 §5.2; RFC 7519 §4",
		Why: "The server keeps the last value silently, other parsers the first or reject: the token means different things to different readers.",
		Fix: "Write each member once."},

	// Key lookup.
	{ID: "kid-missing", Check: "the header names a kid", Severity: SeverityError,
		Title: "The header has no kid", Citation: "SMART Backend Services: kid is required",
		Why: "The server finds the public key by kid.", Fix: "Put the registered key's kid in the header."},
	{ID: "iss-client-id", Check: "iss names the client", Steps: []string{"iss-missing", "iss-client-id"}, Severity: SeverityError,
		Title: "iss is not the client_id", Citation: "RFC 7523 §3; SMART: iss is the client_id",
		Why: "The server finds the client, and so its keys, by iss.", Fix: "Set iss to the client_id of the API key."},
	{ID: "kid-not-found", Check: "the client's key set holds the kid", Severity: SeverityError, NeedsKey: true,
		Title: "The kid is not in the client's key set", Citation: "RFC 7515 §4.1.4",
		Why: "Without a registered key with that kid there is nothing to verify with.",
		Fix: "Sign with a registered key and put its kid in the header, or publish the new key."},

	{ID: "registered-key-invalid", Check: "the registered key loads", Steps: []string{"registered-key-invalid", "registered-key-inconsistent-use", "registered-key-x5c"}, Severity: SeverityError, NeedsKey: true,
		Title: "The registered key with this kid cannot be loaded", Citation: "RFC 7517 §4.2–4.7",
		Why: "The server loads the JWK before verifying; a bad use, alg, kid, key_ops or x5c member makes it refuse the key.",
		Fix: "Fix the JWK in the registered key set: use \"sig\", a non-empty alg, key_ops [\"verify\"] or none, valid x5c certificates."},

	// Signature.
	{ID: "crit-header", Check: "no critical extensions", Steps: []string{"crit-not-array", "crit-defined", "crit-not-understood"}, Severity: SeverityError,
		Title: "The header has a crit parameter", Citation: "RFC 7515 §4.1.11",
		Why: "The server understands no critical extensions and rejects any it is asked to honour.", Fix: "Remove crit from the header."},
	{ID: "alg-missing", Check: "the header names an alg", Severity: SeverityError,
		Title: "The header has no alg", Citation: "RFC 7515 §4.1.1",
		Why: "alg is required in every JWS.", Fix: "Set alg to RS384 or ES384."},
	{ID: "alg-not-allowed", Check: "the server accepts the alg", Severity: SeverityError,
		Title: "alg is not accepted by the server", Citation: "SMART Backend Services: RS384 or ES384",
		Why: "The server accepts RS384 and ES384 only.", Fix: "Sign with RS384 (RSA) or ES384 (P-384)."},
	{ID: "alg-none", Check: "the token is signed", Severity: SeverityError,
		Title: "alg is none: the token is unsigned", Citation: "RFC 8725 §3.1",
		Why: "An unsigned assertion proves nothing and is always refused.", Fix: "Sign the token with RS384 or ES384."},
	{ID: "alg-hmac-confusion", Check: "no HMAC alg against asymmetric keys", Severity: SeverityError,
		Title: "An HMAC alg where the registered keys are asymmetric", Citation: "RFC 8725 §2.1, §3.1",
		Why: "Signing with HS* using a public key as the secret is the classic alg confusion attack; the server refuses HMAC.",
		Fix: "Sign with the private key using RS384 or ES384."},
	{ID: "key-alg-mismatch", Check: "the key can verify the alg", Steps: []string{"key-alg-mismatch", "key-use-mismatch"}, Severity: SeverityError, NeedsKey: true,
		Title: "The key with this kid cannot verify this alg", Citation: "RFC 7518 §3.1; RFC 7517 §4.2–4.4",
		Why: "alg and the key type, curve, use, key_ops and alg of the JWK must agree.",
		Fix: "Use RS384 with RSA keys and ES384 with P-384 keys; fix use, key_ops and alg in the JWK."},
	{ID: "signature-invalid", Check: "the signature verifies", Severity: SeverityError, NeedsKey: true,
		Title: "The signature does not verify", Citation: "RFC 7515 §5.2",
		Why: "The token was signed by another key, or changed after signing.", Fix: "Sign with the private half of the registered key."},

	// Claim types.
	{ID: "iat-missing", Severity: SeverityError,
		Title: "iat is missing", Citation: "RFC 7519 §4.1.6",
		Why: "The server bounds the token's age by iat, so it requires it.", Fix: "Set iat to now, in seconds."},
	{ID: "claim-type", Steps: []string{"iat-type", "exp-type", "nbf-type", "jti-type", "jti-empty", "iss-type", "sub-type", "aud-type", "typ-type"}, Severity: SeverityError,
		Title: "A registered claim has the wrong JSON type", Citation: "RFC 7519 §4.1",
		Why: "Times must be numbers; iss and aud strings or arrays of strings; sub and jti non-empty strings.",
		Fix: "Write each claim with its registered type."},
	{ID: "aud-missing", Severity: SeverityError,
		Title: "aud is missing", Citation: "RFC 7523 §3",
		Why: "The server checks that it is the audience.", Fix: "Set aud to the token URL."},

	// Claim values.
	{ID: "aud-mismatch", Steps: []string{"aud-mismatch", "aud-list-mismatch"}, Severity: SeverityError,
		Title: "aud is not the token URL", Citation: "RFC 7523 §3",
		Why: "The server only accepts assertions meant for its own token URL.", Fix: "Set aud to the exact token URL."},
	{ID: "aud-wrong-region", Steps: []string{"aud-mismatch", "aud-list-mismatch"}, Severity: SeverityError,
		Title: "aud is the token URL of another region", Citation: "RFC 7523 §3",
		Why: "Each region's token endpoint accepts only its own URL.", Fix: "Use the token URL of the region you POST to, or choose the matching --profile."},
	{ID: "aud-trailing-slash", Steps: []string{"aud-mismatch", "aud-list-mismatch"}, Severity: SeverityError,
		Title: "aud differs from the token URL only in case, scheme or a trailing slash", Citation: "RFC 7523 §3",
		Why: "aud is compared as an exact string.", Fix: "Copy the token URL exactly."},
	{ID: "aud-fhir-base", Steps: []string{"aud-mismatch", "aud-list-mismatch"}, Severity: SeverityError,
		Title: "aud is an API or FHIR base URL, not the token URL", Citation: "RFC 7523 §3; SMART Backend Services",
		Why: "The audience of a client assertion is the token endpoint, not the resource server.", Fix: "Set aud to the token URL."},
	{ID: "sub-not-iss", Check: "sub names the client", Steps: []string{"sub-missing", "sub-not-iss"}, Severity: SeverityWarning,
		Title: "sub is not the client_id", Citation: "RFC 7523 §3: sub MUST be the client_id",
		Why: "For client authentication sub names the client; the Redox server does not check it, stricter servers do.",
		Fix: "Set sub to the client_id, the same value as iss."},

	// Time.
	{ID: "iat-future", Steps: []string{"iat-future-early", "iat-future"}, Severity: SeverityError,
		Title: "iat is in the future", Citation: "RFC 7519 §4.1.6",
		Why: "The server allows 10 s of clock skew.", Fix: "Set iat to now; synchronise the client clock."},
	{ID: "nbf-future", Severity: SeverityError,
		Title: "nbf is in the future", Citation: "RFC 7519 §4.1.5",
		Why: "The server allows 10 s of clock skew.", Fix: "Leave nbf out or set it to now."},
	{ID: "exp-expired", Severity: SeverityError,
		Title: "exp has passed", Citation: "RFC 7519 §4.1.4",
		Why: "The server allows 10 s of clock skew.", Fix: "Build a fresh assertion for each request."},
	{ID: "iat-too-old", Severity: SeverityError,
		Title: "iat is more than 5 minutes old", Citation: "RFC 7523 §3 (servers may bound iat)",
		Why: "The server accepts assertions at most 5 minutes old, plus 10 s of skew.", Fix: "Build a fresh assertion for each request."},
	{ID: "time-milliseconds", Hint: true, Severity: SeverityError,
		Title: "A time claim is in milliseconds", Citation: "RFC 7519 §2 NumericDate",
		Why: "NumericDate counts seconds; a millisecond value is thousands of years ahead.", Fix: "Divide by 1000 and floor: Math.floor(Date.now() / 1000)."},
	{ID: "time-fractional", Hint: true, Severity: SeverityInfo,
		Title: "A time claim has a fraction", Citation: "RFC 7519 §2 NumericDate",
		Why: "Fractions are legal but many servers and libraries expect integers.", Fix: "Use whole seconds."},

	// Hygiene the server does not enforce.
	{ID: "exp-missing", Severity: SeverityWarning,
		Title: "exp is missing", Citation: "RFC 7523 §3: exp MUST be present",
		Why: "Without exp the token's lifetime is bounded only by this server's iat rule; other servers reject it.", Fix: "Set exp to iat + 300."},
	{ID: "lifetime-too-long", Hint: true, Severity: SeverityWarning,
		Title: "exp is more than 5 minutes after iat", Citation: "SMART Backend Services: exp no more than 5 minutes in the future",
		Why: "A long-lived assertion is worth more to a thief and is refused by stricter servers.", Fix: "Set exp at most 300 s after iat."},
	{ID: "jti-missing", Severity: SeverityWarning,
		Title: "jti is missing", Citation: "SMART Backend Services: jti is required",
		Why: "jti lets the server detect a replayed assertion.", Fix: "Set jti to a fresh random value, e.g. 128 random bits in hex."},
	{ID: "jti-short", Hint: true, Severity: SeverityInfo,
		Title: "jti is too short to be unique", Citation: "RFC 7519 §4.1.7",
		Why: "A short jti can repeat by chance and get a later assertion refused as a replay.", Fix: "Use at least 16 random characters."},
	{ID: "typ-missing", Severity: SeverityInfo,
		Title: "The header has no typ", Citation: "SMART Backend Services: typ is JWT",
		Why: "Some servers require typ: JWT.", Fix: `Add "typ": "JWT" to the header.`},
	{ID: "typ-not-jwt", Severity: SeverityWarning,
		Title: "typ is not JWT", Citation: "RFC 7519 §5.1",
		Why: "Servers that check typ expect JWT.", Fix: `Set "typ": "JWT".`},
	{ID: "jku-not-https", Hint: true, Severity: SeverityWarning,
		Title: "jku is not an https URL", Citation: "RFC 7515 §4.1.2",
		Why: "A key set fetched without TLS can be swapped in transit.", Fix: "Use an https jku equal to the registered JWKS URL, or drop it."},
	{ID: "header-embedded-key", Hint: true, Severity: SeverityWarning,
		Title: "The header carries key material (jwk, x5c or x5u)", Citation: "RFC 8725 §3.10",
		Why: "The server ignores keys offered by the token itself; trusting them would let anyone sign.", Fix: "Remove jwk, x5c and x5u; the registered key set is what counts."},
	{ID: "header-b64", Hint: true, Severity: SeverityWarning,
		Title: "The header has b64", Citation: "RFC 7797",
		Why: "Unencoded payloads are not valid for JWTs.", Fix: "Remove b64 from the header."},
	{ID: "request-form-empty", Severity: SeverityError,
		Title: "The server reads no parameters from the body", Citation: "RFC 6749 §3.2",
		Why: "A server that reads only form bodies sees an empty request when the body is JSON, text or has no Content-Type.",
		Fix: "Send the parameters as an application/x-www-form-urlencoded body."},
	{ID: "request-param-repeated", Severity: SeverityError,
		Title: "A client authentication parameter is sent more than once", Citation: "RFC 6749 §3.2: parameters MUST NOT be included more than once",
		Why: "Servers that refuse repeated parameters answer before they look at the assertion.", Fix: "Send each parameter once."},
	{ID: "request-auth-mechanisms", Severity: SeverityError,
		Title: "The client authenticates in more than one way", Citation: "RFC 6749 §2.3: the client MUST NOT use more than one authentication method",
		Why: "An Authorization header or client_secret next to client_assertion is two mechanisms, which strict servers refuse.",
		Fix: "Send only client_assertion and client_assertion_type; drop the Authorization header and client_secret."},
	{ID: "request-auth-basic", Severity: SeverityError,
		Title: "HTTP Basic authentication instead of the assertion", Citation: "RFC 7523 §2.2",
		Why: "The client is registered for private_key_jwt; a Basic header is a client_secret method it may not use.",
		Fix: "Authenticate with client_assertion and client_assertion_type instead of the Authorization header."},
	{ID: "request-client-id-mismatch", Severity: SeverityError,
		Title: "The client_id parameter differs from the assertion's sub", Citation: "RFC 7521 §4.2: client_id, when sent, identifies the same client",
		Why: "Servers that read both refuse a request whose two client identifiers disagree.", Fix: "Drop client_id or make it the client_id in iss and sub."},
	{ID: "client-unknown", Check: "the server knows the client", Severity: SeverityError,
		Title: "The client the server identifies is not the registered one", Citation: "RFC 7523 §3: sub is the client_id",
		Why: "Servers that find the client by sub (or the client_id parameter) look up whatever client that names.",
		Fix: "Set sub (and any client_id parameter) to the client_id of the registered client."},
	{ID: "kid-not-string", Check: "the kid is a string", Severity: SeverityWarning,
		Title: "The header's kid is not a string", Citation: "RFC 7515 §4.1.4: kid is a string",
		Why: "Some servers cannot parse such a header at all; others ignore the kid or find no key for it.",
		Fix: "Write the kid as a JSON string."},
	{ID: "key-set-invalid", Check: "the registered key set loads", Severity: SeverityWarning, NeedsKey: true,
		Title: "An entry of the registered key set cannot be loaded", Citation: "RFC 7517 §5",
		Why: "A server that loads the whole key set before looking for the kid fails on any broken entry, even one the token does not use.",
		Fix: "Fix or remove the broken entry in the registered key set; clientassert keys check names it."},
	{ID: "jti-replayed", Severity: SeverityError,
		Title: "The jti was already used", Citation: "RFC 7523 §3 (jti); SMART Backend Services",
		Why: "Servers that keep jtis accept each assertion once, so a token reused within its lifetime is refused.",
		Fix: "Build a new assertion, with a fresh random jti, for every token request."},
	{ID: "exp-too-far", Severity: SeverityWarning,
		Title: "exp is too far in the future", Citation: "SMART Backend Services: exp no more than 5 minutes in the future",
		Why: "Servers that bound the lifetime refuse an assertion that stays valid too long.", Fix: "Set exp to at most now + 300."},
	{ID: "aud-not-string", Severity: SeverityWarning,
		Title: "aud is an array", Citation: "SMART Backend Services: aud is the token URL",
		Why: "Servers that compare aud as one string refuse an array, even one holding the token URL.", Fix: "Send aud as the token URL string."},
	{ID: "rsa-key-too-small", Hint: true, Severity: SeverityWarning, NeedsKey: true,
		Title: "An RSA key is shorter than 2048 bits", Citation: "NIST SP 800-131A; RFC 7518 §3.3",
		Why: "Keys under 2048 bits are considered breakable.", Fix: "Generate a 2048-bit or larger RSA key, or a P-384 key."},
	{ID: "jwks-duplicate-kid", Hint: true, Severity: SeverityWarning, NeedsKey: true,
		Title: "The key set has duplicate kids", Citation: "SMART: kid SHALL be unique within the JWK Set",
		Why: "With duplicate kids the server may try the wrong key.", Fix: "Give every key in the set its own kid."},

	// What an attacker, or a leak, leaves in a token.
	{ID: "private-key-in-token", Hint: true, Severity: SeverityError,
		Title: "The token carries a private key", Citation: "RFC 7517 §4; RFC 7518 §6.2.2, §6.3.2, §6.4.1",
		Why: "A jwk in the header or the claims holds private members (d, p, q, dp, dq, qi or an oct k). Every party that sees the token, and every log it lands in, now holds that key. clientassert prints those members redacted.",
		Fix: "Treat the key as leaked: rotate it (generate a new key, register it, remove the old one) and send only public members in a jwk."},
	{ID: "aud-foreign", Hint: true, Severity: SeverityWarning,
		Title: "aud also names another audience", Citation: "RFC 8725 §3.9; RFC 7523 §3",
		Why: "An assertion whose aud lists the token URL and another audience is accepted by both: whoever receives it at the other audience can replay it here.",
		Fix: "Send aud as the token URL alone, and build one assertion per audience."},
	{ID: "jku-foreign-host", Hint: true, Severity: SeverityWarning,
		Title: "jku points at another host than the registered JWKS URL", Citation: "RFC 8725 §3.10; RFC 7515 §4.1.2",
		Why: "A verifier that trusted jku would fetch keys from wherever the token says; here that is not the host the client registered its keys on.",
		Fix: "Drop jku, or set it to the registered JWKS URL."},
	{ID: "rsa-small-exponent", Hint: true, Severity: SeverityWarning, NeedsKey: true,
		Title: "An RSA key has a small public exponent", Citation: "RFC 8017 §3.1; NIST SP 800-56B (e of at least 65537)",
		Why: "With e=3 a verifier that checks PKCS#1 v1.5 padding loosely accepts signatures anyone can forge (Bleichenbacher 2006).",
		Fix: "Generate a new RSA key with e=65537 (AQAB) and register it in place of this one."},
}
