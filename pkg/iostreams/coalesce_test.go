package iostreams

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

type countingWriter struct {
	mu     sync.Mutex
	writes int
	buf    bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.buf.Write(p)
}

func (c *countingWriter) state() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes, c.buf.String()
}

// A report made of many small writes leaves in one write at Flush.
func TestCoalescingWriterOneWrite(t *testing.T) {
	under := &countingWriter{}
	w := newCoalescingWriter(under)
	var want bytes.Buffer
	for i := range 16 {
		fmt.Fprintf(w, "line %d\n", i)
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, got := under.state(); n != 1 || got != want.String() {
		t.Errorf("%d writes of %q, want 1 of %q", n, got, want.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, _ := under.state(); n != 1 {
		t.Errorf("an empty flush wrote: %d writes", n)
	}
}

// Output of a command that keeps running shows up without a Flush.
func TestCoalescingWriterFlushesAfterDelay(t *testing.T) {
	under := &countingWriter{}
	w := newCoalescingWriter(under)
	fmt.Fprintln(w, "listening")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, got := under.state(); got == "listening\n" {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, got := under.state(); got != "listening\n" {
		t.Fatalf("buffered output not written after the delay: %q", got)
	}
	fmt.Fprintln(w, "second")
	w.Flush()
	if _, got := under.state(); got != "listening\nsecond\n" {
		t.Errorf("got %q", got)
	}
}

// A large output is written as it grows, not held whole.
func TestCoalescingWriterBoundsTheBuffer(t *testing.T) {
	under := &countingWriter{}
	w := newCoalescingWriter(under)
	chunk := bytes.Repeat([]byte("x"), 1000)
	for range 1000 {
		w.Write(chunk)
	}
	if n, got := under.state(); n < 10 || len(got) < 1000*1000-coalesceLimit {
		t.Errorf("%d writes, %d bytes out before Flush", n, len(got))
	}
	w.mu.Lock()
	grown := cap(w.buf)
	w.mu.Unlock()
	if grown > 2*coalesceLimit {
		t.Errorf("buffer grew to %d", grown)
	}
}
