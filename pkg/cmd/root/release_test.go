package root_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/testenv"
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
	values := map[string]string{"Version": "9.8.7", "Commit": "0123456789abcdef", "CommitDate": "2026-11-27T12:00:00Z"}
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
	if got.Version != values["Version"] || got.Commit != values["Commit"] || got.Date != values["CommitDate"] {
		t.Errorf("version reports %+v, want %v", got, values)
	}
}

// A release must be reproducible: nothing in the config may depend on the
// clock ({{ .Date }}, {{ .Now }}), and every file put in an archive, the
// binary included, gets the commit's time. The archives carry the LICENSE,
// docs/ci.md and completion scripts for the four shells.
func TestReleaseConfigIsReproducibleAndComplete(t *testing.T) {
	data, err := os.ReadFile("../../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	config := string(data)
	if m := regexp.MustCompile(`\{\{[^}]*\.(Date|Now|Timestamp)\b[^}]*\}\}`).FindString(config); m != "" {
		t.Errorf("the release config uses the clock: %s; use {{ .CommitDate }} or {{ .CommitTimestamp }}", m)
	}
	for _, want := range []string{
		`mod_timestamp: "{{ .CommitTimestamp }}"`,
		"builds_info:\n      mtime: \"{{ .CommitDate }}\"",
		"-trimpath",
	} {
		if !strings.Contains(config, want) {
			t.Errorf("the release config lacks %q", want)
		}
	}
	shipped := map[string]bool{}
	lines := strings.Split(config, "\n")
	for i, line := range lines {
		src, ok := strings.CutPrefix(strings.TrimSpace(line), "- src: ")
		if !ok {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		entry := ""
		for _, more := range lines[i+1:] {
			if len(more)-len(strings.TrimLeft(more, " ")) <= indent {
				break
			}
			entry += more + "\n"
		}
		shipped[src] = true
		if !strings.Contains(entry, `mtime: "{{ .CommitDate }}"`) {
			t.Errorf("archive file %s has no mtime from the commit", src)
		}
	}
	if _, files, ok := strings.Cut(config, "\n    files:\n"); ok {
		for _, line := range strings.Split(files, "\n") {
			if strings.HasPrefix(line, "      - ") && !strings.HasPrefix(line, "      - src: ") {
				t.Errorf("archive file listed without an mtime: %s", strings.TrimSpace(line))
			}
			if line != "" && !strings.HasPrefix(line, "      ") {
				break
			}
		}
	}
	for _, want := range []string{"LICENSE", "README.md", "docs/ci.md", "docs/json.md", "completions/*"} {
		if !shipped[want] {
			t.Errorf("the archives do not ship %s", want)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if !strings.Contains(config, "completion "+shell+" > completions/") {
			t.Errorf("no completion script is generated for %s", shell)
		}
	}
	if _, err := os.Stat("../../../LICENSE"); err != nil {
		t.Error("no LICENSE file at the top level")
	} else if lic, _ := os.ReadFile("../../../LICENSE"); !strings.Contains(string(lic), "Apache License") || !strings.Contains(string(lic), "Version 2.0, January 2004") {
		t.Error("LICENSE is not the Apache License 2.0")
	}
}

// Two snapshot builds of one commit, made a second apart, must give the
// same binary, byte for byte. This needs goreleaser and runs on a clone of
// the committed tree, for the host platform only (--single-target) to stay
// within the test timeout; every target is built with the same settings, and
// the archive times come from the commit (checked above).
func TestReleaseSnapshotIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two release builds")
	}
	goreleaser, err := exec.LookPath("goreleaser")
	if err != nil {
		testenv.Missing(t, "goreleaser is not installed (the reproducible-release test needs it)", "go install github.com/goreleaser/goreleaser/v2@v2.15.1")
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "--quiet", "--no-hardlinks", "../../..", clone).CombinedOutput(); err != nil {
		testenv.Missing(t, fmt.Sprintf("cannot clone the repository with git: %v\n%s", err, out), "apt-get install git, and run the tests in a git clone")
	}
	release := func() string {
		cmd := exec.Command(goreleaser, "build", "--snapshot", "--clean", "--single-target")
		cmd.Dir = clone
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("goreleaser build --snapshot: %v\n%s", err, out)
		}
		bins, _ := filepath.Glob(filepath.Join(clone, "dist", "*", "clientassert*"))
		if len(bins) != 1 {
			t.Fatalf("found %d binaries in dist: %v", len(bins), bins)
		}
		data, err := os.ReadFile(bins[0])
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x  %s", sha256.Sum256(data), filepath.Base(filepath.Dir(bins[0])))
	}
	first := release()
	time.Sleep(1100 * time.Millisecond)
	second := release()
	if first != second {
		t.Errorf("two snapshot builds of one commit differ:\n%s\n---\n%s", first, second)
	}
}
