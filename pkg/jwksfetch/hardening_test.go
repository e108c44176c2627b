package jwksfetch

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An https key set URL that redirects to plain http is refused even when
// the plain http server is on loopback, where a first URL may be http.
func TestFetchRefusesHTTPSToHTTPDowngrade(t *testing.T) {
	plain := httptest.NewServer(serveJWKS(fixtureJWKS(t), "application/json"))
	t.Cleanup(plain.Close)
	for _, target := range []string{plain.URL + "/jwks.json", strings.Replace(plain.URL, "127.0.0.1", "localhost", 1) + "/jwks.json"} {
		srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusFound)
		})
		res, err := Fetch(context.Background(), srv.URL+"/jwks.json", opts)
		fe := wantKind(t, err, ErrInsecureScheme)
		if res != nil {
			t.Errorf("a result came with the refusal: %+v", res)
		}
		if !strings.Contains(fe.Msg, "downgrade") || !strings.Contains(fe.Msg, target) {
			t.Errorf("message %q does not name the downgrade to %s", fe.Msg, target)
		}
	}
}

// After redirects the result names the URL the keys came from, and says so
// in a warning that the commands print.
func TestFetchReportsFinalURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new/jwks.json", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new/jwks.json", serveJWKS(fixtureJWKS(t), "application/json"))
	srv, opts := tlsServer(t, mux.ServeHTTP)
	res, err := Fetch(context.Background(), srv.URL+"/old", opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.URL != srv.URL+"/old" || res.FinalURL != srv.URL+"/new/jwks.json" {
		t.Fatalf("URL %s, final URL %s", res.URL, res.FinalURL)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, res.FinalURL)
	}
	if !found {
		t.Errorf("no warning names the final URL: %q", res.Warnings)
	}
}

// An error on a redirect hop names that hop's host, not the first one.
func TestFetchErrorNamesTheFailingHop(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadHost := ln.Addr().String()
	ln.Close() // nothing listens there now
	srv, opts := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+deadHost+"/jwks.json", http.StatusFound)
	})
	_, err = Fetch(context.Background(), srv.URL+"/jwks.json", opts)
	fe := wantKind(t, err, ErrConnect)
	first := strings.TrimPrefix(srv.URL, "https://")
	if !strings.Contains(fe.Msg, deadHost) || strings.Contains(fe.Msg, first) {
		t.Errorf("message %q should name the hop %s, not the first host %s", fe.Msg, deadHost, first)
	}
	if !strings.Contains(fe.URL, deadHost) {
		t.Errorf("URL %q is not the failing hop", fe.URL)
	}
}

// A password in the URL's userinfo is never printed: not in the result,
// not in an error, not in JSON.
func TestFetchRedactsUserinfoPassword(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks.json", serveJWKS(fixtureJWKS(t), "application/json"))
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/jwks.json", http.StatusFound) })
	srv, opts := tlsServer(t, mux.ServeHTTP)
	withPassword := strings.Replace(srv.URL, "https://", "https://alice:s3cr3t-pw@", 1)

	res, err := Fetch(context.Background(), withPassword+"/hop", opts)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	if strings.Contains(string(out), "s3cr3t-pw") || !strings.Contains(res.URL, "alice:xxxxx@") {
		t.Errorf("password printed: %s", out)
	}

	for _, u := range []string{withPassword + "/missing", "https://alice:s3cr3t-pw@[::1/jwks.json", "ftp://alice:s3cr3t-pw@example.com/", "http://alice:s3cr3t-pw@example.com/"} {
		_, err := Fetch(context.Background(), u, opts)
		var fe *Error
		if err == nil || !asError(err, &fe) {
			t.Fatalf("%s: error %v", u, err)
		}
		out, _ := json.Marshal(fe)
		if strings.Contains(fe.Msg, "s3cr3t-pw") || strings.Contains(string(out), "s3cr3t-pw") {
			t.Errorf("%s: password printed: %s", u, out)
		}
	}
	if _, err := ProbeDate(context.Background(), withPassword+"/jwks.json", opts); err != nil {
		t.Fatal(err)
	}
	if p, _ := ProbeDate(context.Background(), withPassword+"/jwks.json", opts); strings.Contains(p.URL, "s3cr3t-pw") {
		t.Errorf("probe URL %s", p.URL)
	}
}

func asError(err error, target **Error) bool {
	fe, ok := err.(*Error)
	*target = fe
	return ok
}

// --cacert adds a CA to the system pool: a server signed by it is trusted,
// and the unknown-authority hint names --cacert.
func TestCACertPool(t *testing.T) {
	srv, _ := tlsServer(t, serveJWKS(fixtureJWKS(t), "application/json"))
	_, err := Fetch(context.Background(), srv.URL+"/jwks.json", Options{})
	fe := wantKind(t, err, ErrTLS)
	if !strings.Contains(fe.Hint, "--cacert") {
		t.Errorf("hint %q does not name --cacert", fe.Hint)
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	pool, err := CACertPool(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), srv.URL+"/jwks.json", Options{RootCAs: pool}); err != nil {
		t.Fatalf("with --cacert: %v", err)
	}
	if _, err := CACertPool([]byte("not a certificate")); err == nil {
		t.Error("a file without certificates was accepted")
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a:b@h/x":           "https://a:xxxxx@h/x",
		"https://a@h/x":             "https://a@h/x",
		"https://h/x?q=a@b":         "https://h/x?q=a@b",
		"https://a:b@[::1/x":        "https://a:xxxxx@[::1/x",
		"not a url with a:b@ in it": "not a url with a:b@ in it",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
