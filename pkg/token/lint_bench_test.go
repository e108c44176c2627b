package token_test

import (
	"os"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/token"
)

// BenchmarkLintNoKey is the whole keyless lint of one token, most of which
// is token.Parse; compare it with BenchmarkGoJoseParseClaims of the same run.
func BenchmarkLintNoKey(b *testing.B) {
	data, err := os.ReadFile("../../testdata/tokens/valid-rs384.jwt")
	if err != nil {
		b.Fatal(err)
	}
	p, err := profile.Get("redox", "")
	if err != nil {
		b.Fatal(err)
	}
	in := lint.Input{Token: strings.TrimSpace(string(data)), Profile: p, Now: fixtures.Now}
	token.BenchCPU(b, func() {
		if r := lint.Lint(in); r.Predicted.Status != 200 {
			b.Fatal(r.Predicted)
		}
	})
}
