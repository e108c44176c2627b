package token

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

// maxDepth is encoding/json's nesting limit; the model has always rejected
// deeper documents, and the parser recurses once per level.
const maxDepth = 10000

// jsonReader reads one JSON text in a single pass, building the same values
// encoding/json builds into an any with UseNumber (map[string]any, []any,
// string, json.Number, bool, nil) and noting the top-level member names that
// repeat. It gives up at the first syntax error without saying why: the
// caller asks encoding/json for the message, which is only needed for broken
// input. Strings are read as Node reads the bytes first (a WHATWG UTF-8
// decode) and then as encoding/json unescapes them.
type jsonReader struct {
	s     string
	i     int
	depth int

	// keys and vals hold the members and elements of the containers being
	// read, innermost last, so each map and slice is made once at its size.
	keys   []string
	vals   []any
	keyBuf [16]string
	valBuf [16]any

	dups    []string
	dupSeen map[string]bool
}

// read parses s as a whole JSON text. ok is false when JSON.parse would
// throw. dups lists repeated top-level member names, each once, in the order
// their second occurrences appear.
func (r *jsonReader) read(s string) (v any, dups []string, ok bool) {
	r.s, r.i, r.depth, r.dups, r.dupSeen = s, 0, 0, nil, nil
	if r.keys == nil {
		r.keys, r.vals = r.keyBuf[:0], r.valBuf[:0]
	}
	defer r.reset()
	r.skipSpace()
	v, ok = r.value()
	r.skipSpace()
	if !ok || r.i != len(r.s) {
		return nil, nil, false
	}
	return v, r.dups, true
}

// reset drops what the reader still refers to, so that a pooled reader
// keeps no document alive, nor a scratch stack grown by a huge one.
func (r *jsonReader) reset() {
	clear(r.keys[:cap(r.keys)])
	clear(r.vals[:cap(r.vals)])
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	if cap(r.keys) > 1024 || cap(r.vals) > 1024 {
		r.keys, r.vals = nil, nil
	}
	r.s, r.dups, r.dupSeen = "", nil, nil
}

var readers = sync.Pool{New: func() any { return new(jsonReader) }}

func (r *jsonReader) skipSpace() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jsonReader) value() (any, bool) {
	if r.i >= len(r.s) {
		return nil, false
	}
	switch c := r.s[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		s, ok := r.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	}
	return nil, false
}

func (r *jsonReader) literal(word string) bool {
	if !strings.HasPrefix(r.s[r.i:], word) {
		return false
	}
	r.i += len(word)
	return true
}

func (r *jsonReader) number() (any, bool) {
	s, start := r.s, r.i
	i := start
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i+1)
	default:
		return nil, false
	}
	if i < len(s) && s[i] == '.' {
		end := skipDigits(s, i+1)
		if end == i+1 {
			return nil, false
		}
		i = end
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		end := skipDigits(s, i)
		if end == i {
			return nil, false
		}
		i = end
	}
	r.i = i
	return json.Number(s[start:i]), true
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func (r *jsonReader) enter() bool {
	r.depth++
	r.i++
	r.skipSpace()
	return r.depth <= maxDepth
}

// separator reads what follows a member or an element: a comma (more is
// true) or the closing bracket (more is false); anything else fails.
func (r *jsonReader) separator(closing byte) (more, ok bool) {
	r.skipSpace()
	if r.i >= len(r.s) {
		return false, false
	}
	switch r.s[r.i] {
	case ',':
		r.i++
		r.skipSpace()
		return true, true
	case closing:
		r.i++
		return false, true
	}
	return false, false
}

