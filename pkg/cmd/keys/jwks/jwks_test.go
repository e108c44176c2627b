package jwks

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/cmdtest"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/keys"
)

func run(stdin string, args ...string) cmdtest.Result {
	return cmdtest.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdJWKS(f, nil) }, stdin, args...)
}

var fx = cmdtest.Fixture

func TestJWKSMixedInputs(t *testing.T) {
	res := run("", fx("rsa2048.pkcs1.pem"), fx("ec384.cert.pem"), fx("ec256.sec1.pem"), fx("ed25519.jwk"), fx("rsa1024.spki.pem"), fx("ec521.sec1.pem"))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	set, err := keys.Parse([]byte(res.Out))
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, res.Out)
	}
	if len(set.Keys) != 6 {
		t.Fatalf("got %d keys", len(set.Keys))
	}
	for i, k := range set.Keys {
		tp, _ := keys.Thumbprint(k)
		switch {
		case k.HasPrivate:
			t.Errorf("key %d has private members", i)
		case i != 3 && k.KID != tp:
			t.Errorf("key %d: kid %q is not the thumbprint %q", i, k.KID, tp)
		case k.Use != "sig":
			t.Errorf("key %d: use %q", i, k.Use)
		}
	}
	if set.Keys[3].KID != "ed25519" {
		t.Errorf("a given kid was replaced: %q", set.Keys[3].KID)
	}
	for _, secret := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`, `"k"`} {
		if strings.Contains(res.Out, secret) {
			t.Errorf("output holds %s", secret)
		}
	}
	if res.Err != "" {
		t.Errorf("unexpected stderr: %s", res.Err)
	}
}

func TestJWKSFromPrivateJWKS(t *testing.T) {
	// A JWKS full of problems: private members are dropped, the rest kept.
	good := cmdtest.ReadFixture("jwks.good.json")
	res := run(good, "-")
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	in, _ := keys.Parse([]byte(good))
	out, _ := keys.Parse([]byte(res.Out))
	if len(out.Keys) != 2 || out.Keys[0].KID != in.Keys[0].KID || out.Keys[1].Alg != "ES384" {
		t.Errorf("round trip changed the JWKS:\n%s", res.Out)
	}

	res = run("", fx("rsa2048.jwk"))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if strings.Contains(res.Out, `"d"`) || !strings.Contains(res.Out, `"kid": "rsa2048"`) || !strings.Contains(res.Out, `"alg": "RS384"`) {
		t.Errorf("private JWK not reduced to its public half:\n%s", res.Out)
	}
}

func TestJWKSKeyOpsOfPrivateKey(t *testing.T) {
	priv := `{"kty":"EC","crv":"P-256","kid":"a","key_ops":["sign"],` +
		`"x":"ZLZLae9nbBbT3Asfb8DNmwZG_oPXq0JltM-uFzeOY0Q","y":"nXWR3wGofopJIPNMHDwy3UIrbOHjevzMUdLUxAamDTw"}`
	// Public key_ops stay as given; only a private key's "sign" becomes "verify".
	res := run(priv, "-")
	if res.Error != nil || !strings.Contains(res.Out, `"sign"`) {
		t.Fatalf("public JWK key_ops changed: %v\n%s", res.Error, res.Out)
	}
	privJWK := strings.Replace(cmdtest.ReadFixture("ec384.jwk"), `"kty"`, `"key_ops":["sign"],"kty"`, 1)
	res = run(privJWK, "-")
	if res.Error != nil || !strings.Contains(res.Out, `"verify"`) || strings.Contains(res.Out, `"sign"`) {
		t.Fatalf("private JWK key_ops not mapped to verify: %v\n%s", res.Error, res.Out)
	}
}

func TestJWKSDuplicates(t *testing.T) {
	// The same key twice is written once, with a note.
	res := run("", fx("rsa2048.pkcs1.pem"), fx("rsa2048.spki.pem"))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if set, _ := keys.Parse([]byte(res.Out)); len(set.Keys) != 1 {
		t.Errorf("same key written %d times", len(set.Keys))
	}
	if !strings.Contains(res.Err, "is the same key as") {
		t.Errorf("stderr: %q", res.Err)
	}

	// Different keys with one kid are kept, with a warning.
	one := strings.Replace(cmdtest.ReadFixture("ec384.jwk"), `"kid": "ec384"`, `"kid": "same"`, 1)
	two := `{"keys":[{"kty":"EC","crv":"P-256","kid":"same","x":"ZLZLae9nbBbT3Asfb8DNmwZG_oPXq0JltM-uFzeOY0Q","y":"nXWR3wGofopJIPNMHDwy3UIrbOHjevzMUdLUxAamDTw"}]}`
	res = runFiles(t, map[string]string{"a.json": one, "b.json": two}, "a.json", "b.json")
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	set, _ := keys.Parse([]byte(res.Out))
	if len(set.Keys) != 2 || len(set.DuplicateKIDs()) != 1 {
		t.Errorf("got %d keys", len(set.Keys))
	}
	if !strings.Contains(res.Err, `clientassert: warning: kid "same" is used by 2 different keys`) {
		t.Errorf("no duplicate warning on stderr: %q", res.Err)
	}
}

func runFiles(t *testing.T, files map[string]string, args ...string) cmdtest.Result {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := writeFile(dir+"/"+name, body); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range args {
		if _, ok := files[a]; ok {
			args[i] = dir + "/" + a
		}
	}
	return run("", args...)
}

func TestJWKSErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no args", "", nil, "no key files given"},
		{"stdin twice", "", []string{"-", "-"}, "stdin (-) given 2 times"},
		{"missing file", "", []string{"/nonexistent/key.pem"}, "cannot read key /nonexistent/key.pem: no such file"},
		{"directory", "", []string{fx("")}, "is a directory"},
		{"garbage", "hello", []string{"-"}, "cannot parse key stdin: not a PEM key, JWK or JWKS"},
		{"oct", "", []string{fx("oct.jwk")}, "is a shared secret (oct)"},
		{"unknown kty", `{"keys":[{"kty":"foo"}]}`, []string{"-"}, `is not a key this tool can publish`},
		{"encrypted", "", []string{fx("encrypted.pkcs8.pem")}, "encrypted private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(tt.stdin, tt.args...)
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", res.Error, tt.want)
			}
			if cmdutil.ExitCode(res.Error) != cmdutil.ExitUsage {
				t.Errorf("exit code %d", cmdutil.ExitCode(res.Error))
			}
			if res.Out != "" {
				t.Errorf("stdout not empty on error: %q", res.Out)
			}
		})
	}
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o644) }
