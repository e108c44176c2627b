package jwksfetch

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func fixtureJWKS(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tlsServer starts a loopback TLS server and returns options that trust it.
func tlsServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, Options) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point of some tests
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, Options{RootCAs: pool, Timeout: 15 * time.Second}
}

func serveJWKS(body []byte, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(body)
	}
}

func wantKind(t *testing.T, err error, sentinel *Error) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %s", sentinel.Kind)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %q is not %s", err, sentinel.Kind)
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T is not *Error", err)
	}
	if fe.Msg == "" || fe.Hint == "" {
		t.Errorf("error lacks message or hint: %+v", fe)
	}
	if strings.ContainsAny(fe.Msg, "\n\r") || strings.HasSuffix(fe.Msg, ".") || fe.Msg[0] >= 'A' && fe.Msg[0] <= 'Z' && fe.Msg[1] >= 'a' {
		t.Errorf("message %q is not one line in house style", fe.Msg)
	}
	return fe
}

func TestFetchValid(t *testing.T) {
	jwks := fixtureJWKS(t)
	srv, opts := tlsServer(t, serveJWKS(jwks, "application/json; charset=utf-8"))
	res, err := Fetch(context.Background(), srv.URL+"/jwks.json", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Keys) != 2 || len(res.Set.ByKID("rsa-2026-11")) != 1 || len(res.Set.ByKID("ec-2026-11")) != 1 {
		t.Fatalf("unexpected set: %+v", res.Set.Keys)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings for a correct response: %v", res.Warnings)
	}
	if res.CacheControl != "public, max-age=300" || !strings.Contains(res.Caching, "5m0s") {
		t.Errorf("cache-control %q, caching %q", res.CacheControl, res.Caching)
	}
	if res.Clock.ServerDate == nil {
		t.Error("the Date header was not returned")
	}
	if res.Status != 200 || res.Bytes != len(jwks) {
		t.Errorf("status %d, bytes %d", res.Status, res.Bytes)
	}
}

func TestFetchKeySetWithoutKID(t *testing.T) {
	body := []byte(`{"keys":[{"kty":"EC","crv":"P-384","kid":"old-key",` +
		`"x":"_YbrY0_y1mEu2OY3g5GdbSDcn6L8Yumn2nwX9dzwVjvtWHLM0iBWxGRNPzDeVN0d",` +
		`"y":"5f38UP7VXZvFgltT5TG0ZefJlkZdY5_MuCZAa8khGVrKUe5d34hQbEGeFcPHyREU"}]}`)
	srv, opts := tlsServer(t, serveJWKS(body, "application/jwk-set+json"))
	res, err := Fetch(context.Background(), srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Set.ByKID("rsa-2026-11"); len(got) != 0 {
		t.Fatalf("kid rsa-2026-11 found in a set without it: %+v", got)
	}
	if len(res.Set.ByKID("old-key")) != 1 {
		t.Fatal("the set's own kid was not found")
	}
}

func TestFetch404(t *testing.T) {
	srv, opts := tlsServer(t, http.NotFound)
	_, err := Fetch(context.Background(), srv.URL+"/missing.json", opts)
	fe := wantKind(t, err, ErrStatus)
	if fe.Status != 404 || !strings.Contains(fe.Msg, "HTTP 404 Not Found") {
		t.Errorf("got %+v", fe)
	}
}

func TestFetchStatusHints(t *testing.T) {
	for _, code := range []int{401, 500} {
		srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
		_, err := Fetch(context.Background(), srv.URL, opts)
		fe := wantKind(t, err, ErrStatus)
		if fe.Status != code {
			t.Errorf("status %d, want %d", fe.Status, code)
		}
		if code == 401 && !strings.Contains(fe.Hint, "without credentials") {
			t.Errorf("401 hint: %q", fe.Hint)
		}
	}
}

func TestFetchSlowResponseTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	opts.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := Fetch(context.Background(), srv.URL, opts)
	elapsed := time.Since(start)
	fe := wantKind(t, err, ErrTimeout)
	if !strings.Contains(fe.Msg, "200ms") {
		t.Errorf("message does not name the timeout: %q", fe.Msg)
	}
	if elapsed > 2*time.Second {
		t.Errorf("a 200ms timeout took %s", elapsed)
	}
}

func TestFetchSlowBodyTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"keys":[`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	opts.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := Fetch(context.Background(), srv.URL, opts)
	wantKind(t, err, ErrTimeout)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("a 200ms timeout took %s", elapsed)
	}
}

func TestFetchHugeBody(t *testing.T) {
	t.Run("streamed", func(t *testing.T) {
		srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"keys":[`))
			w.(http.Flusher).Flush() // no Content-Length: the cap must hold while reading
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for range 40 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
		_, err := Fetch(context.Background(), srv.URL, opts)
		fe := wantKind(t, err, ErrTooLarge)
		if !strings.Contains(fe.Msg, "1 MiB") {
			t.Errorf("message %q does not name the cap", fe.Msg)
		}
	})
	t.Run("announced", func(t *testing.T) {
		srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(3<<20))
			w.WriteHeader(200)
		})
		_, err := Fetch(context.Background(), srv.URL, opts)
		wantKind(t, err, ErrTooLarge)
	})
	t.Run("custom cap", func(t *testing.T) {
		srv, opts := tlsServer(t, serveJWKS(fixtureJWKS(t), "application/json"))
		opts.MaxBytes = 100
		_, err := Fetch(context.Background(), srv.URL, opts)
		wantKind(t, err, ErrTooLarge)
	})
}

func TestFetchWrongContentTypeWarns(t *testing.T) {
	srv, opts := tlsServer(t, serveJWKS(fixtureJWKS(t), "text/html"))
	res, err := Fetch(context.Background(), srv.URL, opts)
	if err != nil {
		t.Fatalf("a wrong Content-Type must warn, not fail: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `"text/html"`) {
		t.Errorf("warnings: %v", res.Warnings)
	}
	if len(res.Set.Keys) != 2 {
		t.Errorf("the set was not parsed despite the warning")
	}
}

func TestFetchInvalidJSON(t *testing.T) {
	srv, opts := tlsServer(t, serveJWKS([]byte("<!DOCTYPE html><html><body>Sign in</body></html>"), "application/json"))
	_, err := Fetch(context.Background(), srv.URL, opts)
	fe := wantKind(t, err, ErrNotJSON)
	if !strings.Contains(fe.Msg, "<!DOCTYPE html>") || !strings.Contains(fe.Hint, "HTML") {
		t.Errorf("got %+v", fe)
	}

	srv, opts = tlsServer(t, serveJWKS([]byte(`{"keys": [`), "application/json"))
	_, err = Fetch(context.Background(), srv.URL, opts)
	wantKind(t, err, ErrNotJSON)

	srv, opts = tlsServer(t, serveJWKS(nil, "application/json"))
	_, err = Fetch(context.Background(), srv.URL, opts)
	wantKind(t, err, ErrNotJSON)
}

func TestFetchNotAKeySet(t *testing.T) {
	cases := map[string]string{
		`[1, 2]`:                              "not an object",
		`{"kty":"RSA","n":"AQAB","e":"AQAB"}`: "single JWK",
		`{"keys": {"kty": "RSA"}}`:            "not an array",
		`{"keys": [{"kty":"RSA","n":"!!","e":"AQAB","kid":"a"}]}`: "does not parse",
	}
	for body, want := range cases {
		srv, opts := tlsServer(t, serveJWKS([]byte(body), "application/json"))
		_, err := Fetch(context.Background(), srv.URL, opts)
		fe := wantKind(t, err, ErrNotKeySet)
		if !strings.Contains(fe.Msg+" "+fe.Hint, want) {
			t.Errorf("%s: got %q / %q, want %q", body, fe.Msg, fe.Hint, want)
		}
	}
}

func TestFetchRedirects(t *testing.T) {
	jwks := fixtureJWKS(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	for i := 1; i <= 4; i++ {
		next := fmt.Sprintf("/hop/%d", i+1)
		if i == 4 {
			next = "/jwks.json"
		}
		mux.HandleFunc(fmt.Sprintf("/hop/%d", i), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, next, http.StatusMovedPermanently)
		})
	}
	mux.HandleFunc("/jwks.json", serveJWKS(jwks, "application/json"))
	mux.HandleFunc("/to-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/jwks.json", http.StatusFound)
	})
	srv, opts := tlsServer(t, mux.ServeHTTP)

	_, err := Fetch(context.Background(), srv.URL+"/loop/a", opts)
	fe := wantKind(t, err, ErrTooManyRedirects)
	if strings.Count(fe.Msg, "/loop/") != 5 {
		t.Errorf("the message should show the whole chain: %q", fe.Msg)
	}

	// Three redirects are followed, four are not.
	res, err := Fetch(context.Background(), srv.URL+"/hop/2", opts)
	if err != nil {
		t.Fatalf("three redirects: %v", err)
	}
	if len(res.Redirects) != 3 || !strings.HasSuffix(res.FinalURL, "/jwks.json") {
		t.Errorf("redirects %v, final %s", res.Redirects, res.FinalURL)
	}
	_, err = Fetch(context.Background(), srv.URL+"/hop/1", opts)
	wantKind(t, err, ErrTooManyRedirects)

	// A redirect to plain http off loopback is refused like a first URL.
	_, err = Fetch(context.Background(), srv.URL+"/to-http", opts)
	fe = wantKind(t, err, ErrInsecureScheme)
	if !strings.Contains(fe.Msg, "redirected from https to http://example.com/jwks.json") {
		t.Errorf("got %q", fe.Msg)
	}
}

