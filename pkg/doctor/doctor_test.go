package doctor

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
)

const clientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"

func fixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func redox(t *testing.T) profile.Profile {
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jwksServer serves body as a key set over TLS on loopback, with the Date
// header offset from the real time by skew.
func jwksServer(t *testing.T, body []byte, skew time.Duration) (string, jwksfetch.Options) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		if r.URL.Path != "/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=600")
		w.Write(body)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.URL + "/jwks.json", jwksfetch.Options{RootCAs: pool, Timeout: 2 * time.Second}
}

func baseInput(t *testing.T) Input {
	url, fo := jwksServer(t, fixture(t, "keys", "jwks.json"), 0)
	return Input{
		KeyData: fixture(t, "keys", "rsa.pem"), KeyName: "rsa.pem",
		ClientID: clientID, KID: "rsa-2026-11",
		JWKSURL: url, Profile: redox(t), Fetch: fo,
	}
}

func checkByID(t *testing.T, r *Report, id string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", id, r.Checks)
	return Check{}
}

func wantCheck(t *testing.T, r *Report, id string, status Status, contains ...string) Check {
	t.Helper()
	c := checkByID(t, r, id)
	if c.Status != status {
		t.Errorf("check %s is %s, want %s: %s", id, c.Status, status, c.Message)
	}
	for _, s := range contains {
		if !strings.Contains(c.Message, s) {
			t.Errorf("check %s message %q lacks %q", id, c.Message, s)
		}
	}
	if c.Status != StatusPass && c.Fix == "" && !c.Skipped {
		t.Errorf("check %s is %s without a fix", id, c.Status)
	}
	return c
}

func TestRunAllPass(t *testing.T) {
	for _, key := range []struct{ file, kid, alg string }{{"rsa.pem", "rsa-2026-11", "RS384"}, {"ec.pem", "ec-2026-11", "ES384"}} {
		in := baseInput(t)
		in.KeyData, in.KeyName, in.KID = fixture(t, "keys", key.file), key.file, key.kid
		r := Run(context.Background(), in)
		if !r.OK {
			t.Fatalf("%s: not ok: %+v", key.file, r.Checks)
		}
		var ids []string
		for _, c := range r.Checks {
			ids = append(ids, c.ID)
			if c.Status != StatusPass {
				t.Errorf("%s: %s is %s: %s", key.file, c.ID, c.Status, c.Message)
			}
		}
		if strings.Join(ids, ",") != "private-key,key-set,kid,assertion,clock,jku" {
			t.Errorf("checks in order %v", ids)
		}
		wantCheck(t, r, CheckPrivateKey, StatusPass, key.alg, "redox")
		wantCheck(t, r, CheckKeySet, StatusPass, "2 keys", `Cache-Control "max-age=600"`, "10m0s")
		wantCheck(t, r, CheckKID, StatusPass, `kid "`+key.kid+`"`)
		wantCheck(t, r, CheckAssertion, StatusPass, "200")
		wantCheck(t, r, CheckClock, StatusPass, "agrees")
		if r.Predicted == nil || r.Predicted.Status != 200 {
			t.Errorf("predicted %+v", r.Predicted)
		}
	}
}

func TestRunKIDMissingFromSet(t *testing.T) {
	// A set that holds only the EC key: the rotated RSA key was never published.
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(fixture(t, "keys", "jwks.json"), &set); err != nil {
		t.Fatal(err)
	}
	set.Keys = set.Keys[1:]
	body, _ := json.Marshal(set)
	in := baseInput(t)
	in.JWKSURL, in.Fetch = jwksServer(t, body, 0)
	r := Run(context.Background(), in)
	if r.OK {
		t.Fatal("ok with the kid missing")
	}
	wantCheck(t, r, CheckKeySet, StatusPass, "1 key")
	c := wantCheck(t, r, CheckKID, StatusFail, `kid "rsa-2026-11" is not in the key set`, `"ec-2026-11"`, "Public key not found")
	if !strings.Contains(c.Fix, "keys jwks") {
		t.Errorf("fix %q", c.Fix)
	}
	wantCheck(t, r, CheckAssertion, StatusFail, "Public key not found, check client_id, kid and Redox dashboard settings")
}

