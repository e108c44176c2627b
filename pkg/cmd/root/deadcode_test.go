package root_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// Once a reachable call looks methods up by name through reflect (as
// text/template execution does), the linker must keep every exported method
// of every type, and the binary grows by megabytes that each run pays for at
// start-up. A custom cobra version or usage template is the usual way in.
func TestBinaryKeepsDeadCodeElimination(t *testing.T) {
	bin := filepath.Join(binaryDir(t), "clientassert")
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	methodLookup := regexp.MustCompile(`(?m) reflect\.(Value\.Method|Value\.MethodByName|\(\*rtype\)\.MethodByName)$`)
	if found := methodLookup.FindAllString(string(out), -1); len(found) > 0 {
		t.Errorf("the binary links method lookup by name %q, which turns off the linker's dead code elimination;\nfind the caller with: go build -ldflags=-dumpdep ./cmd/clientassert 2>&1 | grep -B2 MethodByName", found)
	}
}
