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
		{"kid-unknown", clientID, StepKID, catalog.DescPublicKeyNotFound, `no key with kid "rsa-2025-01"`},
		{"wrong-signer", clientID, StepSignature, catalog.DescSignatureFailed, "does not verify with key 0"},
		{"iss-other-client", clientID, StepClient, catalog.DescPublicKeyNotFound, `iss is "my-api-key", but the client_id is "` + clientID + `"`},
		{"no-kid", clientID, StepKID, catalog.DescKidRequired, "no kid"},
		{"alg-rs256", clientID, StepSignature, catalog.DescAlgNotWhitelisted, "accepts RS384 or ES384"},
		{"es384-on-rsa-kid", clientID, StepSignature, catalog.KeyDoesNotSupport("ES384"), "cannot verify ES384"},
		{"two-segments", clientID, StepDecode, catalog.DescThreeComponents, "2 parts"},
	} {
		t.Run(c.token, func(t *testing.T) {
			res := Verify(VerifyInput{Token: string(fixture(t, "tokens", c.token+".jwt")), ClientID: c.clientID,
				Profile: redox(t), Keys: jwks, KeySource: "jwks.json"})
			if len(res.Steps) != 5 {
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
	if res.FailedStep != StepKeySet {
		t.Fatalf("%+v", res.Steps)
	}
	step := res.Steps[2]
	if !strings.Contains(step.Detail, "HTTP 404") || step.Fix != "check the URL" {
		t.Errorf("%+v", step)
	}
	if !errors.Is(fetchErr, jwksfetch.ErrStatus) {
		t.Error("sentinel")
	}
}
