package lint

import (
	"regexp"
	"slices"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/catalog"
)

var ruleIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestRuleRegistry guards the rule registry: valid IDs, complete metadata,
// links to real catalog entries that link back.
func TestRuleRegistry(t *testing.T) {
	for _, r := range Rules() {
		if !ruleIDPattern.MatchString(r.ID) {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		if r.Title == "" || r.Citation == "" || r.Why == "" || r.Fix == "" {
			t.Errorf("rule %s lacks title, citation, why or fix", r.ID)
		}
		switch r.Severity {
		case SeverityError, SeverityWarning, SeverityInfo:
		default:
			t.Errorf("rule %s has severity %q", r.ID, r.Severity)
		}
		if r.Server && r.Entry == "" {
			t.Errorf("server rule %s names no catalog entry", r.ID)
		}
		if r.Entry != "" {
			e, ok := catalog.ByID(r.Entry)
			if !ok {
				t.Errorf("rule %s names unknown catalog entry %q", r.ID, r.Entry)
			} else if !slices.Contains(e.Rules, r.ID) {
				t.Errorf("catalog entry %s does not list rule %s", e.ID, r.ID)
			}
		}
	}
	for _, e := range catalog.All() {
		for _, id := range e.Rules {
			if _, ok := RuleByID(id); !ok {
				t.Errorf("catalog entry %s lists unknown rule %q", e.ID, id)
			}
		}
	}
}

// TestEveryRuleHasAFixture makes sure each rule is exercised by a committed
// fixture token or request.
func TestEveryRuleHasAFixture(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range fixtures.Cases() {
		for _, r := range c.Rules {
			covered[r] = true
		}
	}
	for _, c := range fixtures.RequestCases() {
		for _, r := range c.Rules {
			covered[r] = true
		}
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no fixture in internal/fixtures", r.ID)
		}
	}
	for id := range covered {
		if _, ok := RuleByID(id); !ok {
			t.Errorf("fixture expects unknown rule %s", id)
		}
	}
}
