package root_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/cmdutil"
)

// The release config stamps version, commit and date through -X flags. This
// builds the binary with exactly those flags (templates filled with sample
// values) and checks that the version command reports them, so a renamed
// variable or package cannot silently produce unstamped releases.
func TestReleaseLdflagsStampTheVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	config, err := os.ReadFile("../../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"Version": "9.8.7", "Commit": "0123456789abcdef", "Date": "2026-11-27T12:00:00Z"}
	template := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	var ldflags []string
	for _, m := range regexp.MustCompile(`(?m)^\s*-\s*(-X \S+?=.*?)\s*$`).FindAllStringSubmatch(string(config), -1) {
		ldflags = append(ldflags, template.ReplaceAllStringFunc(m[1], func(s string) string {
			return values[template.FindStringSubmatch(s)[1]]
		}))
	}
	if len(ldflags) != 3 {
		t.Fatalf("want 3 -X ldflags in .goreleaser.yaml, found %q", ldflags)
	}
	bin := filepath.Join(t.TempDir(), "clientassert")
	build := exec.Command("go", "build", "-ldflags", strings.Join(ldflags, " "), "-o", bin, "../../../cmd/clientassert")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var got cmdutil.BuildInfo
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != values["Version"] || got.Commit != values["Commit"] || got.Date != values["Date"] {
		t.Errorf("version reports %+v, want %v", got, values)
	}
}
