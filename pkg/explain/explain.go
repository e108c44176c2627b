// Package explain turns what the token endpoint answered into the catalog
// entries that describe it: what the server checked, the likely causes, the
// fix, and the clientassert lint command that shows the problem locally.
package explain

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// Options say when the response was received. The Date header is compared
// with the iat of the assertion the input holds; without one, with Now when
// NowGiven (the user says when the response came back). The moment explain
// runs is never compared: a transcript is pasted seconds or days later.
type Options struct {
	Now      time.Time
	NowGiven bool
}

// Result is everything explain found. Matches is empty when the text is
// unknown; Nearest then holds suggestions.
type Result struct {
	Input   *Response `json:"input"`
	Status  int       `json:"status,omitempty"`
	Clock   *Clock    `json:"clock,omitempty"`
	Known   bool      `json:"known"`
	Matches []Match   `json:"matches"`
	Nearest []Match   `json:"nearest,omitempty"`
	// Accepted is true for a success response: there is nothing to explain.
	Accepted bool     `json:"accepted,omitempty"`
	Advice   []string `json:"advice,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	// Servers are the server models that answer this way.
	Servers []ServerAnswer `json:"servers,omitempty"`
}

// Match is one catalog entry that explains the input.
type Match struct {
	ID string `json:"id"`
	// ErrorDescription is the wire string the input matched or stands for.
	ErrorDescription string `json:"error_description"`
	Match            Kind   `json:"match"`
	// Score is the similarity (0..1) for close and nearest matches.
	Score float64 `json:"score,omitempty"`
	// Name is the claim, header or algorithm name a template carried.
	Name    string         `json:"name,omitempty"`
	Source  catalog.Source `json:"source"`
	Stage   catalog.Stage  `json:"stage"`
	Checked string         `json:"checked"`
	// Causes are ranked, most likely first; evidence from the response
	// (a skewed clock) comes before the catalog's own order.
	Causes   []string `json:"causes"`
	Fix      string   `json:"fix"`
	FixSteps []string `json:"fix_steps"`
	Rules    []string `json:"rules"`
	// LintCommand is the command that shows the problem locally.
	LintCommand string `json:"lint_command"`
	Doc         string `json:"doc"`
	Note        string `json:"note,omitempty"`
}

// Clock compares the response's Date header with the assertion's iat, or
// with the moment given by --now.
type Clock struct {
	ServerDate time.Time `json:"server_date"`
	// LocalTime is the iat of the assertion (LocalFrom "iat") or the --now
	// moment (LocalFrom "now-flag").
	LocalTime time.Time `json:"local_time"`
	LocalFrom string    `json:"local_from"`
	// SkewSeconds is LocalTime minus ServerDate: positive when the client's
	// clock is ahead of the server's.
	SkewSeconds      int64  `json:"skew_seconds"`
	ToleranceSeconds int64  `json:"tolerance_seconds"`
	Verdict          string `json:"verdict"`
	Message          string `json:"message"`
}

// Clock verdicts.
const (
	WithinTolerance = "within-tolerance"
	BeyondTolerance = "beyond-tolerance"
)

// Explain parses input and explains it.
func Explain(input string, opts Options) *Result {
	return ExplainResponse(Parse(input), opts)
}

// ExplainResponse explains an already parsed response.
func ExplainResponse(resp *Response, opts Options) *Result {
	res := &Result{Input: resp, Status: resp.Status, Matches: []Match{}}
	res.Notes = append(res.Notes, resp.Notes...)
	prof := profileFor(resp.URL)
	switch {
	case !resp.Date.IsZero() && resp.IssuedAt != nil:
		res.Clock = compareIAT(resp.Date, *resp.IssuedAt, prof)
	case !resp.Date.IsZero() && opts.NowGiven:
		res.Clock = compareClock(resp.Date, opts, prof)
	case !resp.Date.IsZero():
		res.Notes = append(res.Notes, "the clock was not checked: the input holds no assertion whose iat could be compared with the Date header; pass --now with the moment the response came back to compare this machine's clock")
	}
	res.Input = capEcho(resp, &res.Notes)
	if resp.AccessToken || (!resp.HasDescription && resp.Error == "" && resp.Status >= 200 && resp.Status < 300) {
		res.Accepted = true
		res.Known = true
		res.Notes = append(res.Notes, "the server accepted the assertion; there is no error to explain")
		return res
	}
	desc := resp.ErrorDescription
	if !resp.HasDescription {
		if resp.Error == "" {
			res.Advice = generalAdvice(resp)
			return res
		}
		res.Notes = append(res.Notes, "the error body has no error_description member; treating it as blank")
	}
	res.Servers = serversSending(resp)
	matches, nearest := find(desc)
	ctx := lintContext{resp: resp, opts: opts, prof: prof}
	for _, m := range matches {
		res.Matches = append(res.Matches, ctx.match(m, res.Clock))
	}
	for _, m := range nearest {
		res.Nearest = append(res.Nearest, ctx.match(m, res.Clock))
	}
	res.Known = len(res.Matches) > 0 || len(res.Servers) > 0
	if len(res.Matches) == 0 {
		res.Advice = generalAdvice(resp)
	}
	return res
}

// compareIAT compares the assertion's iat with the Date of the answer to
// it. iat comes a little before Date (signing, then the round trip); iat
// after Date beyond the tolerance means the signing clock runs ahead, and
// an iat older than the server accepts means the assertion was signed too
// long before it was sent, or by a clock that runs behind.
func compareIAT(server, iat time.Time, prof profile.Profile) *Clock {
	c := &Clock{
		ServerDate:       server,
		LocalTime:        iat.UTC(),
		LocalFrom:        "iat",
		SkewSeconds:      int64(iat.Sub(server) / time.Second),
		ToleranceSeconds: int64(prof.Tolerance / time.Second),
	}
	maxAge := prof.MaxTokenAge + prof.Tolerance
	skew := c.SkewSeconds
	switch {
	case skew > c.ToleranceSeconds:
		c.Verdict = BeyondTolerance
		c.Message = fmt.Sprintf("the assertion's iat is %s after the server's Date header, beyond the server's %ds tolerance: the clock that signed it runs ahead, the likely cause of iat errors",
			seconds(skew), c.ToleranceSeconds)
	case prof.MaxTokenAge > 0 && time.Duration(-skew)*time.Second > maxAge:
		c.Verdict = BeyondTolerance
		c.Message = fmt.Sprintf("the assertion's iat is %s before the server's Date header, more than the %s the server accepts: it was signed too long before it was sent, or by a clock that runs behind",
			seconds(-skew), maxAge)
	default:
		c.Verdict = WithinTolerance
		c.Message = fmt.Sprintf("the assertion's iat fits the server's Date header (%s); clock skew is not the problem", relation(skew, "iat"))
	}
	return c
}

// relation says how far a moment lies from the server's Date: "iat is 3s
// before it", "the same second".
func relation(skew int64, what string) string {
	switch {
	case skew == 0:
		return what + " is the same second"
	case skew > 0:
		return fmt.Sprintf("%s is %s after it", what, seconds(skew))
	}
	return fmt.Sprintf("%s is %s before it", what, seconds(-skew))
}

func compareClock(server time.Time, opts Options, prof profile.Profile) *Clock {
	local := opts.Now.UTC().Truncate(time.Second)
	c := &Clock{
		ServerDate:       server,
		LocalTime:        local,
		LocalFrom:        "now-flag",
		SkewSeconds:      int64(local.Sub(server) / time.Second),
		ToleranceSeconds: int64(prof.Tolerance / time.Second),
	}
	skew := c.SkewSeconds
	if skew < 0 {
		skew = -skew
	}
	if skew <= c.ToleranceSeconds {
		c.Verdict = WithinTolerance
		c.Message = fmt.Sprintf("the local clock is within %ds of the server's Date header (%s); clock skew is not the problem",
			c.ToleranceSeconds, relation(c.SkewSeconds, "--now"))
		return c
	}
	c.Verdict = BeyondTolerance
	if c.SkewSeconds > 0 {
		c.Message = fmt.Sprintf("the local clock is %s ahead of the server's Date header, beyond the server's %ds tolerance: an iat set by this clock is in the server's future, the likely cause of iat errors",
			seconds(skew), c.ToleranceSeconds)
		return c
	}
	c.Message = fmt.Sprintf("the local clock is %s behind the server's Date header, beyond the server's %ds tolerance: an iat set by this clock is already %s old when it arrives",
		seconds(skew), c.ToleranceSeconds, seconds(skew))
	if limit := prof.MaxTokenAge + prof.Tolerance; time.Duration(skew)*time.Second > limit {
		c.Message += fmt.Sprintf(", more than the %s the server accepts: the likely cause of iat errors", limit)
	}
	return c
}

// clockCause is the evidence-based cause for a time entry, or "" when the
// skew does not explain it.
func clockCause(e catalog.Entry, c *Clock) string {
	if c == nil || c.Verdict != BeyondTolerance {
		return ""
	}
	ahead := c.SkewSeconds > 0
	skew := seconds(abs(c.SkewSeconds))
	if c.LocalFrom == "iat" {
		switch {
		case ahead && (e.ID == "iat-future" || e.ID == "nbf-future" || e.Stage == catalog.StageUnknown):
			return fmt.Sprintf("The assertion's iat is %s after the server's Date header, more than the %ds it tolerates: the clock that signed it runs ahead.", skew, c.ToleranceSeconds)
		case !ahead && (e.ID == "iat-too-old" || e.ID == "exp-expired" || e.Stage == catalog.StageUnknown):
			return fmt.Sprintf("The assertion's iat is %s before the server's Date header: it was signed too long before it was sent, or by a clock that runs behind.", skew)
		}
		return ""
	}
	switch {
	case ahead && (e.ID == "iat-future" || e.ID == "nbf-future" || e.Stage == catalog.StageUnknown):
		return fmt.Sprintf("The clock that set iat runs %s ahead of the server's (Date header), more than the %ds it tolerates, so iat lands in the server's future.", skew, c.ToleranceSeconds)
	case !ahead && (e.ID == "iat-too-old" || e.ID == "exp-expired" || e.Stage == catalog.StageUnknown):
		return fmt.Sprintf("The clock that set iat runs %s behind the server's (Date header), so every assertion starts that much older in the server's eyes.", skew)
	}
	return ""
}

type lintContext struct {
	resp *Response
	opts Options
	prof profile.Profile
}

func (ctx lintContext) match(f found, clock *Clock) Match {
	e := f.entry
	m := Match{
		ID: e.ID, ErrorDescription: f.desc, Match: f.kind, Name: f.name,
		Source: e.Source, Stage: e.Stage, Checked: e.Checked,
		Fix: strings.Join(e.Fix, " "), FixSteps: append([]string{}, e.Fix...),
		Rules: append([]string{}, e.Rules...), Doc: e.DocURL(), Note: f.note,
		LintCommand: ctx.command(e),
	}
	if f.kind == KindClose || f.kind == KindNearest {
		m.Score = f.score
	}
	if cause := clockCause(e, clock); cause != "" {
		m.Causes = append(m.Causes, cause)
	}
	m.Causes = append(m.Causes, e.Causes...)
	return m
}

// command builds the lint invocation that reproduces the entry. The token,
// client_id and file names are placeholders; the time, profile and token
// URL come from the response when it has them.
func (ctx lintContext) command(e catalog.Entry) string {
	args := []string{"clientassert", "lint"}
	if e.Stage == catalog.StageRequest {
		args = append(args, "--request", "request.http")
	} else {
		args = append(args, `"$TOKEN"`)
		if needsKey(e) {
			args = append(args, "--client-id", `"$CLIENT_ID"`, "--jwks", "jwks.json")
		}
	}
	if ctx.prof.Name != profile.Default {
		args = append(args, "--profile", ctx.prof.Name)
		if own, _ := profile.Get(ctx.prof.Name, ""); own.TokenURL == "" {
			args = append(args, "--aud", ctx.prof.TokenURL)
		}
	}
	switch {
	case !ctx.resp.Date.IsZero():
		args = append(args, "--now", ctx.resp.Date.Format(time.RFC3339))
	case ctx.opts.NowGiven:
		args = append(args, "--now", ctx.opts.Now.UTC().Format(time.RFC3339))
	}
	return strings.Join(args, " ")
}

// needsKey is true when a rule predicting the entry only runs with the
// registered keys, or when the entry gives no clue at all.
func needsKey(e catalog.Entry) bool {
	if e.Stage == catalog.StageUnknown {
		return true
	}
	for _, id := range e.Rules {
		if r, ok := lint.RuleByID(id); ok && r.NeedsKey {
			return true
		}
	}
	return false
}

// profileFor picks the profile whose token URL is the request's URL. A URL
// no profile knows gets the generic RFC 7523 profile with that URL as the
// audience; no URL at all, the default profile.
func profileFor(target string) profile.Profile {
	def, _ := profile.Get(profile.Default, "")
	u, err := url.Parse(target)
	if target == "" || err != nil || u.Host == "" {
		return def
	}
	for _, name := range profile.Names() {
		p, err := profile.Get(name, "")
		if err != nil || p.TokenURL == "" {
			continue
		}
		if pu, err := url.Parse(p.TokenURL); err == nil && strings.EqualFold(pu.Host, u.Host) {
			return p
		}
	}
	if p, err := profile.Get("rfc7523", target); err == nil {
		return p
	}
	return def
}

func generalAdvice(resp *Response) []string {
	var advice []string
	switch s := resp.Status; {
	case s == 404:
		advice = append(advice, "HTTP 404: the URL is wrong; POST to the token URL, e.g. https://api.redoxengine.com/v2/auth/token.")
	case s == 405:
		advice = append(advice, "HTTP 405: the token endpoint takes POST only.")
	case s == 415:
		advice = append(advice, "HTTP 415: send the body as application/x-www-form-urlencoded.")
	case s == 429:
		advice = append(advice, "HTTP 429: the server is rate limiting; wait and retry, and reuse access tokens until they expire.")
	case s >= 500:
		advice = append(advice, fmt.Sprintf("HTTP %d: the server failed; the assertion may be fine, retry later.", s))
	case s >= 200 && s < 300:
	case s != 0 && resp.Error == "" && !resp.HasDescription:
		advice = append(advice, fmt.Sprintf("HTTP %d without an OAuth error body: the answer may come from a proxy or gateway, not the token endpoint.", s))
	}
	return append(advice,
		"Give the error_description exactly as the server sent it, or the whole response (clientassert explain - < response.txt).",
		`Run clientassert lint on the exact token you sent, with --now set to the moment you sent it: it lists every problem and the error_description each one causes.`,
		"Run clientassert explain --list to see every error_description clientassert knows.",
	)
}

func seconds(n int64) string {
	d := time.Duration(n) * time.Second
	if n < 60 {
		return fmt.Sprintf("%ds", n)
	}
	return d.String()
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ListEntry is one catalog entry for --list.
type ListEntry struct {
	ID                string         `json:"id"`
	ErrorDescriptions []string       `json:"error_descriptions"`
	DocumentedAs      string         `json:"documented_as,omitempty"`
	Templates         []string       `json:"templates,omitempty"`
	Source            catalog.Source `json:"source"`
	Stage             catalog.Stage  `json:"stage"`
	Checked           string         `json:"checked"`
	Causes            []string       `json:"causes"`
	Fix               string         `json:"fix"`
	FixSteps          []string       `json:"fix_steps"`
	Rules             []string       `json:"rules"`
	Doc               string         `json:"doc"`
}

// List returns every catalog entry, in the server's order.
func List() []ListEntry {
	var out []ListEntry
	for _, e := range catalog.All() {
		out = append(out, ListEntry{
			ID: e.ID, ErrorDescriptions: e.Descriptions, DocumentedAs: e.DocumentedAs, Templates: e.Templates,
			Source: e.Source, Stage: e.Stage, Checked: e.Checked, Causes: e.Causes,
			Fix: strings.Join(e.Fix, " "), FixSteps: e.Fix, Rules: append([]string{}, e.Rules...), Doc: e.DocURL(),
		})
	}
	return out
}
