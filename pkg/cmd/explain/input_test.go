package explain

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/clientassert/clientassert/pkg/cmdutil"
)

// An empty file is not the blank error_description.
func TestEmptyFileIsAnError(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "response.http")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{empty}, {"--file", empty}} {
		out, err := run(t, "", args...)
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "is empty") {
			t.Errorf("%v: err %v\n%s", args, err, out)
		}
	}
}

// An argument that is plainly a path is read or refused, never explained
// as text; text that only happens to hold a dot or slash stays text.
func TestUnreadablePathIsAnError(t *testing.T) {
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked", "response.http")
	if err := os.MkdirAll(filepath.Dir(locked), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(locked, []byte("alg not whitelisted"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.http")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	unreadable := []string{filepath.Join(dir, "missing.http"), "./response.txt", `C:\Users\me\response.json`, fifo}
	if os.Geteuid() != 0 {
		if err := os.Chmod(filepath.Dir(locked), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Dir(locked), 0o700) })
		unreadable = append(unreadable, locked)
	}
	for _, arg := range unreadable {
		out, err := run(t, "", arg)
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "cannot read response") {
			t.Errorf("%s: err %v\n%s", arg, err, out)
		}
	}
	for _, text := range []string{"alg not whitelisted", "JWT header kid property is required", "Missing grant_type parameter"} {
		if _, err := run(t, "", text); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// A private key is never explained, so never echoed.
func TestPrivateKeyIsNotEchoed(t *testing.T) {
	pem, err := os.ReadFile("../../../testdata/keys/rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Split(string(pem), "\n")[1]
	file := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(file, append([]byte("Bag Attributes\n    localKeyID: 01\n"), pem...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		stdin string
		args  []string
	}{{string(pem), []string{"-"}}, {"", []string{file}}, {"", []string{"--file", file}}, {"", []string{"--format", "json", file}}} {
		out, err := run(t, c.stdin, c.args...)
		msg := ""
		if err != nil {
			msg = cmdutil.FormatError(err)
		}
		if cmdutil.ExitCode(err) != 2 || strings.Contains(out+msg, body[:16]) || !strings.Contains(msg, "private key") {
			t.Errorf("%v: err %q\n%s", c.args, msg, out)
		}
	}
}
