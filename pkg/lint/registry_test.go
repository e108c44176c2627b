package lint

import (
	"regexp"
	"slices"
	"testing"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/profile"
)

var ruleIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestRuleRegistry guards the rule registry: valid IDs, complete metadata,
// and steps the engine knows where to place.
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
		if r.Hint && r.Steps != nil {
			t.Errorf("hint %s lists steps; hints never decide an answer", r.ID)
		}
		steps := r.StepIDs()
		if r.Hint {
			steps = []string{r.ID} // a hint's anchor
		}
		for _, step := range steps {
			if _, ok := pipelineIndex()[step]; !ok {
				t.Errorf("rule %s: step %s has no place in the pipeline order", r.ID, step)
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

// TestModelsUseKnownSteps guards every server model: each step is one some
// rule fails at, each outcome is complete, and a model that names a catalog
// entry names one that lists the rule behind the step.
func TestModelsUseKnownSteps(t *testing.T) {
	byStep := map[string][]string{}
	for _, r := range Rules() {
		for _, id := range r.StepIDs() {
			byStep[id] = append(byStep[id], r.ID)
		}
	}
	for _, p := range profile.All() {
		seen := map[string]bool{}
		for _, st := range p.Steps {
			if seen[st.ID] {
				t.Errorf("%s: step %s listed twice", p.Name, st.ID)
			}
			seen[st.ID] = true
			rules := byStep[st.ID]
			if len(rules) == 0 {
				t.Errorf("%s: no rule fails at step %s", p.Name, st.ID)
			}
			o := st.Outcome
			if o.Status < 400 || o.Error == "" {
				t.Errorf("%s: step %s has an incomplete outcome %+v", p.Name, st.ID, o)
			}
			if o.Entry == "" {
				continue
			}
			e, ok := catalog.ByID(o.Entry)
			if !ok {
				t.Errorf("%s: step %s names unknown catalog entry %q", p.Name, st.ID, o.Entry)
				continue
			}
			listed := false
			for _, r := range rules {
				listed = listed || slices.Contains(e.Rules, r)
			}
			if !listed {
				t.Errorf("%s: catalog entry %s lists none of %v, the rules of step %s", p.Name, e.ID, rules, st.ID)
			}
		}
	}
}

// TestSeverityComesFromTheModel checks that one rule is an error where a
// model rejects for it and keeps its own severity elsewhere, in the report
// and in the registry alike.
func TestSeverityComesFromTheModel(t *testing.T) {
	smart, _ := profile.Get("smart", fixtures.TokenURL)
	rule, _ := RuleByID("exp-missing")
	if got := rule.SeverityIn(redox(t)); got != SeverityWarning {
		t.Errorf("exp-missing under redox: %s", got)
	}
	if got := rule.SeverityIn(smart); got != SeverityError {
		t.Errorf("exp-missing under smart: %s", got)
	}
	tok := fixtures.ReadToken(t, "no-exp")
	for _, p := range []profile.Profile{redox(t), smart} {
		r := Lint(Input{Token: tok, Profile: p, ClientID: fixtures.ClientID, Keys: fixtures.KeySet(t, "jwks.json"), Now: fixtures.Now})
		for _, f := range r.Findings {
			if f.Rule == "exp-missing" && f.Severity != rule.SeverityIn(p) {
				t.Errorf("%s: report says %s, registry says %s", p.Name, f.Severity, rule.SeverityIn(p))
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
