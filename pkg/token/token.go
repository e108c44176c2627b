package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

// SegmentError points at the broken part of a token.
type SegmentError struct {
	Segment string `json:"segment"` // "header", "payload" or "signature"
	Index   int    `json:"index"`   // 0-based segment index
	Offset  int    `json:"offset"`  // character offset within the whole token
	Reason  string `json:"reason"`
}

func (e *SegmentError) Error() string {
	return fmt.Sprintf("%s (segment %d) at offset %d: %s", e.Segment, e.Index+1, e.Offset, e.Reason)
}

// Token is a parsed compact JWS. Parse never fails; what could not be read
// is recorded so every check can still run on the rest.
type Token struct {
	Raw      string   `json:"-"`
	Segments []string `json:"-"`

	// Header and Payload are set when the segment decodes to a JSON object.
	Header  map[string]any `json:"header,omitempty"`
	Payload map[string]any `json:"payload,omitempty"`
	// HeaderJSON and PayloadJSON hold the decoded JSON text.
	HeaderJSON  []byte `json:"-"`
	PayloadJSON []byte `json:"-"`
	Signature   []byte `json:"-"`

	// HeaderValid and PayloadValid are true when the server's JSON.parse
	// would accept the segment (it may still not be an object).
	HeaderValid, PayloadValid bool

	DuplicateHeader  []string `json:"duplicate_header_members,omitempty"`
	DuplicatePayload []string `json:"duplicate_payload_members,omitempty"`

	// Errors are problems a strict reader would report; the server is more
	// lenient about base64 than JSON, so not every error is fatal to it.
	Errors []*SegmentError `json:"errors,omitempty"`
}

// SegmentNames names the three parts of a compact JWS.
var SegmentNames = [3]string{"header", "payload", "signature"}

// Parse splits and decodes a compact token.
func Parse(raw string) *Token {
	t := &Token{Raw: raw, Segments: strings.Split(raw, ".")}
	if len(t.Segments) != 3 {
		return t
	}
	offset := 0
	for i, seg := range t.Segments {
		if bad := firstNonBase64URL(seg); bad >= 0 {
			t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[i], Index: i, Offset: offset + bad,
				Reason: fmt.Sprintf("character %q is not base64url", seg[bad])})
		}
		decoded := DecodeLenient(seg)
		switch i {
		case 0:
			t.HeaderJSON = decoded
			t.Header, t.HeaderValid, t.DuplicateHeader = t.decodeJSON(decoded, i, offset, seg)
		case 1:
			t.PayloadJSON = decoded
			t.Payload, t.PayloadValid, t.DuplicatePayload = t.decodeJSON(decoded, i, offset, seg)
		case 2:
			t.Signature = decoded
		}
		offset += len(seg) + 1
	}
	return t
}

// Truthy reports whether the server's JavaScript treats a decoded JSON
// value as true: null, false, "", 0 and NaN are false, everything else,
// empty arrays and objects included, is true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || (f != 0 && !math.IsNaN(f))
	}
	return true
}

// SigningInput is the exact text the signature covers.
func (t *Token) SigningInput() string {
	if len(t.Segments) != 3 {
		return ""
	}
	return t.Segments[0] + "." + t.Segments[1]
}

// Decodable reports whether the server's decode step succeeds: three parts,
// each of header and payload valid JSON.
func (t *Token) Decodable() bool {
	return len(t.Segments) == 3 && t.HeaderValid && t.PayloadValid
}

func (t *Token) decodeJSON(data []byte, index, offset int, seg string) (map[string]any, bool, []string) {
	text := nodeutf8.Bytes(data)
	fail := func(at int, reason string) (map[string]any, bool, []string) {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index,
			Offset: offset + min(len(seg), at*4/3), Reason: reason})
		return nil, false, nil
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return fail(0, "decodes to nothing")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		at := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			at = int(se.Offset)
		}
		return fail(at, "not JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	// JSON.parse accepts trailing whitespace and nothing else.
	if rest := bytes.TrimLeft(text[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fail(len(text)-len(rest), fmt.Sprintf("not JSON: unexpected %q after the JSON value", rest[0]))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index, Offset: offset,
			Reason: fmt.Sprintf("JSON %s, not an object", jsonKind(v))})
		return nil, true, nil
	}
	return obj, true, duplicateMembers(text)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// duplicateMembers lists top-level member names that occur more than once.
// JSON.parse keeps the last one silently; other parsers keep the first.
// text is known to be a valid JSON object, so a plain scan suffices; it is
// far cheaper than a second pass through encoding/json.
func duplicateMembers(text []byte) []string {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return nil
	}
	var names, dups []string
	for i = skipSpace(text, i+1); i < len(text) && text[i] == '"'; {
		end := skipString(text, i)
		name := string(text[i+1 : end-1])
		if bytes.IndexByte(text[i:end], '\\') >= 0 {
			_ = json.Unmarshal(text[i:end], &name)
		}
		for _, seen := range names {
			if seen == name {
				dups = appendOnce(dups, name)
			}
		}
		names = append(names, name)
		i = skipSpace(text, end)
		i = skipValue(text, skipSpace(text, i+1)) // past ':'
		i = skipSpace(text, i)
		if i < len(text) && text[i] == ',' {
			i = skipSpace(text, i+1)
		}
	}
	return dups
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = skipString(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

func firstNonBase64URL(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return i
		}
	}
	return -1
}

var decodeMap = func() [256]byte {
	var m [256]byte
	for i := range m {
		m[i] = 0xff
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		m[std[i]] = byte(i)
	}
	m['-'] = 62
	m['_'] = 63
	return m
}()

// DecodeLenient decodes base64 the way Node's Buffer.from(s, "base64") does,
// which is what the server uses: both alphabets are accepted, characters
// outside them are skipped, and decoding stops at the first '='.
func DecodeLenient(s string) []byte {
	if isStrictRawURL(s) {
		if out, err := base64.RawURLEncoding.DecodeString(s); err == nil {
			return out
		}
	}
	out := make([]byte, 0, len(s)*3/4+1)
	var buf [4]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		v := decodeMap[c]
		if v == 0xff {
			continue
		}
		buf[n] = v
		n++
		if n == 4 {
			out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2, buf[2]<<6|buf[3])
			n = 0
		}
	}
	switch n {
	case 2:
		out = append(out, buf[0]<<2|buf[1]>>4)
	case 3:
		out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2)
	}
	return out
}

func isStrictRawURL(s string) bool {
	return firstNonBase64URL(s) < 0 && len(s)%4 != 1
}
