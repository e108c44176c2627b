package doctor

import (
	"time"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
)

// freshAssertion builds and signs the assertion a correctly configured
// client would send now: alg, kid and typ in the header (and jku when set),
// iss = sub = client_id, aud = the profile's token URL, iat, exp and a
// random jti in the claims.
func freshAssertion(priv *keys.Key, alg, kid, jku, clientID string, prof profile.Profile, now time.Time) (string, error) {
	opts := assertion.BuildOptions{Profile: prof, ClientID: clientID, KID: kid, Alg: alg, Now: now}
	if jku != "" {
		opts.Headers = []string{"jku=" + jku}
	}
	a, _, err := assertion.Build(opts)
	if err != nil {
		return "", err
	}
	return assertion.Sign(a, priv, kid, alg)
}
