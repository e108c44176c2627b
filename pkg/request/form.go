package request

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

// Form is a leniently parsed application/x-www-form-urlencoded body, in the
// way Node's querystring/qs parses it: split on '&', split each pair on the
// first '=', '+' means space, invalid percent escapes are kept literally
// (never an error).
//
// Like querystring, empty pairs ("a=1&&b=2") are skipped, a pair without '='
// is a name with an empty value, brackets in names have no special meaning,
// and bytes that do not form valid UTF-8 become U+FFFD (see decodeComponent
// for the exact rules). Unlike querystring there is no limit on the number
// of pairs (its maxKeys is 1000).
type Form struct {
	Values     map[string][]string
	Order      []string // names in first-seen order
	Duplicates []string // names that appear more than once
}

// ParseForm parses a form-encoded body. It never fails.
func ParseForm(body string) *Form {
	f := newForm()
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		nameEncoded, valueEncoded := escapeFlags(pair)
		f.add(decodeComponent(name, nameEncoded), decodeComponent(value, valueEncoded))
	}
	return f
}

// Get returns the first value of name and whether name is present at all.
func (f *Form) Get(name string) (value string, present bool) {
	if f == nil {
		return "", false
	}
	vs, ok := f.Values[name]
	if !ok || len(vs) == 0 {
		return "", ok
	}
	return vs[0], true
}

func newForm() *Form {
	return &Form{Values: make(map[string][]string)}
}

// add appends one name/value pair, keeping Order and Duplicates up to date.
func (f *Form) add(name, value string) {
	prev, seen := f.Values[name]
	switch {
	case !seen:
		f.Order = append(f.Order, name)
	case len(prev) == 1:
		f.Duplicates = append(f.Duplicates, name)
	}
	f.Values[name] = append(prev, value)
}

// decodeComponent decodes one name or value as Node's querystring does.
//
// The text is first made valid UTF-8, as Express does when it turns the
// body bytes into a string, and '+' becomes a space. Only a component that
// querystring flagged as encoded (see escapeFlags) is decoded further.
// Decoding is decodeURIComponent when every '%' starts a valid escape and
// the escapes make valid UTF-8; otherwise querystring falls back to a byte
// decoder: valid escapes become bytes, invalid ones stay literal, every
// other UTF-16 code unit is truncated to its low byte, and the bytes are
// read as UTF-8 with U+FFFD for what is invalid.
func decodeComponent(s string, encoded bool) string {
	s = nodeutf8.String(s)
	if strings.IndexByte(s, '+') >= 0 {
		s = strings.ReplaceAll(s, "+", " ")
	}
	if !encoded || s == "" {
		return s
	}
	b := make([]byte, 0, len(s))
	strict := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '%':
			strict = false
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	if strict && utf8.Valid(b) {
		return string(b)
	}
	return nodeutf8.String(string(byteFallback(s)))
}

// escapeFlags replays how querystring.parse decides, while it scans one
// name=value pair, whether the name and the value need decoding. It looks
// for a '%' and two hex digits. For the name the search stops once one is
// found, and the name's later characters then feed the value's search,
// so a name with two escapes marks the value as encoded too. In the value,
// '+' signs are skipped by the search.
func escapeFlags(pair string) (nameEncoded, valueEncoded bool) {
	inName := true
	run := 0 // 1 after '%', 2 after '%' and one hex digit
	for i := 0; i < len(pair); i++ {
		c := pair[i]
		if inName {
			if c == '=' {
				inName = false
				run = 0
				continue
			}
			if !nameEncoded {
				if c == '%' {
					run = 1
					continue
				}
				if run > 0 {
					if isHex(c) {
						if run++; run == 3 {
							nameEncoded = true
						}
						continue
					}
					run = 0
				}
			}
			if c == '+' {
				continue
			}
		}
		if c == '+' || valueEncoded {
			continue
		}
		switch {
		case c == '%':
			run = 1
		case run > 0 && isHex(c):
			if run++; run == 3 {
				valueEncoded = true
			}
		default:
			run = 0
		}
	}
	return nameEncoded, valueEncoded
}

// byteFallback is querystring's unescapeBuffer: it maps the string to bytes,
// one per UTF-16 code unit (truncated to 8 bits) or per valid escape.
func byteFallback(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 3
			continue
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < 0x10000 {
			b = append(b, byte(r))
			continue
		}
		hi, lo := utf16Pair(r)
		b = append(b, byte(hi), byte(lo))
	}
	return b
}

// utf16Pair returns the surrogate pair that encodes r (r >= 0x10000).
func utf16Pair(r rune) (hi, lo rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// hasInvalidEscape reports whether s has a '%' that does not start a valid
// percent escape.
func hasInvalidEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return true
		}
		i += 2
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// maxMultipartValue caps one part read from a multipart body, and
// maxMultipartFields the number of parts, as multipart parsers in servers do.
const (
	maxMultipartValue  = 8 << 20
	maxMultipartFields = 1000
)

// parseMultipart reads the text fields of a multipart/form-data body into a
// Form. File parts are left out. A malformed body yields the fields read so
// far and a note.
func parseMultipart(body, contentType string, n *notes) *Form {
	f := newForm()
	boundary, ok := multipartBoundary(contentType)
	if !ok {
		n.add("multipart content type has no boundary; the body was not read")
		return f
	}
	mr := multipart.NewReader(strings.NewReader(body), boundary)
	fields := 0
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f
		}
		if err != nil {
			n.add("multipart body is malformed; only the fields before the fault were read")
			return f
		}
		name := p.FormName()
		if name == "" {
			continue
		}
		if p.FileName() != "" {
			n.add("multipart field %s is a file; it was left out", quoteNote(name))
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, maxMultipartValue))
		if err != nil {
			n.add("multipart body is malformed; only the fields before the fault were read")
			return f
		}
		f.add(nodeutf8.String(name), nodeutf8.String(string(v)))
		if fields++; fields == maxMultipartFields {
			n.add("only the first %d multipart fields were read", maxMultipartFields)
			return f
		}
	}
}
