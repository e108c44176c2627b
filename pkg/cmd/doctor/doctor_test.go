package doctor_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/cmd/doctor"
	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

const clientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"

func keyPath(name string) string { return filepath.Join("..", "..", "..", "testdata", "keys", name) }

// jwksURL serves the fixture key set on a plain http loopback server, which
// doctor accepts for loopback hosts only. localOffset skews nothing here:
// the server's Date is the real time plus serverAhead.
func jwksURL(t *testing.T, serverAhead time.Duration) string {
	t.Helper()
	body, err := os.ReadFile(keyPath("jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(serverAhead).UTC().Format(http.TimeFormat))
		if r.URL.Path != "/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(body)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/jwks.json"
}

// runMain runs the whole CLI as the binary does.
func runMain(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	for _, env := range []string{doctor.EnvKey, doctor.EnvClientID, doctor.EnvKID, doctor.EnvJWKSURL} {
		t.Setenv(env, "")
	}
	ios, _, out, errOut := iostreams.Test()
	code = root.Main(args, ios)
	return out.String(), errOut.String(), code
}

// runCmd runs doctor with a controlled environment and clock.
func runCmd(t *testing.T, env map[string]string, now func() time.Time, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: now, Getenv: func(k string) string { return env[k] }}
	cmd := doctor.NewCmdDoctor(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err != nil {
		if _, findings := err.(*cmdutil.FindingsError); !findings {
			errOut.WriteString(cmdutil.FormatError(err))
		}
	}
	return out.String(), errOut.String(), cmdutil.ExitCode(err)
}

type contractReport struct {
	OK     *bool `json:"ok"`
	Checks []struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Fix     string `json:"fix"`
		Title   string `json:"title"`
	} `json:"checks"`
}

func parseContract(t *testing.T, stdout string) contractReport {
	t.Helper()
	var r contractReport
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout:\n%s", stdout)
	}
	if r.OK == nil || r.Checks == nil {
		t.Fatalf("missing ok or checks:\n%s", stdout)
	}
	seen := map[string]bool{}
	for _, c := range r.Checks {
		if c.ID == "" || c.Message == "" || seen[c.ID] {
			t.Errorf("bad or duplicate check %+v", c)
		}
		seen[c.ID] = true
		if c.Status != "pass" && c.Status != "warn" && c.Status != "fail" {
			t.Errorf("check %s has status %q", c.ID, c.Status)
		}
	}
	return r
}