func TestRunKIDRenamed(t *testing.T) {
	in := baseInput(t)
	in.KID = "rsa-2027-01"
	r := Run(context.Background(), in)
	c := wantCheck(t, r, CheckKID, StatusFail, `kid "rsa-2027-01" is not in the key set`, `the entry with kid "rsa-2026-11" holds this key's public half`)
	if !strings.Contains(c.Fix, `sign with kid "rsa-2026-11"`) {
		t.Errorf("fix %q", c.Fix)
	}
}

func TestRunKIDHoldsAnotherKey(t *testing.T) {
	in := baseInput(t)
	in.KeyData, in.KeyName = fixture(t, "keys", "other-rsa.pem"), "other-rsa.pem"
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckPrivateKey, StatusPass)
	wantCheck(t, r, CheckKID, StatusFail, `kid "rsa-2026-11" holds a different key`, "other-rsa.pem")
	wantCheck(t, r, CheckAssertion, StatusFail, "signature verification failed")
}

func TestRunNoKIDGiven(t *testing.T) {
	in := baseInput(t)
	in.KID = ""
	in.KeyData, in.KeyName = fixture(t, "keys", "ec.pem"), "ec.pem"
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckKID, StatusWarn, `under kid "ec-2026-11"`)
	wantCheck(t, r, CheckAssertion, StatusPass)
	if !r.OK || r.KID != "ec-2026-11" {
		t.Errorf("ok %v kid %q", r.OK, r.KID)
	}
}

func TestRunPrivateKeyProblems(t *testing.T) {
	pub, err := keys.Parse(fixture(t, "keys", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	oneJWK, _ := json.Marshal(pub.Keys[0].PublicJWK())
	for _, c := range []struct {
		name   string
		data   []byte
		status Status
		want   string
	}{
		{"garbage", []byte("not a key"), StatusFail, "cannot parse"},
		{"public", oneJWK, StatusFail, "not a private key"},
		{"p256", fixture(t, "keys", "ec256.pem"), StatusFail, "signs ES256; the redox profile accepts RS384 or ES384"},
		{"rsa1024", fixture(t, "keys", "rsa1024.pem"), StatusWarn, "below the accepted minimum of 2048"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := baseInput(t)
			in.KeyData, in.KeyName = c.data, c.name
			r := Run(context.Background(), in)
			wantCheck(t, r, CheckPrivateKey, c.status, c.want)
			if c.status == StatusFail {
				for _, id := range []string{CheckKID, CheckAssertion} {
					if k := checkByID(t, r, id); !k.Skipped || k.Status != StatusWarn {
						t.Errorf("%s after a failed key: %+v", id, k)
					}
				}
				wantCheck(t, r, CheckKeySet, StatusPass)
			}
		})
	}
}

func TestRunKeySetUnreachable(t *testing.T) {
	in := baseInput(t)
	in.JWKSURL = strings.Replace(in.JWKSURL, "/jwks.json", "/missing.json", 1)
	r := Run(context.Background(), in)
	if r.OK {
		t.Fatal("ok without a key set")
	}
	c := wantCheck(t, r, CheckKeySet, StatusFail, "HTTP 404")
	if !strings.Contains(c.Fix, "check the URL") {
		t.Errorf("fix %q", c.Fix)
	}
	// A 404 still carries a Date, so the clock is still compared.
	wantCheck(t, r, CheckClock, StatusPass)
	if k := checkByID(t, r, CheckKID); !k.Skipped {
		t.Errorf("kid should be skipped: %+v", k)
	}
}

func TestRunKeySetHygiene(t *testing.T) {
	// The right key, but published with its private members.
	set, err := keys.Parse(fixture(t, "keys", "rsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	priv := set.Keys[0]
	jwk := priv.PublicJWK()
	jwk["kid"] = "rsa-2026-11"
	jwk["d"] = "AQAB"
	body, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	in := baseInput(t)
	in.JWKSURL, in.Fetch = jwksServer(t, body, 0)
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckKeySet, StatusFail, "private members", "private-members")
}

func TestRunKeySetFile(t *testing.T) {
	in := baseInput(t)
	in.JWKSURL, in.JWKSData, in.JWKSName = "", fixture(t, "keys", "jwks.json"), "jwks.json"
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckKeySet, StatusPass, "jwks.json holds 2 keys")
	wantCheck(t, r, CheckClock, StatusWarn, "not checked")
	if !r.OK {
		t.Errorf("warnings only must be ok: %+v", r.Checks)
	}
}

func TestRunClock(t *testing.T) {
	for _, c := range []struct {
		name   string
		local  time.Duration // how far the local clock is off
		status Status
		want   string
	}{
		{"fast", 30 * time.Second, StatusFail, "s ahead of the JWKS server"},
		{"slow", -30 * time.Second, StatusFail, "s behind the JWKS server"},
		{"slightly fast", 7 * time.Second, StatusWarn, "ahead of the JWKS server"},
		{"in sync", 0, StatusPass, "agrees"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := baseInput(t)
			in.Now = func() time.Time { return time.Now().Add(c.local) }
			r := Run(context.Background(), in)
			wantCheck(t, r, CheckClock, c.status, c.want)
			if len(r.Skews) != 1 {
				t.Fatalf("skews %+v", r.Skews)
			}
			// The server's clock is off by -local; the bound is at most 1s short.
			if got, want := r.Skews[0].SkewSeconds, -c.local.Seconds(); got < want-1.5 || got > want+1.5 {
				t.Errorf("skew %.2fs, want about %.0fs", got, want)
			}
			if (c.status == StatusFail) == r.OK {
				t.Errorf("ok %v with clock %s", r.OK, c.status)
			}
		})
	}
}

