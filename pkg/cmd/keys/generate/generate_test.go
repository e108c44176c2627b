package generate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/cmdtest"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/keys"
)

func TestNewCmdGenerateFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		wantErr  string
		wantHint string
		want     GenerateOptions
	}{
		{name: "rsa default bits", args: "--alg RS384 --private-out k.pem --jwks-out j.json",
			want: GenerateOptions{Alg: "RS384", Bits: 2048, PrivateOut: "k.pem", JWKSOut: "j.json", Format: "text"}},
		{name: "rsa 4096 kid force", args: "--alg RS384 --bits 4096 --kid main --private-out k.pem --jwks-out j.json --force",
			want: GenerateOptions{Alg: "RS384", Bits: 4096, KID: "main", PrivateOut: "k.pem", JWKSOut: "j.json", Force: true, Format: "text"}},
		{name: "ec", args: "--alg ES384 --private-out k.pem --jwks-out j.json",
			want: GenerateOptions{Alg: "ES384", Bits: 2048, PrivateOut: "k.pem", JWKSOut: "j.json", Format: "text"}},
		{name: "no alg", args: "--private-out k.pem --jwks-out j.json", wantErr: "--alg is required"},
		{name: "bad alg", args: "--alg RS256 --private-out k.pem --jwks-out j.json", wantErr: `invalid --alg "RS256"`, wantHint: "use RS384 or ES384"},
		{name: "lower-case alg", args: "--alg es384 --private-out k.pem --jwks-out j.json", wantErr: `invalid --alg "es384"`, wantHint: "did you mean --alg ES384?"},
		{name: "bits with ec", args: "--alg ES384 --bits 2048 --private-out k.pem --jwks-out j.json", wantErr: "--bits applies only to --alg RS384"},
		{name: "bad bits", args: "--alg RS384 --bits 1024 --private-out k.pem --jwks-out j.json", wantErr: "invalid --bits 1024", wantHint: "use 2048, 3072 or 4096"},
		{name: "no private-out", args: "--alg RS384 --jwks-out j.json", wantErr: "--private-out and --jwks-out are required"},
		{name: "no jwks-out", args: "--alg RS384 --private-out k.pem", wantErr: "--private-out and --jwks-out are required"},
		{name: "same file", args: "--alg RS384 --private-out k.pem --jwks-out ./k.pem", wantErr: "are the same file"},
		{name: "stdout", args: "--alg RS384 --private-out - --jwks-out j.json", wantErr: "cannot write to stdout"},
		{name: "positional", args: "--alg RS384 --private-out k.pem --jwks-out j.json extra", wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *GenerateOptions
			res := cmdtest.Run(func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdGenerate(f, func(o *GenerateOptions) error { got = o; return nil })
			}, "", strings.Fields(tt.args)...)
			if tt.wantErr != "" {
				if res.Error == nil || !strings.Contains(res.Error.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", res.Error, tt.wantErr)
				}
				if cmdutil.ExitCode(res.Error) != cmdutil.ExitUsage {
					t.Errorf("exit code %d, want 2", cmdutil.ExitCode(res.Error))
				}
				if tt.wantHint != "" && !strings.Contains(cmdutil.FormatError(res.Error), "hint: "+tt.wantHint) {
					t.Errorf("no hint %q in %q", tt.wantHint, cmdutil.FormatError(res.Error))
				}
				return
			}
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			got.IO, got.Rand = nil, nil
			if *got != tt.want {
				t.Errorf("opts = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func run(t *testing.T, args ...string) cmdtest.Result {
	t.Helper()
	return cmdtest.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdGenerate(f, nil) }, "", args...)
}

func TestGenerate(t *testing.T) {
	for _, alg := range []string{"RS384", "ES384"} {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			priv, pub := filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwks.json")
			res := run(t, "--alg", alg, "--private-out", priv, "--jwks-out", pub)
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			if res.Out != "" {
				t.Errorf("stdout is not empty: %q", res.Out)
			}
			st, err := os.Stat(priv)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("private key mode %o, want 600", st.Mode().Perm())
			}
			privData, _ := os.ReadFile(priv)
			if !strings.HasPrefix(string(privData), "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("private key is not PKCS#8 PEM:\n%s", privData)
			}
			pubData, _ := os.ReadFile(pub)
			privSet, err := keys.Parse(privData)
			if err != nil {
				t.Fatal(err)
			}
			jwks, err := keys.Parse(pubData)
			if err != nil {
				t.Fatal(err)
			}
			k := jwks.Keys[0]
			tp, _ := keys.Thumbprint(privSet.Keys[0])
			if len(jwks.Keys) != 1 || k.Format != keys.FormatJWKS || k.KID != tp || k.Use != "sig" || k.Alg != alg || k.HasPrivate {
				t.Errorf("JWKS entry: kid=%q (thumbprint %q) use=%q alg=%q private=%v", k.KID, tp, k.Use, k.Alg, k.HasPrivate)
			}
			if want, _ := keys.AlgFor(privSet.Keys[0]); want != alg {
				t.Errorf("key implies %s, want %s", want, alg)
			}
			if len(keys.Match(jwks, privSet.Keys[0])) != 1 {
				t.Error("JWKS does not hold the public half of the private key")
			}
			if ps := keys.Check(jwks); len(ps) != 0 {
				t.Errorf("generated JWKS has problems: %+v", ps)
			}
			if alg == "RS384" && k.Bits != 2048 {
				t.Errorf("RSA key is %d bits", k.Bits)
			}
			if !strings.Contains(res.Err, tp) || !strings.Contains(res.Err, "Redox dashboard") || !strings.Contains(res.Err, "JWKS URL") {
				t.Errorf("stderr lacks the kid or the next step:\n%s", res.Err)
			}
			if strings.Contains(res.Err, "PRIVATE KEY") || strings.Contains(res.Err, string(privData[30:60])) {
				t.Error("stderr shows private key material")
			}
		})
	}
}

