// Package testenv decides what a test does when something it needs is not
// installed: on a developer's machine it skips and says how to install it;
// in CI (CI=true, which .ci/run sets) it fails, because there a missing
// dependency means the install step broke and a silent skip would hide it.
// It also holds the small helpers tests that run servers share.
package testenv

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
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

// Buffer is a bytes.Buffer that a test reads while a server goroutine
// writes to it (a log, a child process's output).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Exchange writes a raw HTTP request to addr, exactly as given, and reads
// one response: its status and body.
func Exchange(t testing.TB, addr string, raw []byte) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}
