package root_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// CLIENTASSERT_KEY holds the key as CI secrets do, also as openssl pkcs12
// -nodes exports it, with "Bag Attributes" lines before the PEM block; the
// key is used, never echoed.
func TestDoctorTakesABagAttributesKeyFromTheEnvironment(t *testing.T) {
	fixtures, _ := filepath.Abs("../../../testdata")
	pem := readFile(t, filepath.Join(fixtures, "keys", "rsa.pem"))
	bag := "Bag Attributes\n    localKeyID: 01 00 00 00 \n    friendlyName: client\nKey Attributes: <No Attributes>\n" + pem
	t.Setenv("CLIENTASSERT_KEY", bag)
	t.Setenv("CLIENTASSERT_CLIENT_ID", "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3")
	t.Setenv("CLIENTASSERT_KID", "rsa-2026-11")
	t.Setenv("CLIENTASSERT_JWKS_URL", "")
	for _, format := range []string{"text", "json", "github", "sarif"} {
		out := runDoctor(t, "--jwks", filepath.Join(fixtures, "keys", "jwks.json"), "--format", format)
		if format == "text" && !strings.Contains(out, "pass  private-key") {
			t.Errorf("the key was not read:\n%s", out)
		}
		if strings.Contains(out, strings.Split(pem, "\n")[1][:16]) || strings.Contains(out, "no such file") {
			t.Errorf("%s: the key was echoed or taken for a path:\n%s", format, out)
		}
	}
}

func runDoctor(t *testing.T, args ...string) string {
	t.Helper()
	return runRootKeepEnv(t, append([]string{"doctor"}, args...)...)
}
