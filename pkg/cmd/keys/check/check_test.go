package check

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/cmdtest"
	"github.com/clientassert/clientassert/pkg/cmdutil"
)

func run(stdin string, args ...string) cmdtest.Result {
	return cmdtest.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdCheck(f, nil) }, stdin, args...)
}

var fx = cmdtest.Fixture

func TestCheckText(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     []string
		findings bool
		want     []string
	}{
		{"clean", "", []string{fx("jwks.good.json")}, false,
			[]string{"2 keys", "RSA 2048-bit  use sig  alg RS384", "OK no problems found"}},
		{"clean with match", "", []string{fx("jwks.good.json"), "--key", fx("ec384.pkcs8.pem")}, false,
			[]string{`match: key 1 (kid "VWPKux3dGrXICSL0vxf_PjcxATKNtOHxxTjX9GIrnMc") holds the public half of`, "OK no problems found"}},
		{"no match", "", []string{fx("jwks.good.json"), "--key", fx("ec256.sec1.pem")}, true,
			[]string{"no-match", "no key in", "is the public half of", "FAIL 1 error, 0 warnings"}},
		{"bad", "", []string{fx("jwks.bad.json")}, true,
			[]string{"private-members", "duplicate-kid", "rsa-too-small", "curve-alg-mismatch", "use-not-sig", "missing-kid", "missing-kty",
				"key-ops-not-verify", "alg-not-signing", "kty-alg-mismatch", "unsupported-kty", "unsupported-crv", "fix:", "PRIVATE", "FAIL 14 errors, 2 warnings"}},
		{"warning only", "", []string{"-"}, false, []string{"rsa-too-small", "OK with 1 warning"}},
		{"empty", `{"keys":[]}`, []string{"-"}, true, []string{"empty-set", "FAIL 1 error"}},
		{"single jwk", "", []string{fx("rsa2048.pub.jwk")}, true, []string{"missing-kid", "EQhQ2WSZRyAhlsfduIEafu6XExmtl119cLCqk9t6q14"}},
		{"match with a problem", "", []string{"-", "--key", fx("rsa2048.pkcs8.pem")}, true,
			[]string{"use-not-sig", "match: key 0", "but: it cannot verify RS384"}},
	}
	small := `{"keys":[` + jwkOf(t, "rsa1024.spki.pem", `"kid":"small"`) + `]}`
	enc := `{"keys":[` + jwkOf(t, "rsa2048.spki.pem", `"kid":"e","use":"enc"`) + `]}`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := tt.stdin
			switch tt.name {
			case "warning only":
				stdin = small
			case "match with a problem":
				stdin = enc
			}
			res := run(stdin, tt.args...)
			var fe *cmdutil.FindingsError
			if got := errors.As(res.Error, &fe); got != tt.findings || (res.Error != nil && !got) {
				t.Fatalf("error = %v, want findings=%v", res.Error, tt.findings)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, res.Out)
				}
			}
			if strings.Contains(res.Out, "\x1b[") {
				t.Error("colour without a terminal")
			}
		})
	}
}

// jwkOf returns a fixture's public JWK with extra members.
func jwkOf(t *testing.T, fixture, extra string) string {
	t.Helper()
	var pub struct {
		Keys []map[string]any `json:"keys"`
	}
	out := cmdtest.Run(newJWKS, "", fx(fixture)).Out
	if err := json.Unmarshal([]byte(out), &pub); err != nil {
		t.Fatal(err)
	}
	m := pub.Keys[0]
	delete(m, "kid")
	delete(m, "use")
	b, _ := json.Marshal(m)
	return strings.TrimSuffix(string(b), "}") + "," + extra + "}"
}

func TestCheckJSON(t *testing.T) {
	res := run("", fx("jwks.bad.json"), "--format", "json", "--key", fx("rsa2048.pkcs1.pem"))
	var fe *cmdutil.FindingsError
	if !errors.As(res.Error, &fe) {
		t.Fatalf("error = %v, want findings", res.Error)
	}
	var rep struct {
		OK       bool              `json:"ok"`
		Problems []json.RawMessage `json:"problems"`
		Match    *struct {
			KID   string `json:"kid"`
			Index int    `json:"index"`
		} `json:"match"`
	}
	if err := json.Unmarshal([]byte(res.Out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, res.Out)
	}
	if rep.OK || len(rep.Problems) != 16 || rep.Match == nil || rep.Match.KID != "leaky" || rep.Match.Index != 0 {
		t.Errorf("ok=%v problems=%d match=%+v", rep.OK, len(rep.Problems), rep.Match)
	}
	for _, secret := range []string{`"d":`, `"p":`, `"k":`} {
		if strings.Contains(res.Out, secret) {
			t.Errorf("JSON report repeats %s", secret)
		}
	}

	res = run("", fx("jwks.good.json"), "--format", "json")
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(res.Out), &generic); err != nil {
		t.Fatal(err)
	}
	if generic["ok"] != true || generic["match"] != nil {
		t.Errorf("ok=%v match=%v", generic["ok"], generic["match"])
	}
	if ps, ok := generic["problems"].([]any); !ok || len(ps) != 0 {
		t.Errorf("problems = %#v, want []", generic["problems"])
	}
}

func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no args", "", nil, "expected one JWKS file, got 0"},
		{"bad format", "", []string{fx("jwks.good.json"), "--format", "yaml"}, `invalid --format "yaml"`},
		{"both stdin", "", []string{"-", "--key", "-"}, "cannot both come from stdin"},
		{"pem instead of jwks", "", []string{fx("rsa2048.spki.pem")}, "is a SPKI PEM, not a JWKS"},
		{"missing", "", []string{"missing.json"}, "cannot read key set missing.json: no such file"},
		{"garbage", "{", []string{"-"}, "cannot parse key set stdin: invalid JSON"},
		{"key missing", "", []string{fx("jwks.good.json"), "--key", "nope.pem"}, "cannot read key nope.pem: no such file"},
		{"key with two keys", "", []string{fx("jwks.good.json"), "--key", fx("bundle.pem")}, "holds 2 keys; expected one private key"},
		{"key unknown type", `{"kty":"EC","crv":"P-192","x":"AA","y":"AA"}`, []string{fx("jwks.good.json"), "--key", "-"}, "which this tool cannot match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(tt.stdin, tt.args...)
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", res.Error, tt.want)
			}
			if cmdutil.ExitCode(res.Error) != cmdutil.ExitUsage {
				t.Errorf("exit code %d, want 2", cmdutil.ExitCode(res.Error))
			}
		})
	}
}
