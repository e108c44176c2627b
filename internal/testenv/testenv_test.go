package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The behaviour is checked in a child process so that the failing branch can
// be observed without failing this test.
func TestMissingSkipsLocallyAndFailsInCI(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		Missing(t, "the widget is not installed", "apt-get install widget")
		return
	}
	for _, c := range []struct {
		ci       string
		wantFail bool
		wantText string
	}{
		{"", false, "SKIP"},
		{"false", false, "SKIP"},
		{"true", true, "CI=true, so this fails"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingSkipsLocallyAndFailsInCI$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != c.wantFail {
			t.Errorf("CI=%q: failed=%v, want %v\n%s", c.ci, failed, c.wantFail, out)
		}
		if !strings.Contains(string(out), c.wantText) || !strings.Contains(string(out), "apt-get install widget") {
			t.Errorf("CI=%q: output lacks %q or the install command:\n%s", c.ci, c.wantText, out)
		}
	}
}
