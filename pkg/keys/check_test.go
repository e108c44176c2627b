package keys

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// finding is what a test asserts about a Problem.
type finding struct {
	index    int
	rule     string
	severity string
}

func findings(ps []Problem) []finding {
	out := make([]finding, len(ps))
	for i, p := range ps {
		out[i] = finding{p.Index, p.Rule, p.Severity}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].index != out[j].index {
			return out[i].index < out[j].index
		}
		return out[i].rule < out[j].rule
	})
	return out
}

func TestCheckBadJWKS(t *testing.T) {
	// Keep in step with the comments in testdata/gen.go.
	want := []finding{
		{-1, RuleKeyStoreLoadFails, SeverityError}, // key 6 has no kty
		{0, RulePrivateMembers, SeverityError},
		{2, RuleCurveAlgMismatch, SeverityError},
		{2, RuleDuplicateKID, SeverityError},
		{3, RuleRSATooSmall, SeverityError},
		{4, RuleRSATooSmall, SeverityWarning},
		{4, RuleUseNotSig, SeverityError},
		{5, RuleKeyOpsNotVerify, SeverityError},
		{5, RuleMissingKID, SeverityError},
		{6, RuleMissingKty, SeverityError},
		{7, RuleUnsupportedKty, SeverityError},
		{8, RuleAlgNotSigning, SeverityError},
		{9, RuleKtyAlgMismatch, SeverityError},
		{10, RulePrivateMembers, SeverityError},
		{11, RuleUnsupportedCrv, SeverityError},
	}
	got := findings(Check(parseFixture(t, "jwks.bad.json")))
	if !slices.Equal(got, want) {
		t.Errorf("Check found\n%v\nwant\n%v", got, want)
	}
}

func TestCheckClean(t *testing.T) {
	for _, f := range []string{"jwks.good.json", "rsa2048.pub.jwk", "ec384.spki.pem", "rsa2048.cert.pem"} {
		ps := Check(parseFixture(t, f))
		// A JWK without kid, or a PEM key, gets no complaint it cannot fix
		// by itself, except the missing kid of a JWK.
		for _, p := range ps {
			if !(f == "rsa2048.pub.jwk" && p.Rule == RuleMissingKID) {
				t.Errorf("%s: unexpected %s: %s", f, p.Rule, p.Message)
			}
		}
	}
}

