// Package iostreams carries every byte the CLI reads or writes, and every
// decision about terminals and colour, so commands never touch os.Std*.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// out buffers Out for the process's stdout; nil in tests.
	out *coalescingWriter

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	color     bool
}

// System returns streams bound to the process's stdio. Colour is on only when
// stdout is a terminal and NO_COLOR is unset or empty. Out is buffered so a
// report leaves in one write; call Flush before exiting.
func System() *IOStreams {
	out := newCoalescingWriter(color.Output)
	ios := &IOStreams{
		In:        os.Stdin,
		Out:       out,
		out:       out,
		ErrOut:    color.Error,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	ios.color = colorWanted(ios.stdoutTTY, os.Getenv)
	return ios
}

// colorWanted decides colour for a terminal or not. NO_COLOR counts only
// with a value (https://no-color.org): an empty NO_COLOR= leaves colour on.
func colorWanted(stdoutTTY bool, getenv func(string) string) bool {
	return stdoutTTY && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// Test returns streams backed by buffers, with no terminal and no colour.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// Flush writes out what Out holds. Streams from Test need no flushing.
func (s *IOStreams) Flush() error {
	if s.out == nil {
		return nil
	}
	return s.out.Flush()
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

func (s *IOStreams) ColorEnabled() bool     { return s.color }
func (s *IOStreams) SetColorEnabled(v bool) { s.color = v }

// ColorScheme returns the palette for the current colour decision.
func (s *IOStreams) ColorScheme() *ColorScheme {
	return NewColorScheme(s.color)
}

// ColorScheme wraps text in colours when enabled and returns it unchanged
// otherwise, so report code never branches on colour.
type ColorScheme struct {
	enabled bool
}

func NewColorScheme(enabled bool) *ColorScheme { return &ColorScheme{enabled: enabled} }

func (c *ColorScheme) paint(attrs []color.Attribute, s string) string {
	if !c.enabled {
		return s
	}
	col := color.New(attrs...)
	col.EnableColor()
	return col.Sprint(s)
}

func (c *ColorScheme) Red(s string) string    { return c.paint([]color.Attribute{color.FgRed}, s) }
func (c *ColorScheme) Yellow(s string) string { return c.paint([]color.Attribute{color.FgYellow}, s) }
func (c *ColorScheme) Green(s string) string  { return c.paint([]color.Attribute{color.FgGreen}, s) }
func (c *ColorScheme) Cyan(s string) string   { return c.paint([]color.Attribute{color.FgCyan}, s) }
func (c *ColorScheme) Gray(s string) string   { return c.paint([]color.Attribute{color.FgHiBlack}, s) }
func (c *ColorScheme) Bold(s string) string   { return c.paint([]color.Attribute{color.Bold}, s) }

// Severity colours a severity word consistently across commands.
func (c *ColorScheme) Severity(sev string) string {
	switch sev {
	case "error", "fail":
		return c.paint([]color.Attribute{color.FgRed, color.Bold}, sev)
	case "warning", "warn":
		return c.paint([]color.Attribute{color.FgYellow, color.Bold}, sev)
	case "info":
		return c.paint([]color.Attribute{color.FgCyan}, sev)
	case "pass", "ok":
		return c.paint([]color.Attribute{color.FgGreen}, sev)
	}
	return sev
}
