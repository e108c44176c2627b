package serve

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

func TestJTIStoreExpiry(t *testing.T) {
	s := NewJTIStore(0)
	t0 := fixtures.Now
	if !s.Add("c1", "j1", t0.Add(time.Minute), t0) {
		t.Fatal("a new jti is refused")
	}
	if s.Add("c1", "j1", t0.Add(time.Minute), t0.Add(time.Second)) {
		t.Error("a held jti is accepted again")
	}
	if !s.Seen("c1", "j1", t0.Add(59*time.Second)) || s.Seen("c2", "j1", t0) {
		t.Error("Seen is per issuer and holds until Until")
	}
	if s.Seen("c1", "j1", t0.Add(time.Minute)) {
		t.Error("a jti is held past Until")
	}
	if !s.Add("c1", "j1", t0.Add(3*time.Minute), t0.Add(2*time.Minute)) {
		t.Error("an expired jti cannot be used again")
	}
	if !s.Add("c1", "old", t0, t0.Add(time.Second)) || s.Len() != 1 {
		t.Errorf("an already expired record is kept: len %d", s.Len())
	}
}

func TestJTIStoreCap(t *testing.T) {
	s := NewJTIStore(100)
	t0 := fixtures.Now
	for i := 0; i < 1000; i++ {
		s.Add("c", fmt.Sprint(i), t0.Add(time.Hour+time.Duration(i)*time.Second), t0)
	}
	if s.Len() != 100 {
		t.Fatalf("len %d, want the cap 100", s.Len())
	}
	if s.Seen("c", "0", t0) || !s.Seen("c", "999", t0) {
		t.Error("the cap must drop the entry closest to expiry first")
	}
}

// TestJTIStoreStaysFlat: a million distinct jtis, each held five minutes,
// arriving at 1000 per second: the store holds one window's worth and the
// heap does not grow past it.
func TestJTIStoreStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	s := NewJTIStore(0)
	now := fixtures.Now
	const n, perSecond = 1_000_000, 1000
	window := 5 * time.Minute
	var ms runtime.MemStats
	var peakHeap uint64
	for i := 0; i < n; i++ {
		if i%perSecond == 0 {
			now = now.Add(time.Second)
		}
		s.Add("client", fmt.Sprintf("%032x", i), now.Add(window), now)
		if i%100_000 == 99_999 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if i > 400_000 && ms.HeapAlloc > peakHeap*3/2 && peakHeap > 0 {
				t.Errorf("heap grew from %d to %d bytes after %d inserts", peakHeap, ms.HeapAlloc, i+1)
			}
			if ms.HeapAlloc > peakHeap {
				peakHeap = ms.HeapAlloc
			}
		}
	}
	t.Logf("1M distinct jtis at %d/s, each held %s: %d held at the end, peak Go heap %d KiB, last %d KiB",
		perSecond, window, s.Len(), peakHeap>>10, ms.HeapAlloc>>10)
	if got, max := s.Len(), int(window.Seconds())*perSecond+perSecond; got > max {
		t.Errorf("store holds %d jtis, want at most one window (%d)", got, max)
	}
	s.Sweep(now.Add(window))
	if s.Len() != 0 {
		t.Errorf("after the window %d jtis remain", s.Len())
	}
}

