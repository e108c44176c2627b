package iostreams

import (
	"io"
	"sync"
	"time"
)

// coalesceDelay bounds how long output may wait in the buffer. A short run
// writes its whole report once, at exit; a long-running command (a server,
// a slow batch) still shows each line within this delay.
const coalesceDelay = 50 * time.Millisecond

// coalescingWriter gathers writes into one buffer and hands them to the
// underlying writer in one call: at Flush, when the buffer grows large, or
// coalesceDelay after the first unflushed byte.
type coalescingWriter struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer
	err   error
}

const coalesceLimit = 64 << 10

func newCoalescingWriter(w io.Writer) *coalescingWriter {
	return &coalescingWriter{w: w}
}

func (c *coalescingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if len(c.buf)+len(p) >= coalesceLimit {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
		if c.err = writeAll(c.w, p); c.err != nil {
			return 0, c.err
		}
		return len(p), nil
	}
	c.buf = append(c.buf, p...)
	if c.timer == nil {
		c.timer = time.AfterFunc(coalesceDelay, func() { _ = c.Flush() })
	} else if len(c.buf) == len(p) {
		c.timer.Reset(coalesceDelay)
	}
	return len(p), nil
}

// Flush writes out whatever is buffered.
func (c *coalescingWriter) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *coalescingWriter) flushLocked() error {
	if c.timer != nil {
		c.timer.Stop()
	}
	if len(c.buf) == 0 || c.err != nil {
		c.buf = c.buf[:0]
		return c.err
	}
	c.err = writeAll(c.w, c.buf)
	c.buf = c.buf[:0]
	return c.err
}

func writeAll(w io.Writer, p []byte) error {
	n, err := w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}
