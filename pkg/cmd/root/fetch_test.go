package root_test

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Every command that can fetch a key set (a --jwks that takes a URL, or
// --jwks-url) has --cacert, which adds a private CA to the system roots;
// without it the TLS error names --cacert. No output format prints the
// password of a URL's userinfo.
func TestFetchingCommandsTakeCACertAndRedactPasswords(t *testing.T) {
	fetching := 0
	for _, c := range leafCommands(t) {
		jwks := c.Flags().Lookup("jwks")
		if c.Flags().Lookup("jwks-url") == nil && (jwks == nil || !strings.Contains(jwks.Usage, "URL")) {
			continue
		}
		fetching++
		if c.Flags().Lookup("cacert") == nil {
			t.Errorf("%s fetches key sets but has no --cacert", c.CommandPath())
		}
	}
	if fetching < 3 {
		t.Fatalf("only %d commands fetch", fetching)
	}

	fixtures, _ := filepath.Abs("../../../testdata")
	body, err := os.ReadFile(filepath.Join(fixtures, "keys", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	const password = "s3cr3t-pw"
	url := strings.Replace(srv.URL, "https://", "https://alice:"+password+"@", 1) + "/jwks.json"
	token := strings.TrimSpace(readFile(t, filepath.Join(fixtures, "tokens", "valid-rs384.jwt")))
	key := filepath.Join(fixtures, "keys", "rsa.pem")
	const clientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"

	type run struct {
		args []string
		// ok is what must hold of the output when the fetch worked.
		ok string
	}
	runs := []run{
		{[]string{"lint", token, "--jwks", url, "--now", "2026-11-27T12:00:01Z"}, `signature verified with kid`},
		{[]string{"lint", token, "--jwks", url, "--now", "2026-11-27T12:00:01Z", "--format", "json"}, `"verified_with_kid"`},
		{[]string{"verify", token, "--jwks", url}, "verified:"},
		{[]string{"verify", token, "--jwks", url, "--format", "json"}, `"verified": true`},
	}
	for _, format := range []string{"text", "json", "github", "sarif"} {
		runs = append(runs, run{[]string{"doctor", "--key", key, "--client-id", clientID, "--jwks-url", url, "--token-url", url, "--jku", url, "--format", format}, ""})
	}
	for _, r := range runs {
		name := strings.Join(r.args[:1], " ") + " " + r.args[len(r.args)-1]
		without := runRoot(t, r.args...)
		if !strings.Contains(without, "--cacert") {
			t.Errorf("%s without --cacert: the TLS failure does not name --cacert:\n%s", name, without)
		}
		with := runRoot(t, append(r.args, "--cacert", ca)...)
		if strings.Contains(with, "unknown authority") || !strings.Contains(with, r.ok) {
			t.Errorf("%s with --cacert: the fetch failed:\n%s", name, with)
		}
		for _, out := range []string{without, with} {
			if strings.Contains(out, password) {
				t.Errorf("%s printed the URL password:\n%s", name, out)
			}
		}
	}
}

func runRoot(t *testing.T, args ...string) string {
	t.Helper()
	for _, env := range []string{"CLIENTASSERT_KEY", "CLIENTASSERT_CLIENT_ID", "CLIENTASSERT_KID", "CLIENTASSERT_JWKS_URL", "SSL_CERT_FILE", "SSL_CERT_DIR"} {
		t.Setenv(env, "")
	}
	return runRootKeepEnv(t, args...)
}

func runRootKeepEnv(t *testing.T, args ...string) string {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	root.Main(args, ios)
	return out.String() + errOut.String()
}