func (r *jsonReader) object() (any, bool) {
	if !r.enter() {
		return nil, false
	}
	// Arrays share the value stack, so it can be deeper than the key stack.
	keyBase, valBase := len(r.keys), len(r.vals)
	if r.i < len(r.s) && r.s[r.i] == '}' {
		r.i++
		r.depth--
		return map[string]any{}, true
	}
	for {
		if r.i >= len(r.s) || r.s[r.i] != '"' {
			return nil, false
		}
		key, ok := r.str()
		if !ok {
			return nil, false
		}
		r.skipSpace()
		if r.i >= len(r.s) || r.s[r.i] != ':' {
			return nil, false
		}
		r.i++
		r.skipSpace()
		v, ok := r.value()
		if !ok {
			return nil, false
		}
		r.keys = append(r.keys, key)
		r.vals = append(r.vals, v)
		more, ok := r.separator('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	keys, vals := r.keys[keyBase:], r.vals[valBase:]
	top := r.depth == 1
	m := make(map[string]any, len(keys))
	for k, key := range keys {
		size := len(m)
		m[key] = vals[k] // JSON.parse keeps the last of repeated members
		if top && len(m) == size {
			r.noteDuplicate(key)
		}
	}
	clear(vals) // let the collector have values the stack no longer owns
	r.keys, r.vals = r.keys[:keyBase], r.vals[:valBase]
	r.depth--
	return m, true
}

func (r *jsonReader) noteDuplicate(name string) {
	if r.dupSeen == nil {
		r.dupSeen = map[string]bool{}
	}
	if !r.dupSeen[name] {
		r.dupSeen[name] = true
		r.dups = append(r.dups, name)
	}
}

func (r *jsonReader) array() (any, bool) {
	if !r.enter() {
		return nil, false
	}
	base := len(r.vals)
	if r.i < len(r.s) && r.s[r.i] == ']' {
		r.i++
		r.depth--
		return []any{}, true
	}
	for {
		v, ok := r.value()
		if !ok {
			return nil, false
		}
		r.vals = append(r.vals, v)
		more, ok := r.separator(']')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	out := make([]any, len(r.vals)-base)
	copy(out, r.vals[base:])
	clear(r.vals[base:])
	r.vals = r.vals[:base]
	r.depth--
	return out, true
}

// plainByte marks the bytes a string can hold as they are: everything but
// the quote, the backslash, control characters and non-ASCII bytes.
var plainByte = func() [256]bool {
	var t [256]bool
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads the string starting at the quote under the cursor.
func (r *jsonReader) str() (string, bool) {
	s := r.s
	start := r.i + 1
	escaped, nonASCII := false, false
	for i := start; i < len(s); {
		if plainByte[s[i]] {
			i++
			continue
		}
		switch c := s[i]; {
		case c == '"':
			r.i = i + 1
			content := s[start:i]
			if !escaped && !nonASCII {
				return content, true
			}
			return decodeString(content, escaped, nonASCII), true
		case c == '\\':
			n := escapeLen(s, i)
			if n == 0 {
				return "", false
			}
			escaped = true
			i += n
		case c < 0x20:
			return "", false
		default:
			nonASCII = true
			i++
		}
	}
	return "", false
}

// escapeLen returns the length of the valid escape at s[i] == '\\', or 0.
func escapeLen(s string, i int) int {
	if i+1 >= len(s) {
		return 0
	}
	switch s[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if hex4(s[i+2:]) < 0 {
			return 0
		}
		return 6
	}
	return 0
}

// hex4 reads four hex digits at the start of s, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// decodeString turns validated string content into its value: bytes that
// are not UTF-8 become U+FFFD as Node's decoder makes them, then escapes are
// resolved as encoding/json resolves them (a lone surrogate is U+FFFD).
func decodeString(content string, escaped, nonASCII bool) string {
	if nonASCII && !utf8.ValidString(content) {
		// A replaced run never spans a quote or a backslash (both ASCII), so
		// decoding the content alone equals decoding the whole text.
		content = nodeutf8.String(content)
	}
	if !escaped {
		return content
	}
	var b strings.Builder
	b.Grow(len(content))
	for i := 0; i < len(content); {
		c := content[i]
		if c != '\\' {
			j := i + 1
			for j < len(content) && content[j] != '\\' {
				j++
			}
			b.WriteString(content[i:j])
			i = j
			continue
		}
		switch e := content[i+1]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			code := hex4(content[i+2:])
			i += 6
			if utf16.IsSurrogate(code) {
				if i+1 < len(content) && content[i] == '\\' && content[i+1] == 'u' {
					if pair := utf16.DecodeRune(code, hex4(content[i+2:])); pair != utf8.RuneError {
						b.WriteRune(pair)
						i += 6
						continue
					}
				}
				code = utf8.RuneError
			}
			b.WriteRune(code)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(e)
		}
		i += 2
	}
	return b.String()
}
