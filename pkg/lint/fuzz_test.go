package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/catalog"
)

// FuzzLint runs the whole pipeline on arbitrary tokens: it must not panic,
// every finding must name a registered rule, and a rejection must carry a
// rule and a description the catalog or a library template accounts for.
func FuzzLint(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/tokens/*.jwt")
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		f.Add(strings.TrimSpace(string(data)))
	}
	keys := fixtures.KeySet(f, "jwks.json")
	prof := redox(f)
	f.Fuzz(func(t *testing.T, tok string) {
		r := Lint(Input{Token: tok, Profile: prof, ClientID: fixtures.ClientID, Keys: keys, Now: fixtures.Now})
		for _, fd := range r.Findings {
			if _, ok := RuleByID(fd.Rule); !ok {
				t.Fatalf("unregistered rule %q", fd.Rule)
			}
		}
		switch r.Predicted.Status {
		case 200:
			if r.HasErrors() && hasServerError(r) {
				t.Fatal("200 predicted with a failing server check")
			}
		case 400:
			if r.Predicted.Rule == "" || !knownDescription(r.Predicted.ErrorDescription) {
				t.Fatalf("unexplained prediction %+v", r.Predicted)
			}
		default:
			t.Fatalf("status %d", r.Predicted.Status)
		}
	})
}

func hasServerError(r *Report) bool {
	for _, f := range r.Findings {
		if f.ServerCheck && f.Severity == SeverityError {
			return true
		}
	}
	return false
}

func knownDescription(d string) bool {
	if _, ok := catalog.ByDescription(d); ok {
		return true
	}
	return strings.HasPrefix(d, "the key does not support ") || strings.HasPrefix(d, `critical "`) ||
		strings.HasPrefix(d, "The critical list contains a non-extension Header Parameter ")
}
