package keys

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Printable returns s as it may reach a terminal: unchanged when it is valid
// UTF-8 and every rune is a printable character (spaces included), else
// quoted in Go syntax, so a newline, ESC or BEL from a key file shows as
// \n, \x1b or \a instead of acting.
func Printable(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}