// One small JWKS per rule, so a failure names the rule.
func TestCheckRules(t *testing.T) {
	rsa2048 := parseFixture(t, "rsa2048.pub.jwk").Keys[0].Raw
	ec384 := parseFixture(t, "ec384.spki.pem").Keys[0].PublicJWK()
	rsaWith := func(extra string) string {
		return fmt.Sprintf(`{"kty":"RSA","n":%q,"e":"AQAB"%s}`, rsa2048["n"], extra)
	}
	ecWith := func(extra string) string {
		return fmt.Sprintf(`{"kty":"EC","crv":"P-384","x":%q,"y":%q%s}`, ec384["x"], ec384["y"], extra)
	}
	jwks := func(keys ...string) string { return `{"keys":[` + strings.Join(keys, ",") + `]}` }
	tests := []struct {
		name  string
		input string
		want  []finding
	}{
		{"empty-set", `{"keys":[]}`, []finding{{-1, RuleEmptySet, SeverityError}}},
		{"missing-kid", jwks(rsaWith("")), []finding{{0, RuleMissingKID, SeverityError}}},
		{"missing-kty", jwks(`{"kid":"a"}`), []finding{{0, RuleMissingKty, SeverityError}}},
		{"unsupported-kty", jwks(`{"kid":"a","kty":"DSA"}`), []finding{{0, RuleUnsupportedKty, SeverityError}}},
		{"unsupported-crv ec", jwks(`{"kid":"a","kty":"EC","crv":"P-192","x":"AA","y":"AA"}`), []finding{{0, RuleUnsupportedCrv, SeverityError}}},
		{"unsupported-crv okp", jwks(`{"kid":"a","kty":"OKP","crv":"X25519","x":"AA"}`), []finding{{0, RuleUnsupportedCrv, SeverityError}}},
		{"duplicate-kid", jwks(rsaWith(`,"kid":"a"`), ecWith(`,"kid":"b"`), ecWith(`,"kid":"a"`)),
			[]finding{{2, RuleDuplicateKID, SeverityError}}},
		{"private-members", jwks(string(readFixture(t, "ec384.jwk"))), []finding{{0, RulePrivateMembers, SeverityError}}},
		{"private-members oct", jwks(`{"kid":"a","kty":"oct","k":"AAAA"}`), []finding{{0, RulePrivateMembers, SeverityError}}},
		{"private-members pem", string(readFixture(t, "ec384.pkcs8.pem")), []finding{{0, RulePrivateMembers, SeverityError}}},
		{"rsa-too-small 512", string(readFixture(t, "rsa512.spki.pem")), []finding{{0, RuleRSATooSmall, SeverityError}}},
		{"rsa-too-small 1024", string(readFixture(t, "rsa1024.spki.pem")), []finding{{0, RuleRSATooSmall, SeverityWarning}}},
		{"use-not-sig", jwks(rsaWith(`,"kid":"a","use":"enc"`)), []finding{{0, RuleUseNotSig, SeverityError}}},
		{"use unknown", jwks(rsaWith(`,"kid":"a","use":"signature"`)), []finding{{0, RuleUseNotSig, SeverityError}}},
		{"use sig", jwks(rsaWith(`,"kid":"a","use":"sig"`)), nil},
		{"key-ops-not-verify", jwks(rsaWith(`,"kid":"a","key_ops":["sign"]`)), []finding{{0, RuleKeyOpsNotVerify, SeverityError}}},
		{"key-ops empty", jwks(rsaWith(`,"kid":"a","key_ops":[]`)), []finding{{0, RuleKeyOpsNotVerify, SeverityError}}},
		{"use-key-ops-inconsistent", jwks(rsaWith(`,"kid":"a","use":"sig","key_ops":["verify","encrypt"]`)), []finding{{0, RuleUseKeyOpsInconsistent, SeverityError}}},
		{"use enc with verify", jwks(rsaWith(`,"kid":"a","use":"enc","key_ops":["verify"]`)),
			[]finding{{0, RuleUseKeyOpsInconsistent, SeverityError}, {0, RuleUseNotSig, SeverityError}}},
		{"use sig with sign+verify", jwks(rsaWith(`,"kid":"a","use":"sig","key_ops":["sign","verify"]`)), nil},
		{"key-ops verify", jwks(rsaWith(`,"kid":"a","key_ops":["verify"]`)), nil},
		{"alg-not-signing", jwks(rsaWith(`,"kid":"a","alg":"RSA-OAEP-256"`)), []finding{{0, RuleAlgNotSigning, SeverityError}}},
		{"alg none", jwks(rsaWith(`,"kid":"a","alg":"none"`)), []finding{{0, RuleAlgNotSigning, SeverityError}}},
		{"curve-alg-mismatch", jwks(ecWith(`,"kid":"a","alg":"ES256"`)), []finding{{0, RuleCurveAlgMismatch, SeverityError}}},
		{"kty-alg-mismatch ec", jwks(ecWith(`,"kid":"a","alg":"RS384"`)), []finding{{0, RuleKtyAlgMismatch, SeverityError}}},
		{"kty-alg-mismatch rsa", jwks(rsaWith(`,"kid":"a","alg":"HS384"`)), []finding{{0, RuleKtyAlgMismatch, SeverityError}}},
		{"alg matches", jwks(ecWith(`,"kid":"a","alg":"ES384"`), rsaWith(`,"kid":"b","alg":"PS512"`)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Check(mustParse(t, tt.input))
			// Whole-set load failures have their own test.
			got := slices.DeleteFunc(findings(ps), func(f finding) bool { return f.rule == RuleKeyStoreLoadFails })
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for _, p := range ps {
				if p.Message == "" || p.Fix == "" || strings.HasSuffix(p.Message, ".") || strings.Contains(p.Message, "\n") {
					t.Errorf("%s: message %q / fix %q not in house style", p.Rule, p.Message, p.Fix)
				}
			}
			if HasErrors(ps) != slices.ContainsFunc(tt.want, func(f finding) bool { return f.severity == SeverityError }) {
				t.Errorf("HasErrors disagrees with the findings")
			}
		})
	}
}

func TestCheckMissingKIDSuggestsThumbprint(t *testing.T) {
	set := parseFixture(t, "rsa2048.pub.jwk")
	tp, _ := Thumbprint(set.Keys[0])
	ps := Check(set)
	if len(ps) != 1 || !strings.Contains(ps[0].Fix, tp) {
		t.Errorf("fix does not name the thumbprint %s: %+v", tp, ps)
	}
}

func TestCheckNeverLeaksSecrets(t *testing.T) {
	set := parseFixture(t, "jwks.bad.json")
	secrets := []string{set.Keys[0].Raw["d"].(string), set.Keys[10].Raw["k"].(string)}
	for _, p := range Check(set) {
		for _, s := range secrets {
			if strings.Contains(p.Message+p.Fix, s) {
				t.Errorf("%s repeats a secret", p.Rule)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	good := parseFixture(t, "jwks.good.json")
	tests := []struct {
		file string
		want []int
	}{
		{"rsa2048.pkcs1.pem", []int{0}},
		{"rsa2048.jwk", []int{0}},
		{"ec384.jwk", []int{1}},
		{"ec384.pkcs8.pem", []int{1}},
		{"ec256.sec1.pem", nil},
		{"rsa1024.pkcs1.pem", nil},
		{"ed25519.pkcs8.pem", nil},
	}
	for _, tt := range tests {
		var got []int
		for _, k := range Match(good, parseFixture(t, tt.file).Keys[0]) {
			got = append(got, k.Index)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Match = %v, want %v", tt.file, got, tt.want)
		}
	}
	// oct keys match by secret, in constant time.
	oct := parseFixture(t, "oct.jwk")
	if len(Match(oct, oct.Keys[0])) != 1 {
		t.Error("oct key does not match itself")
	}
	if len(Match(oct, mustParse(t, `{"kty":"oct","k":"AAAA"}`).Keys[0])) != 0 {
		t.Error("different oct keys match")
	}
	if Match(nil, oct.Keys[0]) != nil || Match(good, nil) != nil {
		t.Error("Match with nil input found keys")
	}
}