// The token URL answers a credential-free HEAD with a 4xx; its Date counts.
func TestRunClockTokenURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead || r.Header.Get("Authorization") != "" {
			t.Errorf("token URL got %s with Authorization %q", r.Method, r.Header.Get("Authorization"))
		}
		w.Header().Set("Date", time.Now().Add(-20*time.Second).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusMethodNotAllowed)
	}))
	defer srv.Close()
	in := baseInput(t)
	in.TokenURL = srv.URL + "/v2/auth/token"
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckClock, StatusFail, "agrees with the JWKS server", "at least 19s ahead of the token URL")
	if r.Probe == nil || r.Probe.Status != 405 {
		t.Errorf("probe %+v", r.Probe)
	}
	if len(r.Skews) != 2 {
		t.Errorf("skews %+v", r.Skews)
	}
}

func TestRunJKU(t *testing.T) {
	in := baseInput(t)
	in.JKU = in.JWKSURL
	// A loopback test server is http(s)://127.0.0.1; the jku must be https.
	r := Run(context.Background(), in)
	wantCheck(t, r, CheckJKU, StatusPass, "equals the JWKS URL")
	wantCheck(t, r, CheckAssertion, StatusPass)

	in.JKU = "https://example.com/other.json"
	r = Run(context.Background(), in)
	wantCheck(t, r, CheckJKU, StatusFail, "differs from the JWKS URL")

	in.JKU = "http://example.com/jwks.json"
	r = Run(context.Background(), in)
	wantCheck(t, r, CheckJKU, StatusFail, "not an https URL")
}

func TestReportJSONShape(t *testing.T) {
	r := Run(context.Background(), baseInput(t))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var shape struct {
		OK     *bool `json:"ok"`
		Checks []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(b, &shape); err != nil {
		t.Fatal(err)
	}
	if shape.OK == nil || !*shape.OK || len(shape.Checks) != 6 {
		t.Fatalf("shape %s", b)
	}
	if !strings.HasPrefix(string(b), `{"ok":true,"checks":[{"id":"private-key"`) {
		t.Errorf("ok and checks must lead: %.80s", b)
	}
	if strings.Contains(string(b), "PRIVATE KEY") || strings.Contains(string(b), `"d":`) {
		t.Error("private key material in the report")
	}
}