func TestGenerateKIDAndBits(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwks.json")
	res := run(t, "--alg", "RS384", "--bits", "3072", "--kid", "2026-01", "--private-out", priv, "--jwks-out", pub)
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	data, _ := os.ReadFile(pub)
	set, err := keys.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if k := set.Keys[0]; k.KID != "2026-01" || k.Bits != 3072 {
		t.Errorf("kid %q bits %d", k.KID, k.Bits)
	}
}

func TestGenerateRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(pub, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", pub)
	if res.Error == nil || !strings.Contains(res.Error.Error(), pub+" already exists") {
		t.Fatalf("error = %v", res.Error)
	}
	if _, err := os.Stat(priv); !errors.Is(err, os.ErrNotExist) {
		t.Error("the private key was written although the JWKS path was taken")
	}
	if data, _ := os.ReadFile(pub); string(data) != "old" {
		t.Error("the existing JWKS was changed")
	}

	res = run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", pub, "--force")
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	if data, _ := os.ReadFile(pub); string(data) == "old" {
		t.Error("--force did not overwrite")
	}
	first, _ := os.ReadFile(priv)

	// Both now exist: refused again without --force, and nothing changes.
	res = run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", filepath.Join(dir, "new.json"))
	if res.Error == nil || !strings.Contains(res.Error.Error(), "already exists") {
		t.Fatalf("error = %v", res.Error)
	}
	if again, _ := os.ReadFile(priv); string(again) != string(first) {
		t.Error("the private key changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "new.json")); err == nil {
		t.Error("the new JWKS was written although the private key path was taken")
	}
}

func TestGenerateBadTargets(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, priv, pub, want string
	}{
		{"directory", dir, filepath.Join(dir, "j.json"), "is a directory"},
		{"directory with force", dir, filepath.Join(dir, "j.json"), "is a directory"},
		{"missing dir", filepath.Join(dir, "nope", "k.pem"), filepath.Join(dir, "j.json"), "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--alg", "ES384", "--private-out", tt.priv, "--jwks-out", tt.pub}
			if strings.Contains(tt.name, "force") {
				args = append(args, "--force")
			}
			res := run(t, args...)
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", res.Error, tt.want)
			}
			if _, err := os.Stat(tt.pub); err == nil {
				t.Error("the JWKS was written")
			}
		})
	}
}

// A failure writing the JWKS leaves no private key behind, so a retry
// works without --force.
func TestGenerateFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwks.json")
	var calls int
	writePending = func(dir string, data []byte, perm os.FileMode) (string, error) {
		calls++
		if calls == 2 {
			return "", errors.New("no space left on device")
		}
		return writeTemp(dir, data, perm)
	}
	defer func() { writePending = writeTemp }()
	res := run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", pub)
	if res.Error == nil || !strings.Contains(res.Error.Error(), "cannot write "+pub+": no space left on device") {
		t.Fatalf("error = %v", res.Error)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
	if res := run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", pub); res.Error != nil {
		t.Fatalf("retry: %v", res.Error)
	}
}

func TestGenerateJSON(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "key.pem"), filepath.Join(dir, "jwks.json")
	res := run(t, "--alg", "ES384", "--private-out", priv, "--jwks-out", pub, "--format", "json")
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var got Result
	if err := json.Unmarshal([]byte(res.Out), &got); err != nil {
		t.Fatalf("%v\n%s", err, res.Out)
	}
	set, err := keys.Parse([]byte(cmdtest.ReadFile(t, pub)))
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := keys.Thumbprint(set.Keys[0])
	want := Result{Alg: "ES384", Key: "EC P-384", KID: tp, Thumbprint: tp, PrivateOut: priv, JWKSOut: pub}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if strings.Contains(res.Out, "PRIVATE") {
		t.Error("JSON shows key material")
	}
}
