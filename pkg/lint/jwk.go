package lint

import (
	"fmt"

	"github.com/clientassert/clientassert/pkg/keys"
)

// checkRegisteredKey mirrors the library loading the registered JWK before
// it verifies anything: malformed use, alg, key_ops or x5c members make it
// refuse the key.
func (s *state) checkRegisteredKey() {
	if s.key == nil || s.key.Raw == nil {
		return
	}
	step, vars, msg := jwkLoadProblem(s.key)
	if msg == "" {
		return
	}
	s.fail("registered-key-invalid", step, fmt.Sprintf("the registered key %s cannot be loaded: %s", kidLabel(s.key), msg), vars...)
	s.step("registered-key", "fail", msg)
	s.key = nil
	s.keyUnusable = true
}

// jwkLoadProblem returns the model step, its template values and an
// explanation when the
// library would refuse jwk, or "" and "" when it loads.
func jwkLoadProblem(k *keys.Key) (step string, vars []string, msg string) {
	jwk := k.Raw
	use, hasUse := jwk["use"]
	useStr, _ := use.(string)
	if hasUse && useStr != "sig" && useStr != "enc" {
		return "registered-key-invalid", nil, fmt.Sprintf("use is %s; only \"sig\" or \"enc\" are allowed", compactJSON(use))
	}
	if alg, ok := jwk["alg"]; ok {
		if str, _ := alg.(string); str == "" {
			return "registered-key-invalid", nil, fmt.Sprintf("alg is %s; it must be a non-empty string", compactJSON(alg))
		}
	}
	if kid, ok := jwk["kid"]; ok {
		if str, _ := kid.(string); str == "" {
			return "registered-key-invalid", nil, fmt.Sprintf("kid is %s; it must be a non-empty string", compactJSON(kid))
		}
	}
	if ops, ok := jwk["key_ops"]; ok {
		list, isList := ops.([]any)
		if !isList || len(list) == 0 {
			return "registered-key-invalid", nil, fmt.Sprintf("key_ops is %s; it must be a non-empty array of strings", compactJSON(ops))
		}
		names := make([]string, len(list))
		for i, o := range list {
			str, isString := o.(string)
			if !isString {
				return "registered-key-invalid", nil, fmt.Sprintf("key_ops is %s; it must be a non-empty array of strings", compactJSON(ops))
			}
			names[i] = str
		}
		if hasUse && keys.InconsistentUse(useStr, names) {
			return "registered-key-inconsistent-use", nil, fmt.Sprintf("use %q contradicts key_ops %s", useStr, compactJSON(ops))
		}
	}
	if x5c, ok := jwk["x5c"]; ok {
		list, isList := x5c.([]any)
		if !isList || len(list) == 0 {
			return "registered-key-invalid", nil, fmt.Sprintf("x5c is %s; it must be an array of certificates", compactJSON(x5c))
		}
		// The first entry that is not a certificate, in order: either not a
		// string at all, or not base64 DER.
		if _, bad := k.X5C(); bad >= 0 {
			if _, isString := list[bad].(string); !isString {
				return "registered-key-invalid", nil, fmt.Sprintf("x5c[%d] is %s, not a string", bad, compactJSON(list[bad]))
			}
			return "registered-key-x5c", []string{"index", fmt.Sprint(bad)}, fmt.Sprintf("x5c[%d] is not a base64 DER certificate", bad)
		}
	}
	return "", nil, ""
}
