package doctor

import (
	"errors"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
)

func fixtureSet(t *testing.T, name string) *keys.Set {
	t.Helper()
	set, err := keys.Parse(fixture(t, "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestVerify(t *testing.T) {
	jwks := fixtureSet(t, "jwks.json")
	for _, c := range []struct {
		token    string
		clientID string
		failed   string
		desc     string
		detail   string
	}{
		{"valid-rs384", clientID, "", "", ""},
		{"valid-es384", "", "", "", ""},
		{"kid-unknown", clientID, "kid-not-found", catalog.DescPublicKeyNotFound, `no key in the key set has kid "rsa-2025-01"`},
		{"wrong-signer", clientID, "signature-invalid", catalog.DescSignatureFailed, `does not verify with key "rsa-2026-11"`},
		{"iss-other-client", clientID, "iss-client-id", catalog.DescPublicKeyNotFound, `iss is "my-api-key" but the client_id is "` + clientID + `"`},
		{"no-kid", clientID, "kid-missing", catalog.DescKidRequired, "no kid"},
		{"alg-rs256", clientID, "alg-not-allowed", catalog.DescAlgNotWhitelisted, "accepts RS384 or ES384"},
		{"es384-on-rsa-kid", clientID, "key-alg-mismatch", catalog.KeyDoesNotSupport("ES384"), "cannot verify ES384"},
		{"two-segments", clientID, "jwt-segments", catalog.DescThreeComponents, "2 parts"},
		// The server looks for the kid before it looks up the client.
		{"no-kid", "another-client", "kid-missing", catalog.DescKidRequired, "no kid"},
	} {
		t.Run(c.token, func(t *testing.T) {
			res := Verify(VerifyInput{Token: string(fixture(t, "tokens", c.token+".jwt")), ClientID: c.clientID,
				Profile: redox(t), Keys: jwks, KeySource: "jwks.json"})
			if len(res.Steps) != len(chainSteps(redox(t))) {
				t.Fatalf("steps %+v", res.Steps)
			}
			if c.failed == "" {
				if !res.Verified || res.Key == nil {
					t.Fatalf("not verified: %+v", res.Steps)
				}
				if res.Key.Thumbprint == "" || res.Key.KID == "" {
					t.Errorf("key %+v", res.Key)
				}
				return
			}
			if res.Verified || res.FailedStep != c.failed {
				t.Fatalf("failed step %q, want %q: %+v", res.FailedStep, c.failed, res.Steps)
			}
			seenFail := false
			for _, s := range res.Steps {
				switch {
				case s.ID == c.failed:
					seenFail = true
					if s.Status != StepFail || s.ErrorDescription == nil || *s.ErrorDescription != c.desc || !strings.Contains(s.Detail, c.detail) {
						t.Errorf("step %+v, want description %q and detail %q", s, c.desc, c.detail)
					}
				case seenFail && s.Status != StepNotReached:
					t.Errorf("step %s after the failure is %s", s.ID, s.Status)
				case !seenFail && s.Status != StepPass:
					t.Errorf("step %s before the failure is %s", s.ID, s.Status)
				}
			}
		})
	}
}

func TestVerifySingleKeyWithoutKID(t *testing.T) {
	priv := fixtureSet(t, "rsa.pem")
	res := Verify(VerifyInput{Token: string(fixture(t, "tokens", "valid-rs384.jwt")), Profile: redox(t), Keys: priv, KeySource: "rsa.pem", SingleKey: true})
	if !res.Verified || res.Key.KID != "rsa-2026-11" || len(res.Notes) != 1 {
		t.Fatalf("%+v", res)
	}
}

func TestVerifyKeySetUnavailable(t *testing.T) {
	fetchErr := &jwksfetch.Error{Kind: jwksfetch.KindStatus, Status: 404, Msg: "https://example.com/jwks.json answered HTTP 404 Not Found", Hint: "check the URL"}
	res := Verify(VerifyInput{Token: string(fixture(t, "tokens", "valid-rs384.jwt")), Profile: redox(t), KeysErr: fetchErr, KeySource: "https://example.com/jwks.json"})
	if res.FailedStep != "kid-not-found" {
		t.Fatalf("%+v", res.Steps)
	}
	var step VerifyStep
	for _, s := range res.Steps {
		if s.ID == res.FailedStep {
			step = s
		}
	}
	if !strings.Contains(step.Detail, "HTTP 404") || step.Fix != "check the URL" {
		t.Errorf("%+v", step)
	}
	if !errors.Is(fetchErr, jwksfetch.ErrStatus) {
		t.Error("sentinel")
	}
}

// TestVerifyHeaderArray: jose 2.x decodes a header of [] as an object with no
// members, so the server answers that the kid is missing, not that the token
// is malformed.
func TestVerifyHeaderArray(t *testing.T) {
	parts := strings.Split(strings.TrimSpace(string(fixture(t, "tokens", "valid-rs384.jwt"))), ".")
	tok := "W10." + parts[1] + "." + parts[2]
	res := Verify(VerifyInput{Token: tok, ClientID: clientID, Profile: redox(t), Keys: fixtureSet(t, "jwks.json"), KeySource: "jwks.json"})
	if res.FailedStep != "kid-missing" {
		t.Fatalf("failed step %q: %+v", res.FailedStep, res.Steps)
	}
}
