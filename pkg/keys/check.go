package keys

import (
	"crypto/rsa"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one finding of Check.
type Problem struct {
	Rule     string `json:"rule"`     // stable kebab-case id
	Severity string `json:"severity"` // "error", "warning" or "info"
	KID      string `json:"kid,omitempty"`
	Index    int    `json:"index"` // the key's position; -1 for the set as a whole
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// Severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Rule ids. They are a contract with scripts: never rename one.
const (
	RuleEmptySet              = "empty-set"
	RuleMissingKty            = "missing-kty"
	RuleUnsupportedKty        = "unsupported-kty"
	RuleUnsupportedCrv        = "unsupported-crv"
	RuleMissingKID            = "missing-kid"
	RuleDuplicateKID          = "duplicate-kid"
	RulePrivateMembers        = "private-members"
	RuleRSATooSmall           = "rsa-too-small"
	RuleUseNotSig             = "use-not-sig"
	RuleKeyOpsNotVerify       = "key-ops-not-verify"
	RuleUseKeyOpsInconsistent = "use-key-ops-inconsistent"
	RuleAlgNotSigning         = "alg-not-signing"
	RuleCurveAlgMismatch      = "curve-alg-mismatch"
	RuleKtyAlgMismatch        = "kty-alg-mismatch"
	RuleNoMatch               = "no-match" // reported by callers of Match
	RuleKeyStoreLoadFails     = "keystore-load-fails"
	RuleRSATooLarge           = "rsa-too-large"
	RuleRSASmallExponent      = "rsa-small-exponent"
	RuleAlgNotAccepted        = "alg-not-accepted"
)

// signingFamily returns the key type a JWS signing alg of RFC 7518 (and
// RFC 8037, 8812) needs, and false for an alg that does not sign.
func signingFamily(alg string) (string, bool) {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return "RSA", true
	case "ES256", "ES384", "ES512", "ES256K":
		return "EC", true
	case "HS256", "HS384", "HS512":
		return "oct", true
	case "EdDSA":
		return "OKP", true
	}
	return "", false
}

// suggestedAlg is the alg to name in a fix for each key type.
func suggestedAlg(k *Key) string {
	switch k.Kty {
	case "RSA":
		return "RS384"
	case "EC":
		if a := curveAlg(k.Crv); a != "" {
			return a
		}
		return "ES384"
	case "OKP":
		return "EdDSA"
	case "oct":
		return "HS384"
	}
	return "RS384"
}

// Check applies the hygiene rules for a published JWKS and returns what it
// finds, key by key in order, set-wide findings first. Rules that only make
// sense for JSON input (kid, kty) are skipped for keys read from PEM.
func Check(set *Set) []Problem {
	return CheckForAlgs(set, nil)
}

// CheckForAlgs is Check for a server that accepts only algs (a profile's
// algorithms): it adds a finding for each key that can verify none of
// them. With no algs it is Check.
func CheckForAlgs(set *Set, algs []string) []Problem {
	var out []Problem
	if set == nil || len(set.Keys) == 0 {
		return []Problem{{
			Rule: RuleEmptySet, Severity: SeverityError, Index: -1,
			Message: "the key set holds no keys",
			Fix:     "add your public key: clientassert keys jwks KEY > jwks.json",
		}}
	}
	for _, kid := range set.DuplicateKIDs() {
		same := set.ByKID(kid)
		idx := make([]string, len(same))
		for i, k := range same {
			idx[i] = fmt.Sprint(k.Index)
		}
		out = append(out, Problem{
			Rule: RuleDuplicateKID, Severity: SeverityError, KID: kid, Index: same[1].Index,
			Message: fmt.Sprintf("kid %q is used by keys %s; the server cannot tell which one verifies", kid, strings.Join(idx, ", ")),
			Fix:     "give every key its own kid, e.g. its thumbprint (clientassert keys thumbprint KEY)",
		})
	}
	if e := set.keyStoreLoadError(); e != nil {
		index := e.Index
		said := "it answers every token for this client with an empty error_description"
		if e.JOSEError {
			said = "it answers every token for this client with " + strconv.Quote(e.Message)
		}
		out = append(out, Problem{
			Rule: RuleKeyStoreLoadFails, Severity: SeverityError, KID: e.KID, Index: index,
			Message: fmt.Sprintf("%s; the server loads the whole set, so %s, whichever key signs it", e.Error(), said),
			Fix:     keyStoreFix(index),
		})
	}
	// A key the server cannot use is an error when it leaves the set with
	// no usable key, and a warning beside keys that work.
	algSeverity := SeverityWarning
	if len(algs) > 0 && !anyUsable(set, algs) {
		algSeverity = SeverityError
	}
	for _, k := range set.Keys {
		out = append(out, checkKey(k)...)
		if len(algs) > 0 {
			out = append(out, checkAlgs(k, algs, algSeverity)...)
		}
	}
	return out
}

func anyUsable(set *Set, algs []string) bool {
	for _, k := range set.Keys {
		for _, alg := range algs {
			if ok, _ := k.SupportsVerify(alg); ok {
				return true
			}
		}
	}
	return false
}

// checkAlgs reports a key whose type or curve verifies none of the algs
// the server accepts. Keys held back by their use, key_ops, alg or size
// are left to the rules that say so.
func checkAlgs(k *Key, algs []string, severity string) []Problem {
	fits := false
	switch k.Kty {
	case "RSA":
		for _, alg := range algs {
			_, rsaAlg := rsaMinBits(alg)
			fits = fits || rsaAlg
		}
	case "EC":
		fits = curveAlg(k.Crv) == "" || slices.Contains(algs, curveAlg(k.Crv))
	case "OKP":
		fits = k.Crv != "Ed25519" // other curves have their own finding
	default:
		fits = true
	}
	if fits {
		return nil
	}
	return []Problem{{
		Rule: RuleAlgNotAccepted, Severity: severity, KID: k.KID, Index: k.Index,
		Message: fmt.Sprintf("%s is an %s key, which can verify none of the algs the server accepts (%s)", k.label(), k.Describe(), strings.Join(algs, ", ")),
		Fix:     fmt.Sprintf("use a key for one of %s: clientassert keys generate --alg %s ...", strings.Join(algs, ", "), algs[0]),
	}}
}

// SmallExponent reports whether k is an RSA key whose public exponent is
// below 65537 (e=3 above all), and the exponent.
func SmallExponent(k *Key) (int, bool) {
	pub, ok := k.Public.(*rsa.PublicKey)
	if !ok || k.Kty != "RSA" {
		return 0, false
	}
	return pub.E, pub.E < 65537
}

func checkKey(k *Key) []Problem {
	var out []Problem
	add := func(rule, sev, msg, fix string) {
		out = append(out, Problem{Rule: rule, Severity: sev, KID: k.KID, Index: k.Index, Message: msg, Fix: fix})
	}
	fromJSON := k.Raw != nil
	who := k.label()

	switch {
	case k.Kty == "" && fromJSON:
		add(RuleMissingKty, SeverityError, who+" has no kty",
			`add "kty": "RSA" or "EC" with the members that go with it`)
	case k.Kty != "" && !knownKty(k.Kty):
		add(RuleUnsupportedKty, SeverityError, fmt.Sprintf("%s has kty %q, which is not a JWK key type", who, k.Kty),
			`use "kty": "RSA" (RS384) or "EC" (ES384)`)
	case k.Kty == "EC" && curveAlg(k.Crv) == "":
		add(RuleUnsupportedCrv, SeverityError, fmt.Sprintf("%s uses EC curve %q, which cannot verify ES256, ES384 or ES512", who, k.Crv),
			"use a P-384 key (ES384): clientassert keys generate --alg ES384 ...")
	case k.Kty == "OKP" && k.Crv != "Ed25519":
		add(RuleUnsupportedCrv, SeverityError, fmt.Sprintf("%s uses OKP curve %q, which cannot sign JWTs here", who, k.Crv),
			"use an RSA (RS384) or EC P-384 (ES384) key")
	}

	if fromJSON && k.KID == "" {
		fix := `add a "kid" and send the same value in the JWT header`
		if tp, err := Thumbprint(k); err == nil {
			fix = fmt.Sprintf(`add "kid": %q (its thumbprint) and send the same kid in the JWT header`, tp)
		}
		add(RuleMissingKID, SeverityError, who+" has no kid; Redox requires one and picks the key by the kid in the JWT header", fix)
	}

	if k.HasPrivate {
		switch {
		case k.Kty == "oct":
			add(RulePrivateMembers, SeverityError, who+" is a shared secret (k); a JWKS is public and must never hold one",
				"remove the key from the JWKS and rotate the secret")
		case fromJSON:
			var names []string
			for _, n := range privateMembers {
				if _, has := k.Raw[n]; has {
					names = append(names, n)
				}
			}
			add(RulePrivateMembers, SeverityError,
				fmt.Sprintf("%s holds private members (%s); anyone who reads the JWKS can sign as you", who, strings.Join(names, ", ")),
				"publish only the public half (clientassert keys jwks KEY), and rotate the key if this JWKS was ever shared")
		default:
			add(RulePrivateMembers, SeverityError, who+" is a private key; a JWKS must hold only public keys",
				"publish only the public half: clientassert keys jwks KEY")
		}
	}

	if e, small := SmallExponent(k); small {
		add(RuleRSASmallExponent, SeverityWarning,
			fmt.Sprintf("%s has public exponent %d; small exponents such as 3 turn signature-forgery bugs in verifiers into attacks", who, e),
			"generate a new key (exponent 65537): clientassert keys generate --alg RS384 ...")
	}
	if k.Kty == "RSA" && k.Bits > 0 {
		switch {
		case k.Bits > MaxRSABits:
			add(RuleRSATooLarge, SeverityError,
				fmt.Sprintf("%s is a %d-bit RSA key; the server's crypto refuses moduli over %d bits, so nothing verifies with it", who, k.Bits, MaxRSABits),
				"generate a 2048- to 4096-bit key: clientassert keys generate --alg RS384 ...")
		case k.Bits < 1024:
			msg := fmt.Sprintf("%s is a %d-bit RSA key; keys under 1024 bits can be factored", who, k.Bits)
			if minRS384, _ := rsaMinBits("RS384"); k.Bits < minRS384 {
				msg = fmt.Sprintf("%s is a %d-bit RSA key; it is too small to verify RS384 (%d bits at least) and can be factored", who, k.Bits, minRS384)
			}
			add(RuleRSATooSmall, SeverityError, msg,
				"generate a new key of at least 2048 bits: clientassert keys generate --alg RS384 ...")
		case k.Bits < 2048:
			add(RuleRSATooSmall, SeverityWarning,
				fmt.Sprintf("%s is a %d-bit RSA key; 2048 bits is the accepted minimum", who, k.Bits),
				"generate a new key of at least 2048 bits: clientassert keys generate --alg RS384 ...")
		}
	}

	switch k.Use {
	case "", "sig":
	case "enc":
		add(RuleUseNotSig, SeverityError,
			fmt.Sprintf("%s has use \"enc\"; the server verifies only with keys whose use is \"sig\" or absent", who),
			`set "use": "sig", or remove "use"`)
	default:
		add(RuleUseNotSig, SeverityError,
			fmt.Sprintf("%s has use %q, which is neither \"sig\" nor \"enc\"; the server's JOSE library refuses such a key", who, k.Use),
			`set "use": "sig", or remove "use"`)
	}
	if k.Use != "" && len(k.KeyOps) > 0 && InconsistentUse(k.Use, k.KeyOps) {
		add(RuleUseKeyOpsInconsistent, SeverityError,
			fmt.Sprintf("%s has use %q but key_ops [%s]; the server's JOSE library refuses a key whose use and key_ops disagree", who, k.Use, strings.Join(k.KeyOps, ", ")),
			`remove key_ops and keep "use": "sig"`)
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify") {
		add(RuleKeyOpsNotVerify, SeverityError,
			fmt.Sprintf("%s has key_ops [%s] without \"verify\"; the server will not verify with it", who, strings.Join(k.KeyOps, ", ")),
			`add "verify" to key_ops, or remove key_ops`)
	}

	if k.Alg != "" {
		family, signing := signingFamily(k.Alg)
		switch {
		case !signing:
			add(RuleAlgNotSigning, SeverityError,
				fmt.Sprintf("%s has alg %q, which is not a JWS signing alg", who, k.Alg),
				fmt.Sprintf(`set "alg": %q, or remove "alg"`, suggestedAlg(k)))
		case k.Kty == "EC" && family == "EC" && curveAlg(k.Crv) != "" && curveAlg(k.Crv) != k.Alg:
			add(RuleCurveAlgMismatch, SeverityError,
				fmt.Sprintf("%s is an EC %s key but has alg %s; %s signs only %s", who, k.Crv, k.Alg, k.Crv, curveAlg(k.Crv)),
				fmt.Sprintf(`set "alg": %q, or use a key on the curve %s needs`, curveAlg(k.Crv), k.Alg))
		case knownKty(k.Kty) && family != k.Kty:
			add(RuleKtyAlgMismatch, SeverityError,
				fmt.Sprintf("%s is an %s key but has alg %s, which needs an %s key", who, k.Describe(), k.Alg, family),
				fmt.Sprintf(`set "alg": %q, or remove "alg"`, suggestedAlg(k)))
		}
	}
	return out
}

// InconsistentUse reports whether key_ops name an operation that belongs
// to another use than use.
func InconsistentUse(use string, ops []string) bool {
	for _, op := range ops {
		if u := opUse(op); u != "" && u != use {
			return true
		}
	}
	return false
}

// opUse is the use a key operation belongs to (RFC 7517 §4.3; jose 2.x
// lib/help/consts.js), "" for an operation the library does not know.
func opUse(op string) string {
	switch op {
	case "sign", "verify":
		return "sig"
	case "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey":
		return "enc"
	}
	return ""
}

func knownKty(kty string) bool {
	return kty == "RSA" || kty == "EC" || kty == "OKP" || kty == "oct"
}

// HasErrors reports whether any problem has error severity.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Match returns the entries of set that hold the public half of priv.
func Match(set *Set, priv *Key) []*Key {
	if set == nil || priv == nil {
		return nil
	}
	var out []*Key
	for _, k := range set.Keys {
		if samePublic(k, priv) {
			out = append(out, k)
		}
	}
	return out
}

func keyStoreFix(index int) string {
	if index < 0 {
		return `give every entry a "kty": the server refuses the set as a whole`
	}
	return fmt.Sprintf("fix or remove key %d: the server refuses the set as a whole", index)
}
