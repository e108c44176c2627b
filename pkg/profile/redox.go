package profile

import "github.com/clientassert/clientassert/pkg/catalog"

// redoxSteps is Redox's token endpoint: its documented request checks, then
// panva/jose 2.0.7 (JWT.verify against a key found from iss and kid), in the
// order the differential test against jose 2.0.7 established.
func redoxSteps() []Step {
	bad := func(id, desc, entry string) Step {
		return Step{ID: id, Outcome: Outcome{Status: 400, Error: "invalid_request", Description: desc, Entry: entry}}
	}
	return []Step{
		bad("request-content-type", catalog.DescContentType, "content-type-required"),
		bad("request-grant-type-missing", catalog.DescGrantTypeMissing, "grant-type-missing"),
		bad("request-grant-type-invalid", catalog.DescGrantTypeInvalid, "grant-type-invalid"),
		bad("request-grant-type-not-allowed", catalog.DescGrantTypeInvalid, "grant-type-invalid"),
		bad("request-assertion-type-missing", catalog.DescAssertionTypeMiss, "assertion-type-missing"),
		bad("request-assertion-type-invalid", catalog.DescAssertionTypeBad, "assertion-type-invalid"),
		bad("request-assertion-missing", catalog.DescAssertionMissing, "assertion-missing"),
		bad("request-assertion-repeated", catalog.DescBlank, "blank-description"),
		bad("jwt-segments", catalog.DescThreeComponents, "three-components"),
		bad("jwt-encrypted", catalog.DescBlank, "blank-description"),
		bad("jwt-header-malformed", catalog.DescMalformed, "malformed"),
		bad("jwt-payload-malformed", catalog.DescMalformed, "malformed"),
		bad("jwt-header-null", catalog.DescBlank, "blank-description"),
		bad("kid-missing", catalog.DescKidRequired, "kid-required"),
		bad("jwt-payload-null", catalog.DescBlank, "blank-description"),
		bad("iss-missing", catalog.DescPublicKeyNotFound, "public-key-not-found"),
		bad("iss-client-id", catalog.DescPublicKeyNotFound, "public-key-not-found"),
		bad("key-set-invalid", "{message}", "registered-key-invalid"),
		bad("kid-not-found", catalog.DescPublicKeyNotFound, "public-key-not-found"),
		bad("registered-key-invalid", catalog.DescBlank, "blank-description"),
		bad("registered-key-inconsistent-use", catalog.DescJWKInconsistentUse, "registered-key-invalid"),
		bad("registered-key-x5c", "`x5c` member at index {index} is not a valid base64-encoded DER PKIX certificate", "registered-key-invalid"),
		bad("crit-not-array", catalog.DescCritNotArray, "crit-header"),
		bad("crit-defined", catalog.CritDefined("{name}"), "crit-header"),
		bad("crit-not-understood", catalog.CritNotUnderstood("{name}"), "crit-header"),
		bad("alg-missing", catalog.DescAlgMissing, "alg-missing"),
		bad("alg-none", catalog.DescAlgNotWhitelisted, "alg-not-whitelisted"),
		bad("alg-hmac-confusion", catalog.DescAlgNotWhitelisted, "alg-not-whitelisted"),
		bad("alg-not-allowed", catalog.DescAlgNotWhitelisted, "alg-not-whitelisted"),
		bad("key-alg-mismatch", catalog.KeyDoesNotSupport("{alg}"), "key-does-not-support-alg"),
		bad("key-use-mismatch", catalog.KeyDoesNotSupport("{alg}"), "key-does-not-support-alg"),
		bad("signature-invalid", catalog.DescSignatureFailed, "signature-failed"),
		bad("iat-missing", catalog.DescIatMissing, "iat-missing"),
		bad("iat-type", catalog.NotNumeric("iat"), "claim-not-numeric"),
		bad("exp-type", catalog.NotNumeric("exp"), "claim-not-numeric"),
		bad("nbf-type", catalog.NotNumeric("nbf"), "claim-not-numeric"),
		bad("jti-type", catalog.NotString("jti"), "claim-not-string"),
		bad("jti-empty", catalog.NotString("jti"), "claim-not-string"),
		bad("iss-type", catalog.NotStringOrArray("iss"), "claim-not-string-or-array"),
		bad("sub-type", catalog.NotString("sub"), "claim-not-string"),
		bad("aud-missing", `"aud" claim is missing`, "claim-missing"),
		bad("aud-type", catalog.NotStringOrArray("aud"), "claim-not-string-or-array"),
		bad("typ-type", catalog.DescTypNotString, "typ-not-string"),
		bad("aud-mismatch", catalog.UnexpectedClaim("aud"), "unexpected-aud"),
		bad("aud-list-mismatch", catalog.UnexpectedClaim("aud"), "unexpected-aud"),
		bad("iat-future-early", catalog.DescIatFuture, "iat-future"),
		bad("nbf-future", catalog.DescNbfFailed, "nbf-future"),
		bad("exp-expired", catalog.DescExpFailed, "exp-expired"),
		bad("iat-too-old", catalog.DescIatTooOld, "iat-too-old"),
		bad("iat-future", catalog.DescIatFuture, "iat-future"),
	}
}