func statusOf(r contractReport, id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

// The contract other tests rely on: exact flags, JSON shape, exit codes.
func TestContractJSON(t *testing.T) {
	url := jwksURL(t, 0)

	stdout, stderr, code := runMain(t, "doctor", "--key", keyPath("rsa.pem"), "--client-id", clientID, "--kid", "rsa-2026-11", "--jwks-url", url, "--format", "json")
	r := parseContract(t, stdout)
	if code != 0 || !*r.OK || stderr != "" {
		t.Fatalf("exit %d ok %v stderr %q\n%s", code, *r.OK, stderr, stdout)
	}
	if len(r.Checks) != 6 {
		t.Errorf("%d checks", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Status != "pass" {
			t.Errorf("%s: %s %s", c.ID, c.Status, c.Message)
		}
	}

	// A kid that is not published: something fails, exit 1, ok false.
	stdout, _, code = runMain(t, "doctor", "--key", keyPath("rsa.pem"), "--client-id", clientID, "--kid", "rsa-2027-01", "--jwks-url", url, "--format", "json")
	r = parseContract(t, stdout)
	if code != 1 || *r.OK {
		t.Fatalf("exit %d ok %v", code, *r.OK)
	}
	if statusOf(r, "kid") != "fail" || statusOf(r, "assertion") != "fail" || statusOf(r, "private-key") != "pass" {
		t.Errorf("statuses: %+v", r.Checks)
	}

	// A key file that cannot be read: doctor could not run, exit 2, no JSON.
	stdout, stderr, code = runMain(t, "doctor", "--key", keyPath("missing.pem"), "--client-id", clientID, "--kid", "rsa-2026-11", "--jwks-url", url, "--format", "json")
	if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "clientassert: error: ") {
		t.Errorf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestContractWarningsExitZero(t *testing.T) {
	// The server's clock is 7s ahead: a warning, and still exit 0.
	url := jwksURL(t, 7*time.Second)
	stdout, _, code := runMain(t, "doctor", "--key", keyPath("ec.pem"), "--client-id", clientID, "--kid", "ec-2026-11", "--jwks-url", url, "--format", "json")
	r := parseContract(t, stdout)
	if code != 0 || !*r.OK || statusOf(r, "clock") != "warn" {
		t.Fatalf("exit %d ok %v clock %s\n%s", code, *r.OK, statusOf(r, "clock"), stdout)
	}
}

func TestClockFastAndSlow(t *testing.T) {
	url := jwksURL(t, 0)
	for name, offset := range map[string]time.Duration{"fast": 45 * time.Second, "slow": -45 * time.Second} {
		now := func() time.Time { return time.Now().Add(offset) }
		stdout, _, code := runCmd(t, nil, now, "--key", keyPath("rsa.pem"), "--client-id", clientID, "--kid", "rsa-2026-11", "--jwks-url", url, "--format", "json")
		r := parseContract(t, stdout)
		if code != 1 || statusOf(r, "clock") != "fail" {
			t.Errorf("%s: exit %d clock %s", name, code, statusOf(r, "clock"))
		}
		want := map[string]string{"fast": "ahead of the JWKS server", "slow": "behind the JWKS server"}[name]
		if !strings.Contains(stdout, want) {
			t.Errorf("%s: no %q in\n%s", name, want, stdout)
		}
	}
}

func TestEnvironmentFallbacks(t *testing.T) {
	url := jwksURL(t, 0)
	pem, err := os.ReadFile(keyPath("ec.pem"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		doctor.EnvKey: string(pem), doctor.EnvClientID: clientID, doctor.EnvKID: "ec-2026-11", doctor.EnvJWKSURL: url,
	}
	stdout, stderr, code := runCmd(t, env, time.Now, "--format", "json")
	r := parseContract(t, stdout)
	if code != 0 || !*r.OK {
		t.Fatalf("exit %d stderr %q\n%s", code, stderr, stdout)
	}
	if strings.Contains(stdout, "BEGIN") {
		t.Error("the key from the environment was printed")
	}
	if !strings.Contains(stdout, "$CLIENTASSERT_KEY is an EC P-384 private key") {
		t.Errorf("the key is not named by its variable:\n%s", stdout)
	}

	// CLIENTASSERT_KEY may also be a path.
	env[doctor.EnvKey] = keyPath("ec.pem")
	if _, _, code := runCmd(t, env, time.Now, "--format", "json"); code != 0 {
		t.Errorf("key path from the environment: exit %d", code)
	}

	// Flags win: a wrong --kid beats the right CLIENTASSERT_KID, and a
	// --key beats CLIENTASSERT_KEY.
	stdout, _, code = runCmd(t, env, time.Now, "--kid", "rsa-2026-11", "--format", "json")
	if r := parseContract(t, stdout); code != 1 || statusOf(r, "kid") != "fail" {
		t.Errorf("--kid did not win: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runCmd(t, env, time.Now, "--key", keyPath("rsa.pem"), "--kid", "rsa-2026-11", "--format", "json")
	if r := parseContract(t, stdout); code != 0 || !*r.OK {
		t.Errorf("--key did not win: exit %d\n%s", code, stdout)
	}
	// --jwks (a file) wins over CLIENTASSERT_JWKS_URL.
	stdout, _, code = runCmd(t, env, time.Now, "--jwks", keyPath("jwks.json"), "--format", "json")
	if code != 0 || !strings.Contains(stdout, "jwks.json holds 2 keys") {
		t.Errorf("--jwks did not win: exit %d\n%s", code, stdout)
	}

	// Nothing at all: could not run.
	_, stderr, code = runCmd(t, nil, time.Now)
	if code != 2 || !strings.Contains(stderr, "no private key given") || !strings.Contains(stderr, doctor.EnvKey) {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--key", keyPath("rsa.pem"), "--jwks-url", "https://example.com/jwks.json"}, "no client_id given"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID}, "no key set given"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", keyPath("jwks.json"), "--jwks-url", "https://example.com/"}, "cannot be used together"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", keyPath("jwks.json"), "--format", "xml"}, `invalid --format "xml"`},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks-url", "ftp://example.com/jwks.json"}, "the scheme must be https"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", "https://example.com/jwks.json"}, "use --jwks-url"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", keyPath("jwks.json"), "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", keyPath("jwks.json"), "extra"}, "takes no arguments"},
	} {
		stdout, stderr, code := runCmd(t, nil, time.Now, c.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d stdout %q stderr %q, want %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// SARIF is checked for the structure code scanning needs.
func TestSARIF(t *testing.T) {
	url := jwksURL(t, 0)
	stdout, _, code := runMain(t, "doctor", "--key", keyPath("other-rsa.pem"), "--client-id", clientID, "--kid", "rsa-2026-11",
		"--jwks-url", url, "--jku", "https://example.com/jwks.json", "--format", "sarif")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name           string `json:"name"`
					InformationURI string `json:"informationUri"`
					Rules          []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						HelpURI string `json:"helpUri"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("header: version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "clientassert" || run.Tool.Driver.InformationURI == "" {
		t.Errorf("driver %+v", run.Tool.Driver)
	}
	ruleIDs := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" || !strings.HasPrefix(r.HelpURI, "https://") {
			t.Errorf("rule %+v", r)
		}
		if _, dup := ruleIDs[r.ID]; dup {
			t.Errorf("duplicate rule %s", r.ID)
		}
		ruleIDs[r.ID] = i
	}
	if len(ruleIDs) != 6 {
		t.Errorf("%d rules", len(ruleIDs))
	}
	levels := map[string]string{}
	for _, res := range run.Results {
		idx, ok := ruleIDs[res.RuleID]
		if !ok || res.RuleIndex == nil || *res.RuleIndex != idx {
			t.Errorf("result %s points at no rule (index %v)", res.RuleID, res.RuleIndex)
		}
		if res.Level != "error" && res.Level != "warning" && res.Level != "note" {
			t.Errorf("result %s has level %q", res.RuleID, res.Level)
		}
		if res.Message.Text == "" || len(res.Locations) == 0 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %s lacks message or location", res.RuleID)
		}
		levels[res.RuleID] = res.Level
	}
	want := map[string]string{"kid": "error", "assertion": "error", "jku": "error"}
	for id, level := range want {
		if levels[id] != level {
			t.Errorf("%s: level %q, want %q (all: %v)", id, levels[id], level, levels)
		}
	}
	if _, has := levels["private-key"]; has {
		t.Error("a passing check has a result")
	}
	if levels["kid"] != "" && !strings.Contains(stdout, url) {
		t.Error("kid result is not located at the JWKS URL")
	}
}

func TestSARIFFileLocations(t *testing.T) {
	stdout, _, code := runCmd(t, nil, time.Now, "--key", keyPath("ec256.pem"), "--client-id", clientID, "--jwks", "../../../testdata/keys/jwks.json", "--format", "sarif")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout, `"uri": "../../../testdata/keys/ec256.pem"`) || !strings.Contains(stdout, `"level": "note"`) {
		t.Errorf("locations or skipped notes missing:\n%s", stdout)
	}
}

func TestGitHubFormat(t *testing.T) {
	url := jwksURL(t, 0)
	stdout, _, code := runMain(t, "doctor", "--key", keyPath("other-rsa.pem"), "--client-id", clientID, "--kid", "rsa-2026-11",
		"--jwks-url", url, "--format", "github")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	// other-rsa.pem under kid rsa-2026-11: kid and assertion fail, nothing warns.
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d:\n%s", len(lines), stdout)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "::error title=clientassert doctor%3A ") {
			t.Errorf("line %q", l)
		}
		title, msg, ok := strings.Cut(strings.TrimPrefix(l, "::error "), "::")
		if !ok || strings.Contains(title, ",") || strings.Count(title, ":") != 0 || msg == "" {
			t.Errorf("malformed command %q", l)
		}
		if !strings.Contains(msg, "%0Afix: ") {
			t.Errorf("the fix is not on its own (escaped) line: %q", msg)
		}
	}

	// All passing: nothing to annotate.
	stdout, _, code = runMain(t, "doctor", "--key", keyPath("rsa.pem"), "--client-id", clientID, "--kid", "rsa-2026-11", "--jwks-url", url, "--format", "github")
	if code != 0 || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}

	// A warning becomes ::warning.
	stdout, _, _ = runCmd(t, nil, time.Now, "--key", keyPath("rsa.pem"), "--client-id", clientID, "--jwks", keyPath("jwks.json"), "--format", "github")
	if !strings.Contains(stdout, "::warning title=clientassert doctor%3A clock::") || strings.Contains(stdout, "::error") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestTextFormat(t *testing.T) {
	url := jwksURL(t, 0)
	stdout, _, code := runMain(t, "doctor", "--key", keyPath("rsa.pem"), "--client-id", clientID, "--kid", "rsa-2027-01", "--jwks-url", url)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"pass  private-key", "FAIL  kid", `the entry with kid "rsa-2026-11" holds this key's public half`,
		`fix: sign with kid "rsa-2026-11"`, "FAIL 2 failed, 0 warnings, 4 passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
	if bytes.Contains([]byte(stdout), []byte("\x1b[")) {
		t.Error("colour codes without a terminal")
	}
}