// countingTransport fails the test if anything is dialed.
type countingTransport struct{ calls atomic.Int32 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return nil, errors.New("dialed")
}

func TestFetchPlainHTTPOffLoopbackRefusedWithoutDialing(t *testing.T) {
	rt := &countingTransport{}
	opts := Options{Client: &http.Client{Transport: rt}}
	for _, u := range []string{"http://example.com/jwks.json", "http://10.0.0.1/jwks.json", "http://[2001:db8::1]/jwks.json", "HTTP://example.com/"} {
		_, err := Fetch(context.Background(), u, opts)
		wantKind(t, err, ErrInsecureScheme)
		_, err = ProbeDate(context.Background(), u, opts)
		wantKind(t, err, ErrInsecureScheme)
	}
	if n := rt.calls.Load(); n != 0 {
		t.Fatalf("the transport was called %d times", n)
	}
}

func TestFetchPlainHTTPOnLoopback(t *testing.T) {
	srv := httptest.NewServer(serveJWKS(fixtureJWKS(t), "application/json"))
	defer srv.Close()
	res, err := Fetch(context.Background(), srv.URL+"/jwks.json", Options{Timeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Keys) != 2 {
		t.Fatalf("keys: %d", len(res.Set.Keys))
	}
	// localhost counts as loopback too.
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	if _, err := Fetch(context.Background(), fmt.Sprintf("http://localhost:%d/", port), Options{Timeout: 15 * time.Second}); err != nil && errors.Is(err, ErrInsecureScheme) {
		t.Fatalf("localhost refused: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"128.0.0.1": false, "example.com": false, "localhost.example.com": false, "0.0.0.0": false, "::": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, bad := range []string{"ftp://example.com/x", "https://", "jwks.json", "https://exa mple.com/%zz"} {
		if _, err := ParseURL(bad); !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) = %v, want bad-url", bad, err)
		}
	}
	if _, err := ParseURL("https://example.com/.well-known/jwks.json"); err != nil {
		t.Error(err)
	}
}

