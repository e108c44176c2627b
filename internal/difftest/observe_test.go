package difftest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/realserver"
)

// TestObserveClock records, for each real server, where its time checks
// and its jti store change their answer. The probes sit on the boundaries,
// so this test only logs what it sees; it runs with REALSERVERS_PROBE=1.
func TestObserveClock(t *testing.T) {
	if os.Getenv("REALSERVERS_PROBE") == "" {
		t.Skip("set REALSERVERS_PROBE=1 to probe the real servers' clock and jti store")
	}
	for _, d := range []dialect{
		{kind: realserver.OIDCProvider, algs: []string{"RS384"}},
		{kind: realserver.Hydra, alg: "RS384", algs: []string{"RS384"}},
		{kind: realserver.Authlib, algs: []string{"RS384"}},
	} {
		t.Run(d.kind, func(t *testing.T) {
			kr := newKeyring(t)
			clientID := randomClientID()
			g := newRealGen(kr, 1, clientID, "", "", d.algs)
			s := realserver.Start(t, d.kind, realserver.Config{ClientID: clientID, JWKS: realJWKS(g), Alg: d.alg})
			g.tokenURL, g.issuer = s.TokenURL, s.Issuer
			send := func(label string, change func(b *build)) realserver.Response {
				b := g.std(label)
				change(b)
				c, err := g.render(b)
				if err != nil {
					t.Fatal(err)
				}
				r := s.Do(realserver.Request{ContentType: c.ContentType, Body: c.Body})
				t.Logf("%-44s %d %q hidden=%q", label, r.Status, r.Body, r.HiddenReason)
				return r
			}
			for _, off := range []int64{-61, -59, -31, -29, -20, -16, -14, -10, -5, -2, 2} {
				send(fmt.Sprintf("exp now%+d", off), func(b *build) { b.times(-300, i64(off)) })
			}
			for _, off := range []int64{2, 5, 10, 14, 16, 20, 29, 31, 59, 61} {
				send(fmt.Sprintf("nbf now%+d", off), func(b *build) { b.claim("nbf", b.now+off) })
			}
			for _, off := range []int64{2, 5, 14, 16, 61, 3600} {
				send(fmt.Sprintf("iat now%+d (exp now+120)", off), func(b *build) { b.claim("iat", b.now+off) })
			}
			// jti retention: a jti spent by an assertion expiring in 3 s,
			// offered again (in a fresh assertion) at once, 25 s and 40 s later.
			jti := g.hex(24)
			send("jti J, exp now+3", func(b *build) { b.claim("jti", jti); b.times(-5, i64(3)) })
			send("jti J again at once, exp now+120", func(b *build) { b.claim("jti", jti) })
			time.Sleep(25 * time.Second)
			send("jti J again 25 s later, exp now+120", func(b *build) { b.claim("jti", jti) })
			time.Sleep(15 * time.Second)
			send("jti J again 40 s later, exp now+120", func(b *build) { b.claim("jti", jti) })
			// Hydra keeps a jti until its exp, even when aud was wrong.
			jti2 := g.hex(24)
			send("jti K, wrong aud, exp now+3", func(b *build) { b.claim("jti", jti2); b.claim("aud", "x"); b.times(-5, i64(3)) })
			time.Sleep(5 * time.Second)
			send("jti K again 5 s later, right aud", func(b *build) { b.claim("jti", jti2) })
		})
	}
}
