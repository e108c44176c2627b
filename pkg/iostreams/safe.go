package iostreams

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Safe makes text taken from input harmless on a terminal: control
// characters (ESC, BEL, CR, LF, ...), C1 controls, bidirectional overrides,
// line and paragraph separators and bytes that are not UTF-8 are written as
// Go escapes (\x1b, \n, \u202e), and a backslash that could start one of
// those is doubled. Text without such runes comes back unchanged, so the
// common case reads as typed. Every value that comes from a token, a file,
// a flag or a server and is printed to a terminal goes through Safe.
func Safe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune reports the non-ASCII runes a terminal acts on or that
// reorder or break the displayed line.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r < 0xa0: // C1 controls, CSI among them
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c: // bidi
		return true
	case r == 0x2028 || r == 0x2029 || r == 0x85: // line breaks
		return true
	}
	return false
}

// TerminalText wraps w for human-readable reports that quote token, file or
// server content: the runes that can reorder or take over what a terminal
// shows (C1 controls such as CSI, bidirectional marks and overrides, Unicode
// line breaks) are written as \uXXXX, which is also a valid JSON escape
// for them, so quoted JSON stays JSON. Everything else, ESC of our own
// colours included, passes unchanged. Outputs meant for other programs
// (--format json, curl commands, keys) are not wrapped: there the value must
// stay byte for byte.
func TerminalText(w io.Writer) io.Writer {
	if _, ok := w.(terminalText); ok {
		return w
	}
	return terminalText{w}
}

type terminalText struct{ w io.Writer }

func (t terminalText) Write(p []byte) (int, error) {
	i := 0
	for i < len(p) {
		r, size := utf8.DecodeRune(p[i:])
		if r >= utf8.RuneSelf && unsafeRune(r) {
			break
		}
		i += size
	}
	if i == len(p) {
		return t.w.Write(p)
	}
	out := make([]byte, 0, len(p)+16)
	for j := 0; j < len(p); {
		r, size := utf8.DecodeRune(p[j:])
		if r >= utf8.RuneSelf && unsafeRune(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, p[j:j+size]...)
		}
		j += size
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
