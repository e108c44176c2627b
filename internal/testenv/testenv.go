// Package testenv decides what a test does when something it needs is not
// installed: on a developer's machine it skips and says how to install it;
// in CI (CI=true, which .ci/run sets) it fails, because there a missing
// dependency means the install step broke and a silent skip would hide it.
package testenv

import (
	"os"
	"strconv"
	"testing"
)

// InCI reports whether the tests run in CI.
func InCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// Missing stops the test because a dependency is absent: what names it and
// why it is needed, install is the command that installs it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; CI=true, so this fails instead of skipping: .ci/run should have installed it (%s)", what, install)
	}
	t.Skipf("%s; install it with: %s", what, install)
}
