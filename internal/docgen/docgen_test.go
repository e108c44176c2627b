package docgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/lint"
)

//go:generate go run ./gen ../..

// TestCommittedDocsMatch fails when docs/ drifts from the registries.
func TestCommittedDocsMatch(t *testing.T) {
	for _, p := range Pages() {
		got, err := os.ReadFile(filepath.Join("../..", p.Path))
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./internal/docgen)", p.Path, err)
		}
		if !bytes.Equal(got, p.Content) {
			t.Errorf("%s is stale: run go generate ./internal/docgen and commit the result", p.Path)
		}
	}
}

func TestEveryEntryAndRuleHasASection(t *testing.T) {
	errors := string(Errors())
	for _, e := range catalog.All() {
		if !strings.Contains(errors, "\n## "+e.Anchor()+"\n") {
			t.Errorf("docs/errors.md has no section for %s", e.ID)
		}
	}
	rules := string(Rules())
	for _, r := range lint.Rules() {
		if !strings.Contains(rules, "\n## "+r.Anchor()+"\n") {
			t.Errorf("docs/rules.md has no section for %s", r.ID)
		}
	}
}
