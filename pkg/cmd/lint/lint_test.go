package lint

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

func runLint(t *testing.T, color bool, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetColorEnabled(color)
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return fixtures.Now }, Getenv: os.Getenv}
	cmd := NewCmdLint(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	err := cmd.Execute()
	return out.String(), err
}

func token(t *testing.T, name string) string {
	data, err := os.ReadFile("../../../testdata/tokens/" + name + ".jwt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func TestColourOnlyWhenEnabled(t *testing.T) {
	plain, err := runLint(t, false, token(t, "iat-too-old"))
	if strings.Contains(plain, "\x1b[") {
		t.Error("escape codes without colour")
	}
	var fe *cmdutil.FindingsError
	if !errors.As(err, &fe) {
		t.Errorf("want a findings error (exit 1), got %v", err)
	}
	coloured, _ := runLint(t, true, token(t, "iat-too-old"))
	if !strings.Contains(coloured, "\x1b[31") {
		t.Error("no red in a coloured report with errors")
	}
	if stripANSI(coloured) != plain {
		t.Error("coloured and plain reports differ in text")
	}
}

func TestCleanTokenExitsZero(t *testing.T) {
	out, err := runLint(t, false, "--jwks", "../../../testdata/keys/jwks.json", token(t, "valid-rs384"))
	if err != nil {
		t.Fatalf("err %v\n%s", err, out)
	}
	if !strings.Contains(out, "200 OK") {
		t.Errorf("report:\n%s", out)
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
