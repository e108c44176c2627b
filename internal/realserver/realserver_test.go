package realserver

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// assertion signs an RS384 client assertion for the server with key.
func assertion(t *testing.T, s *Server, key *rsa.PrivateKey, kid, clientID string) string {
	t.Helper()
	header, _ := json.Marshal(map[string]any{"alg": "RS384", "typ": "JWT", "kid": kid})
	now := time.Now().Unix()
	payload, _ := json.Marshal(map[string]any{
		"iss": clientID, "sub": clientID, "aud": s.TokenURL,
		"jti": fmt.Sprintf("jti-%d-%d", now, s.seq.Load()), "iat": now, "exp": now + 120,
	})
	input := b64(header) + "." + b64(payload)
	digest := sha512.Sum384([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA384, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func form(tok string) string {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {tok},
	}.Encode()
}

// TestServersAnswer starts each real server and checks the harness end to
// end: a valid assertion is accepted, and one naming an unknown kid gets the
// server's own refusal, with the reason it keeps back where it has one.
func TestServersAnswer(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS384",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	const clientID = "harness-client"
	cases := []struct {
		kind                      string
		status                    int
		body, contentType, hidden string
	}{
		{OIDCProvider, 401, `{"error":"invalid_client","error_description":"client authentication failed"}`,
			"application/json; charset=utf-8", "no applicable key found in the JSON Web Key Set"},
		{Hydra, 400, `{"error":"invalid_request","error_description":"The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The JSON Web Token uses signing key with kid 'nope', which could not be found."}`,
			"application/json;charset=UTF-8", ""},
		{Authlib, 400, `{"error": "invalid_client"}`, "application/json", ""},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			s := Start(t, c.kind, Config{ClientID: clientID, JWKS: jwks, Alg: "RS384"})

			ok := s.Post("application/x-www-form-urlencoded", form(assertion(t, s, key, "k1", clientID)))
			if ok.Status != 200 {
				t.Fatalf("valid assertion: status %d, body %q, hidden %q\nstderr:\n%s", ok.Status, ok.Body, ok.HiddenReason, s.Stderr())
			}
			var issued map[string]any
			if err := json.Unmarshal(ok.Body, &issued); err != nil || issued["access_token"] == nil {
				t.Errorf("valid assertion: body %q has no access_token", ok.Body)
			}

			bad := s.Post("application/x-www-form-urlencoded", form(assertion(t, s, key, "nope", clientID)))
			if bad.Status != c.status || string(bad.Body) != c.body {
				t.Errorf("unknown kid: got %d %q, want %d %q", bad.Status, bad.Body, c.status, c.body)
			}
			if ct := bad.Header.Get("Content-Type"); ct != c.contentType {
				t.Errorf("unknown kid: Content-Type %q, want %q", ct, c.contentType)
			}
			if c.hidden != "" && bad.HiddenReason != c.hidden {
				t.Errorf("unknown kid: hidden reason %q, want %q", bad.HiddenReason, c.hidden)
			}
			if bad.Side == nil {
				t.Errorf("unknown kid: the server wrote no side-channel record")
			}
			if !strings.HasPrefix(s.TokenURL, "http://127.0.0.1:") {
				t.Errorf("token URL %q is not on 127.0.0.1", s.TokenURL)
			}
		})
	}
}
