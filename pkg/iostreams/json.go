package iostreams

import (
	"strings"

	"github.com/fatih/color"
)

// JSON colours indented JSON text for a terminal: member names in blue,
// strings in green, numbers in cyan, true, false and null in yellow, the
// punctuation left plain. Without colour it returns the text unchanged. The
// text must be valid JSON; a scanner error only stops the colouring early.
func (c *ColorScheme) JSON(text string) string {
	if !c.enabled {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		ch := text[i]
		switch {
		case ch == '"':
			end := stringEnd(text, i)
			lit := text[i:end]
			rest := strings.TrimLeft(text[end:], " \t\r\n")
			if strings.HasPrefix(rest, ":") {
				b.WriteString(c.paint([]color.Attribute{color.FgBlue, color.Bold}, lit))
			} else {
				b.WriteString(c.paint([]color.Attribute{color.FgGreen}, lit))
			}
			i = end
		case ch == '-' || ch >= '0' && ch <= '9':
			end := i + 1
			for end < len(text) && strings.IndexByte("0123456789.eE+-", text[end]) >= 0 {
				end++
			}
			b.WriteString(c.Cyan(text[i:end]))
			i = end
		case strings.HasPrefix(text[i:], "true"), strings.HasPrefix(text[i:], "null"):
			b.WriteString(c.Yellow(text[i : i+4]))
			i += 4
		case strings.HasPrefix(text[i:], "false"):
			b.WriteString(c.Yellow(text[i : i+5]))
			i += 5
		default:
			b.WriteByte(ch)
			i++
		}
	}
	return b.String()
}

// stringEnd returns the index just past the JSON string that starts at i.
func stringEnd(text string, i int) int {
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(text)
}