func TestFetchTLSFailures(t *testing.T) {
	jwks := fixtureJWKS(t)
	t.Run("unknown authority", func(t *testing.T) {
		srv, _ := tlsServer(t, serveJWKS(jwks, "application/json"))
		_, err := Fetch(context.Background(), srv.URL, Options{RootCAs: x509.NewCertPool(), Timeout: 15 * time.Second})
		fe := wantKind(t, err, ErrTLS)
		if fe.TLSReason != "unknown-authority" {
			t.Errorf("reason %q: %s", fe.TLSReason, fe.Msg)
		}
	})
	t.Run("hostname mismatch", func(t *testing.T) {
		// The test certificate names 127.0.0.1 and example.com, not localhost.
		srv, opts := tlsServer(t, serveJWKS(jwks, "application/json"))
		port := srv.Listener.Addr().(*net.TCPAddr).Port
		_, err := Fetch(context.Background(), fmt.Sprintf("https://localhost:%d/", port), opts)
		fe := wantKind(t, err, ErrTLS)
		if fe.TLSReason != "hostname-mismatch" {
			t.Errorf("reason %q: %s", fe.TLSReason, fe.Msg)
		}
	})
	t.Run("expired", func(t *testing.T) {
		pool, cert := testCA(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
		srv := httptest.NewUnstartedServer(serveJWKS(jwks, "application/json"))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		defer srv.Close()
		_, err := Fetch(context.Background(), srv.URL, Options{RootCAs: pool, Timeout: 15 * time.Second})
		fe := wantKind(t, err, ErrTLS)
		if fe.TLSReason != "expired" {
			t.Errorf("reason %q: %s", fe.TLSReason, fe.Msg)
		}
	})
	t.Run("plain server on https", func(t *testing.T) {
		srv := httptest.NewServer(serveJWKS(jwks, "application/json"))
		defer srv.Close()
		_, err := Fetch(context.Background(), strings.Replace(srv.URL, "http://", "https://", 1), Options{Timeout: 15 * time.Second})
		fe := wantKind(t, err, ErrTLS)
		if fe.TLSReason != "not-tls" {
			t.Errorf("reason %q: %s", fe.TLSReason, fe.Msg)
		}
	})
	t.Run("good own CA", func(t *testing.T) {
		pool, cert := testCA(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		srv := httptest.NewUnstartedServer(serveJWKS(jwks, "application/json"))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		defer srv.Close()
		if _, err := Fetch(context.Background(), srv.URL, Options{RootCAs: pool, Timeout: 15 * time.Second}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFetchConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Fetch(context.Background(), "http://"+addr+"/jwks.json", Options{Timeout: 15 * time.Second})
	wantKind(t, err, ErrConnect)
}

func TestClassifyDNS(t *testing.T) {
	err := fmt.Errorf("Get %q: %w", "https://nope.invalid/", &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}})
	fe := classify(context.Background(), "https://nope.invalid/", "nope.invalid", time.Second, err)
	if fe.Kind != KindDNS || fe.Msg != "cannot resolve host nope.invalid: no such host" {
		t.Errorf("got %+v", fe)
	}
	fe = classify(context.Background(), "https://slow.example/", "slow.example", time.Second,
		&net.DNSError{Err: "i/o timeout", Name: "slow.example", IsTimeout: true})
	if fe.Kind != KindTimeout {
		t.Errorf("a DNS timeout is a timeout: %+v", fe)
	}
}

// The Date header tells how far the local clock is off.
func TestFetchClockFromDateHeader(t *testing.T) {
	jwks := fixtureJWKS(t)
	for _, offset := range []time.Duration{30 * time.Second, -30 * time.Second, 0} {
		srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", time.Now().Add(offset).UTC().Format(http.TimeFormat))
			serveJWKS(jwks, "application/json")(w, r)
		})
		res, err := Fetch(context.Background(), srv.URL, opts)
		if err != nil {
			t.Fatal(err)
		}
		skew, ok := res.Clock.Skew()
		if !ok {
			t.Fatal("no skew")
		}
		if d := skew - offset; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("offset %s: skew %s", offset, skew)
		}
		if offset == 0 && skew != 0 {
			t.Errorf("in-sync clocks report skew %s", skew)
		}

		// The same comparison for a token URL probe, answered with a 4xx.
		probeSrv, popts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodHead || r.Header.Get("Authorization") != "" || r.ContentLength > 0 {
				t.Errorf("probe sent %s with credentials or a body", r.Method)
			}
			w.Header().Set("Date", time.Now().Add(offset).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusMethodNotAllowed)
		})
		p, err := ProbeDate(context.Background(), probeSrv.URL+"/v2/auth/token", popts)
		if err != nil {
			t.Fatal(err)
		}
		skew, _ = p.Clock.Skew()
		if d := skew - offset; p.Status != 405 || d < -2*time.Second || d > 2*time.Second {
			t.Errorf("probe offset %s: status %d skew %s", offset, p.Status, skew)
		}
	}
}

func TestClockSkewBounds(t *testing.T) {
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	date := base
	c := Clock{ServerDate: &date, SentAt: base.Add(200 * time.Millisecond), ReceivedAt: base.Add(400 * time.Millisecond)}
	if s, _ := c.Skew(); s != 0 {
		t.Errorf("within the Date's second: %s", s)
	}
	c = Clock{ServerDate: &date, SentAt: base.Add(-7 * time.Second), ReceivedAt: base.Add(-6 * time.Second)}
	if s, _ := c.Skew(); s != 6*time.Second {
		t.Errorf("server ahead: %s", s)
	}
	c = Clock{ServerDate: &date, SentAt: base.Add(8 * time.Second), ReceivedAt: base.Add(9 * time.Second)}
	if s, _ := c.Skew(); s != -7*time.Second {
		t.Errorf("server behind: %s", s)
	}
	if _, ok := (Clock{}).Skew(); ok {
		t.Error("no Date must not give a skew")
	}
}

func TestExplainCaching(t *testing.T) {
	for _, c := range []struct{ cc, age, expires, want string }{
		{"max-age=3600", "", "", "up to 1h0m0s"},
		{"public, max-age=600", "120", "", "already 2m0s old"},
		{"no-store", "", "", "seen at once"},
		{"max-age=0, must-revalidate", "", "", "seen at once"},
		{"", "", "Fri, 27 Nov 2026 13:00:00 GMT", "until it expires"},
		{"", "", "", "no Cache-Control header"},
		{"public", "", "", "no max-age"},
	} {
		if got := ExplainCaching(c.cc, c.age, c.expires); !strings.Contains(got, c.want) {
			t.Errorf("ExplainCaching(%q, %q, %q) = %q, want %q", c.cc, c.age, c.expires, got, c.want)
		}
	}
}

// testCA makes a CA and a leaf for 127.0.0.1 valid in [notBefore, notAfter].
func testCA(t *testing.T, notBefore, notAfter time.Time) (*x509.CertPool, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "clientassert test CA"},
		NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(72 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: notBefore, NotAfter: notAfter,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return pool, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
}
