package docgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

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

// A command that was removed or renamed must not leave its page behind.
func TestNoOrphanCLIPages(t *testing.T) {
	want := map[string]bool{}
	for _, p := range Pages() {
		want[filepath.FromSlash(p.Path)] = true
	}
	orphans, err := Orphans("../..", want)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orphans {
		t.Errorf("%s belongs to no command: run go generate ./internal/docgen and commit the result", o)
	}
}

// Rendering twice gives the same bytes: nothing depends on the clock or the
// environment.
func TestCLIPagesAreDeterministic(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1")
	first, second := CLIPages(), CLIPages()
	if len(first) != len(second) {
		t.Fatalf("%d pages, then %d", len(first), len(second))
	}
	for i := range first {
		if first[i].Path != second[i].Path || !bytes.Equal(first[i].Content, second[i].Content) {
			t.Errorf("%s differs between runs", first[i].Path)
		}
	}
}

// Every available command has a markdown page and a man page with its
// examples in them.
func TestEveryCommandHasCLIPages(t *testing.T) {
	pages := map[string]string{}
	for _, p := range CLIPages() {
		pages[p.Path] = string(p.Content)
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		md := CLIDir + "/" + strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
		man := CLIDir + "/man/" + strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		if !strings.Contains(pages[md], "### Examples") {
			t.Errorf("%s: missing or without examples", md)
		}
		if !strings.Contains(pages[man], ".SH EXAMPLE") || !strings.Contains(pages[man], `"Nov 2026"`) {
			t.Errorf("%s: missing, without examples or with another date", man)
		}
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
	}
	walk(CommandTree())
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
