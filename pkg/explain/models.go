package explain

import (
	"slices"
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
				if !slices.Contains(a.Rules, r) {
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
	var fixed []string
	for rest := template; ; {
		open, end := strings.Index(rest, "{"), strings.Index(rest, "}")
		if open < 0 || end < open {
			fixed = append(fixed, rest)
			break
		}
		fixed = append(fixed, rest[:open])
		rest = rest[end+1:]
	}
	if strings.Join(fixed, "") == "" {
		return false // a library message passed through whole: no bytes of its own to match
	}
	first, last := fixed[0], fixed[len(fixed)-1]
	if !strings.HasPrefix(text, first) || !strings.HasSuffix(text[len(first):], last) {
		return false
	}
	middle := text[len(first) : len(text)-len(last)]
	for _, piece := range fixed[1 : len(fixed)-1] {
		at := strings.Index(middle, piece)
		if at < 0 {
			return false
		}
		middle = middle[at+len(piece):]
	}
	return true
}
