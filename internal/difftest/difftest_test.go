package difftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/testenv"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
)

const (
	minCases        = 220
	mixedCases      = 90
	minDescriptions = 25
)

// answer is a token endpoint response reduced to what is compared.
type answer struct {
	ID               string  `json:"id"`
	Status           int     `json:"status"`
	ErrorDescription *string `json:"error_description"`
	Internal         string  `json:"internal,omitempty"`
	Fatal            string  `json:"fatal,omitempty"`
}

func (a answer) String() string {
	if a.Status == 200 {
		return "200"
	}
	d := "<none>"
	if a.ErrorDescription != nil {
		d = fmt.Sprintf("%q", *a.ErrorDescription)
	}
	return fmt.Sprintf("%d %s", a.Status, d)
}

func (a answer) equal(b answer) bool {
	if a.Status != b.Status {
		return false
	}
	if a.Status == 200 {
		return true
	}
	return a.ErrorDescription != nil && b.ErrorDescription != nil && *a.ErrorDescription == *b.ErrorDescription
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestDiffJose compares clientassert's predicted answer with what the
// server's validating library answers, case by case.
func TestDiffJose(t *testing.T) {
	root := moduleRoot(t)
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "the differential oracle needs node, which is not installed", "apt-get install nodejs npm && npm ci --prefix testdata/oracle")
	}
	if _, err := os.Stat(filepath.Join(root, "testdata", "oracle", "node_modules", "jose", "package.json")); err != nil {
		testenv.Missing(t, "the differential oracle needs jose 2.0.7 under testdata/oracle/node_modules, which is missing", "npm ci --prefix testdata/oracle")
	}

	g := newGen(newKeyring(t))
	g.generate(mixedCases)
	for _, err := range g.err {
		t.Error(err)
	}
	if len(g.cases) < minCases {
		t.Fatalf("generated %d cases, want at least %d", len(g.cases), minCases)
	}

	want := runOracle(t, node, filepath.Join(root, "testdata", "oracle", "predict.js"), g.cases)

	var mismatches, known int
	descriptions := map[string]int{}
	ok200 := 0
	for _, c := range g.cases {
		w, found := want[c.ID]
		if !found {
			t.Errorf("%s: no answer from the oracle", c.ID)
			continue
		}
		if w.Status == 200 {
			ok200++
		} else if w.ErrorDescription != nil {
			descriptions[*w.ErrorDescription]++
		}
		checkKeyless(t, c, w)
		got, detail := predict(c)
		if got.equal(w) {
			continue
		}
		msg := fmt.Sprintf("%s: Go predicts %s, jose answers %s\n%s%s", c.ID, got, w, c.describe(), detail)
		if w.Internal != "" {
			msg += "  jose internal error: " + firstLine(w.Internal) + "\n"
		}
		if c.Known != "" {
			known++
			t.Logf("known mismatch (%s)\n%s", c.Known, msg)
			continue
		}
		mismatches++
		t.Error("mismatch\n" + msg)
	}

	if ok200 == 0 {
		t.Error("no generated case is accepted (status 200): the generator is broken")
	}
	if len(descriptions) < minDescriptions {
		t.Errorf("the cases cover %d distinct error_descriptions, want at least %d", len(descriptions), minDescriptions)
	}
	var lines []string
	for d, n := range descriptions {
		lines = append(lines, fmt.Sprintf("%4d  %q", n, d))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][6:] < lines[j][6:] })
	t.Logf("%d cases: %d accepted (200), %d distinct error_descriptions; %d mismatches, %d known mismatches\n%s",
		len(g.cases), ok200, len(descriptions), mismatches, known, strings.Join(lines, "\n"))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// runOracle sends every case to predict.js in one batch.
