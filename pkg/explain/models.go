package explain

import (
	"regexp"
	"sort"
	"strings"

	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// ServerAnswer is one server model that sends what the input shows.
type ServerAnswer struct {
	Profile string `json:"profile"`
	Title   string `json:"title"`
	Status  int    `json:"status"`
	Error   string `json:"error"`
	// Steps are the model's checks that answer this way, in its order, and
	// Rules the lint rules behind them.
	Steps []string `json:"steps"`
	Rules []string `json:"rules"`
	// Hidden marks a match on the reason the server only logs (the input
	// is a log line, not a response).
	Hidden bool `json:"hidden,omitempty"`
}

// serversSending searches every model's outcomes for the input: the exact
// description (templates filled with anything), a bare error code where a
// server sends no description, or a reason a server keeps in its logs.
func serversSending(resp *Response) []ServerAnswer {
	rulesOf := map[string][]string{}
	for _, r := range lint.Rules() {
		for _, id := range r.StepIDs() {
			rulesOf[id] = append(rulesOf[id], r.ID)
		}
	}
	var out []ServerAnswer
	for _, p := range profile.All() {
		if p.Name == "redox-ca" {
			continue // the same answers as redox
		}
		byAnswer := map[string]*ServerAnswer{}
		var order []string
		for _, st := range p.Steps {
			o := st.Outcome
			hidden := false
			switch {
			case resp.HasDescription && !o.NoDescription && templateMatches(o.Description, resp.ErrorDescription) &&
				(resp.Error == "" || resp.Error == o.Error):
			case !resp.HasDescription && o.NoDescription && resp.Error != "" && resp.Error == o.Error:
			case o.Hidden != "" && templateMatches(o.Hidden, strings.TrimSpace(resp.ErrorDescription)):
				hidden = true
			default:
				continue
			}
			key := o.Error + "\x00" + o.Description
			a, seen := byAnswer[key]
			if !seen {
				a = &ServerAnswer{Profile: p.Name, Title: p.Title, Status: o.Status, Error: o.Error, Hidden: hidden}
				byAnswer[key] = a
				order = append(order, key)
			}
			a.Steps = append(a.Steps, st.ID)
			for _, r := range rulesOf[st.ID] {
				if !contains(a.Rules, r) {
					a.Rules = append(a.Rules, r)
				}
			}
		}
		for _, k := range order {
			out = append(out, *byAnswer[k])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Hidden != out[j].Hidden && !out[i].Hidden })
	return out
}

// templateMatches compares a wire string with an outcome template whose
// {placeholders} stand for any text.
func templateMatches(template, text string) bool {
	if !strings.Contains(template, "{") {
		return template == text
	}
	if strings.HasPrefix(template, "{") && strings.Index(template, "}") == len(template)-1 {
		return false // a library message passed through whole: no bytes of its own to match
	}
	var b strings.Builder
	b.WriteString("^")
	for rest := template; rest != ""; {
		i := strings.Index(rest, "{")
		j := strings.Index(rest, "}")
		if i < 0 || j < i {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		b.WriteString(".*")
		rest = rest[j+1:]
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(text)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
