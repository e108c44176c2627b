package root_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var built struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// binaryDir builds cmd/clientassert once per test run and returns the folder
// that holds it, to put first on PATH.
func binaryDir(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "clientassert-bin-")
		if built.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(built.dir, "clientassert"), "./cmd/clientassert")
		cmd.Dir = repoRoot(t)
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build ./cmd/clientassert: %v\n%s", built.err, built.out)
	}
	return built.dir
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// exampleDir is a scratch working folder in which docs/ and testdata/ are
// the repository's, so documented commands read the shipped examples and
// fixtures as in a clone, and write only here.
func exampleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"docs", "testdata"} {
		if err := os.Symlink(filepath.Join(repoRoot(t), name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// shellEnv is the environment documented commands run in: the fresh binary
// first on PATH, no colour, UTC.
func shellEnv(t *testing.T) []string {
	return append(os.Environ(), "PATH="+binaryDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1", "TZ=UTC")
}
