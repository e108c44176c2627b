package thumbprint

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/cmdtest"
	"github.com/clientassert/clientassert/pkg/cmdutil"
)

func run(stdin string, args ...string) cmdtest.Result {
	return cmdtest.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdThumbprint(f, nil) }, stdin, args...)
}

var fx = cmdtest.Fixture

const (
	rsaTP = "EQhQ2WSZRyAhlsfduIEafu6XExmtl119cLCqk9t6q14" // pkg/keys/testdata rsa2048, as jose 2.x computes it
	ecTP  = "VWPKux3dGrXICSL0vxf_PjcxATKNtOHxxTjX9GIrnMc" // ec384
)

func TestThumbprint(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"rfc 7638 example", "", []string{fx("rfc7638.jwk")}, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{"pkcs1 private", "", []string{fx("rsa2048.pkcs1.pem")}, rsaTP},
		{"certificate", "", []string{fx("rsa2048.cert.pem")}, rsaTP},
		{"private jwk", "", []string{fx("ec384.jwk")}, ecTP},
		{"stdin", cmdtest.ReadFixture("ec384.spki.pem"), []string{"-"}, ecTP},
		{"jwks by kid", "", []string{fx("jwks.good.json"), "--kid", ecTP}, ecTP},
		{"single key, matching kid", "", []string{fx("ec384.jwk"), "--kid", "ec384"}, ecTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(tt.stdin, tt.args...)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if res.Out != tt.want+"\n" {
				t.Errorf("stdout = %q, want %q", res.Out, tt.want+"\n")
			}
		})
	}
}

func TestThumbprintErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
		hint  string
	}{
		{"no args", "", nil, "expected one key file, got 0", ""},
		{"two args", "", []string{fx("oct.jwk"), fx("oct.jwk")}, "expected one key file, got 2", ""},
		{"several keys", "", []string{fx("jwks.good.json")}, "holds 2 keys", "choose one with --kid; kids in the file: \"" + rsaTP + "\", \"" + ecTP + "\""},
		{"bundle", "", []string{fx("bundle.pem")}, "holds 2 keys", "(none), (none)"},
		{"unknown kid", "", []string{fx("jwks.good.json"), "--kid", "nope"}, `no key with kid "nope"`, "kids in the file"},
		{"duplicate kid", "", []string{fx("jwks.bad.json"), "--kid", "dup"}, `2 keys in`, "kids must be unique"},
		{"empty jwks", `{"keys":[]}`, []string{"-"}, "stdin holds no keys", ""},
		{"missing file", "", []string{"nope.pem"}, "cannot read key nope.pem: no such file", ""},
		{"garbage", "garbage", []string{"-"}, "not a PEM key, JWK or JWKS", "give a PEM file"},
		{"no kty", `{"keys":[{"kid":"x"}]}`, []string{"-"}, "cannot compute the thumbprint", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(tt.stdin, tt.args...)
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", res.Error, tt.want)
			}
			if msg := cmdutil.FormatError(res.Error); tt.hint != "" && !strings.Contains(msg, tt.hint) {
				t.Errorf("hint missing %q in\n%s", tt.hint, msg)
			}
			if cmdutil.ExitCode(res.Error) != cmdutil.ExitUsage || res.Out != "" {
				t.Errorf("exit %d, stdout %q", cmdutil.ExitCode(res.Error), res.Out)
			}
		})
	}
}
