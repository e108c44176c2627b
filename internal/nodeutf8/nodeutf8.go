// Package nodeutf8 turns bytes into text the way the server's runtime does
// (Node's Buffer.toString, a WHATWG UTF-8 decoder), so that strings compared
// on our side are the strings the server compares.
package nodeutf8

import (
	"strings"
	"unicode/utf8"
)

// String replaces what is not valid UTF-8 with U+FFFD the way a WHATWG
// decoder (and so Node's Buffer.toString) does: one U+FFFD for each maximal
// prefix of a valid sequence, or for each byte that starts none.
func String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size != 1 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		b.WriteRune(utf8.RuneError)
		i += invalidPrefix(s[i:])
	}
	return b.String()
}

// invalidPrefix returns the length of the maximal subpart at the start of s,
// which does not start a valid UTF-8 sequence: the lead byte and the
// continuation bytes that are still allowed after it.
func invalidPrefix(s string) int {
	lead := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // range of the second byte
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead == 0xE0:
		need, lo = 2, 0xA0
	case lead == 0xED:
		need, hi = 2, 0x9F
	case lead >= 0xE1 && lead <= 0xEF:
		need = 2
	case lead == 0xF0:
		need, lo = 3, 0x90
	case lead == 0xF4:
		need, hi = 3, 0x8F
	case lead >= 0xF1 && lead <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(s); k++ {
		c := s[n]
		if k == 0 && (c < lo || c > hi) || k > 0 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}

// Bytes is String for byte slices; valid input is returned as is.
func Bytes(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return []byte(String(string(b)))
}
