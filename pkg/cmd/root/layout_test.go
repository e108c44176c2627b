package root_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/testenv"
)

// The repository's top level holds only what the project's design names:
// code under cmd/, pkg/ and internal/, test data under testdata/ (which the go
// tool ignores), documentation and examples under docs/.
func TestTopLevelLayout(t *testing.T) {
	out, err := exec.Command("git", "-C", "../../..", "ls-files").Output()
	if err != nil {
		testenv.Missing(t, "the layout test lists the committed files with git, which failed: "+err.Error(), "apt-get install git, and run the tests in a git clone")
	}
	allowed := map[string]bool{"cmd": true, "pkg": true, "internal": true, "testdata": true, "docs": true,
		"go.mod": true, "go.sum": true, ".goreleaser.yaml": true, "README.md": true, "LICENSE": true}
	seen := map[string]bool{}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		top, _, _ := strings.Cut(f, "/")
		if seen[top] {
			continue
		}
		seen[top] = true
		if !allowed[top] && !strings.HasPrefix(top, ".") {
			t.Errorf("top-level %s is not part of the layout (cmd, pkg, internal, testdata, docs and the module, release, README and LICENSE files)", top)
		}
	}
}

// The fixture generator is run by the go:generate line next to it, not by a
// line in a package that merely uses the fixtures.
func TestFixtureGenerateLineLivesWithTheGenerator(t *testing.T) {
	var found []string
	err := filepath.WalkDir("../../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "//go:generate") && strings.Contains(line, " -out ") && strings.Contains(line, "testdata") {
				rel, _ := filepath.Rel("../../..", path)
				found = append(found, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || filepath.Dir(found[0]) != "internal/fixtures" {
		t.Errorf("the fixture generator's go:generate line is in %q, want exactly one file in internal/fixtures", found)
	}
}