// TestReplayRefused: for each profile whose server refuses a reused jti,
// the second request with the same assertion gets lint's answer for a seen
// jti, while a fresh jti is accepted.
func TestReplayRefused(t *testing.T) {
	ks, err := fixtures.LoadOrCreateKeys(testdata + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	var tested int
	for _, name := range profile.Names() {
		p := getProfile(t, name, "https://as.example.test/token")
		if p.JTI != profile.JTIUnique {
			continue
		}
		tested++
		t.Run(name, func(t *testing.T) {
			// A key with use sig and no alg, so that a server that fixes the
			// client's alg (hydra: RS256) can use it.
			set, err := keys.Parse(fixtures.JWKS(fixtures.PublicJWK(ks["rsa"], fixtures.KidRSA, map[string]any{"use": "sig"})))
			if err != nil {
				t.Fatal(err)
			}
			s := New(Options{Profile: p, Now: func() time.Time { return fixtures.Now }},
				NewRegistry(NewClient(fixtures.ClientID, p, set)))
			ts := httptest.NewServer(s)
			defer ts.Close()
			alg := "RS384"
			if !p.AllowsAlg(alg) {
				alg = "RS256"
			}
			sign := func(jti string) string {
				c := fixtures.Claims(fixtures.Now.Add(-30*time.Second)).Set("aud", p.TokenURL).Set("jti", jti)
				input := fixtures.B64(fixtures.Header(alg, fixtures.KidRSA).JSON()) + "." + fixtures.B64(c.JSON())
				if alg == "RS384" {
					return input + "." + base64.RawURLEncoding.EncodeToString(fixtures.SignInput(input, ks["rsa"]))
				}
				digest := sha256.Sum256([]byte(input))
				sig, err := rsa.SignPKCS1v15(nil, ks["rsa"].(*rsa.PrivateKey), crypto.SHA256, digest[:])
				if err != nil {
					t.Fatal(err)
				}
				return input + "." + base64.RawURLEncoding.EncodeToString(sig)
			}
			tok := sign("7d1e0c5a9b3f4e2d8c6a1b0f9e8d7c6b")
			first, body := post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", tokenForm(tok))
			hr := httptest.NewRequest("POST", p.Wire.Path, nil)
			hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req := ParseHTTP(hr, []byte(tokenForm(tok)))
			if first.StatusCode != 200 {
				rep := lint.Lint(lint.Input{Request: req, Profile: p, ClientID: fixtures.ClientID, Keys: set, Now: fixtures.Now})
				t.Fatalf("first use: %d %s (lint: rule %s)", first.StatusCode, body, rep.Predicted.Rule)
			}
			second, body := post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", tokenForm(tok))
			rep := lint.Lint(lint.Input{Request: req, Profile: p, ClientID: fixtures.ClientID, Keys: set, Now: fixtures.Now,
				JTISeen: func(string, string) bool { return true }})
			if second.StatusCode == 200 || second.StatusCode != rep.Predicted.Status {
				t.Errorf("replay: got %d %s, lint predicts %d", second.StatusCode, body, rep.Predicted.Status)
			}
			var a wireAnswer
			_ = json.Unmarshal(body, &a)
			if a.ErrorDescription != nil && *a.ErrorDescription != rep.Predicted.ErrorDescription {
				t.Errorf("replay: %q, lint predicts %q", *a.ErrorDescription, rep.Predicted.ErrorDescription)
			}
			fresh, _ := post(t, ts.URL+p.Wire.Path, "application/x-www-form-urlencoded", tokenForm(sign("0a1b2c3d4e5f60718293a4b5c6d7e8f9")))
			if fresh.StatusCode != 200 {
				t.Errorf("a fresh jti after a replay: %d", fresh.StatusCode)
			}
		})
	}
	if tested == 0 {
		t.Skip("no profile refuses a reused jti yet (profile.JTIUnique)")
	}
}

// TestJWKSURICaching: a jwks_uri is fetched at load, served from the cache
// within its max-age, and fetched again after.
func TestJWKSURICaching(t *testing.T) {
	jwks, err := readFile(testdata + "/keys/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	maxAge := "60"
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age="+maxAge)
		_, _ = w.Write(jwks)
	}))
	defer origin.Close()
	clock := fixtures.Now
	p := getProfile(t, "redox", "")
	l := Loader{ProfileFor: func(string) (profile.Profile, error) { return p, nil }, Clock: func() time.Time { return clock }}
	reg, err := l.Single(context.Background(), fixtures.ClientID, origin.URL+"/jwks")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := reg.Lookup(fixtures.ClientID)
	for i := 0; i < 3; i++ {
		if set, err := c.Keys(context.Background()); err != nil || len(set.Keys) != 2 {
			t.Fatalf("keys: %v", err)
		}
	}
	if fetches.Load() != 1 {
		t.Errorf("%d fetches within max-age, want 1", fetches.Load())
	}
	clock = clock.Add(61 * time.Second)
	_, _ = c.Keys(context.Background())
	if fetches.Load() != 2 {
		t.Errorf("%d fetches after max-age, want 2", fetches.Load())
	}
	origin.Close()
	clock = clock.Add(2 * time.Minute)
	if set, err := c.Keys(context.Background()); err != nil || set == nil {
		t.Errorf("a failed refetch must keep the last good set: %v", err)
	}
	if _, err := l.Single(context.Background(), fixtures.ClientID, origin.URL+"/jwks"); err == nil {
		t.Error("an unreachable jwks_uri at load must fail")
	}
}

func TestCacheTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": defaultKeyTTL, "max-age=60": time.Minute, "public, max-age=0": 0, "no-store": 0,
		"max-age=99999999": maxKeyTTL, "max-age=x": defaultKeyTTL,
	} {
		if got := cacheTTL(in); got != want {
			t.Errorf("cacheTTL(%q) = %v, want %v", in, got, want)
		}
	}
}

func readFile(path string) ([]byte, error) { return readCapped(path, 1<<20) }