func runOracle(t *testing.T, node, script string, cases []*tcase) map[string]answer {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		if err := enc.Encode(c.oracleInput()); err != nil {
			t.Fatalf("%s: encode oracle input: %v", c.ID, err)
		}
	}
	cmd := exec.Command(node, script)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if os.Getenv("DIFFTEST_DEBUG") != "" {
		cmd.Env = append(os.Environ(), "ORACLE_DEBUG=1")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle failed: %v\n%s", err, stderr.String())
	}
	answers := map[string]answer{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Text(), err)
		}
		if a.Fatal != "" {
			t.Fatalf("oracle: %s", a.Fatal)
		}
		answers[a.ID] = a
	}
	if len(answers) != len(cases) {
		t.Fatalf("oracle answered %d of %d cases", len(answers), len(cases))
	}
	return answers
}

// predict runs clientassert on the case as the CLI would: the raw HTTP
// request through request.Parse, the client's JWKS through keys.Parse.
// detail explains the prediction for a failure message.
func predict(c *tcase) (answer, string) {
	fail := func(format string, args ...any) (answer, string) {
		d := "<go could not run: " + fmt.Sprintf(format, args...) + ">"
		return answer{ID: c.ID, Status: -1, ErrorDescription: &d}, ""
	}
	req, err := request.Parse(httpRequest(c.TokenURL, c.CTHeader, c.ContentType, c.Body))
	if err != nil {
		return fail("request.Parse: %v", err)
	}
	jwksJSON, err := json.Marshal(c.JWKS)
	if err != nil {
		return fail("marshal JWKS: %v", err)
	}
	set, err := keys.Parse(jwksJSON)
	if err != nil {
		return fail("keys.Parse: %v", err)
	}
	prof, err := profile.Get("redox", c.TokenURL)
	if err != nil {
		return fail("profile.Get: %v", err)
	}
	rep := lint.Lint(lint.Input{Request: req, Profile: prof, Keys: set, ClientID: c.ClientID, Now: time.Unix(c.Now, 0)})
	p := rep.Predicted
	desc := p.ErrorDescription
	got := answer{ID: c.ID, Status: p.Status, ErrorDescription: &desc}

	var b strings.Builder
	fmt.Fprintf(&b, "  go rule:   %s (certain=%v)\n", p.Rule, p.Certain)
	for _, f := range rep.Findings {
		if f.ServerCheck {
			fmt.Fprintf(&b, "  go finding: %s %q: %s\n", f.Rule, f.ErrorDescription, f.Message)
		}
	}
	if req.Body != c.Body {
		fmt.Fprintf(&b, "  note: request.Parse read the body as %q\n", req.Body)
	}
	if req.ContentTypeKnown != true || (c.ContentType != nil && req.ContentType != *c.ContentType) || (c.ContentType == nil && req.ContentType != "") {
		fmt.Fprintf(&b, "  note: request.Parse read the content type as %q (known=%v)\n", req.ContentType, req.ContentTypeKnown)
	}
	return got, b.String()
}

// checkKeyless runs lint on the case as lint without --jwks would: a
// rejection it predicts must be a rejection by the server, a certain answer
// must be the server's exact answer, and a case no key can pass must be
// rejected.
func checkKeyless(t *testing.T, c *tcase, want answer) {
	t.Helper()
	req, err := request.Parse(httpRequest(c.TokenURL, c.CTHeader, c.ContentType, c.Body))
	if err != nil {
		return
	}
	prof, err := profile.Get("redox", c.TokenURL)
	if err != nil {
		t.Fatal(err)
	}
	rep := lint.Lint(lint.Input{Request: req, Profile: prof, ClientID: c.ClientID, Now: time.Unix(c.Now, 0)})
	p := rep.Predicted
	desc := p.ErrorDescription
	got := answer{ID: c.ID, Status: p.Status, ErrorDescription: &desc}
	switch {
	case c.Known != "":
	case p.Certain && !got.equal(want):
		t.Errorf("%s: without keys Go is certain of %s, jose answers %s\n%s", c.ID, got, want, c.describe())
	case p.Status != 200 && want.Status == 200:
		t.Errorf("%s: without keys Go predicts %s (rule %s), jose accepts\n%s", c.ID, got, p.Rule, c.describe())
	}
	if c.KeylessReject && p.Status == 200 {
		t.Errorf("%s: no key can pass this case, but without keys Go predicts 200\n%s", c.ID, c.describe())
	}
}
