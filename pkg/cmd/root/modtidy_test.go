package root_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/testenv"
)

// go.mod must list exactly what the code imports, with direct requirements
// marked as such. The check runs offline (GOPROXY=off): .ci/run runs the same
// command online first, which fills the module cache.
func TestGoModIsTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy")
	}
	cmd := exec.Command("go", "mod", "tidy", "-diff")
	cmd.Dir = "../../.."
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	if strings.Contains(string(out), "GOPROXY=off") || strings.Contains(string(out), "module lookup disabled") {
		testenv.Missing(t, "the module cache lacks a module that go mod tidy needs, and tests run offline:\n"+string(out), "go mod download all")
	}
	t.Errorf("go mod tidy -diff is not empty: run go mod tidy and commit go.mod and go.sum\n%s", out)
}
