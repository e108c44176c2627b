package token

import (
	"bytes"
	"encoding/binary"
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
	segments [3]string

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
	t := &Token{Raw: raw}
	dot1 := strings.IndexByte(raw, '.')
	dot2 := dot1 + 1 + strings.IndexByte(raw[dot1+1:], '.')
	if dot1 < 0 || dot2 <= dot1 || strings.IndexByte(raw[dot2+1:], '.') >= 0 {
		t.Segments = strings.Split(raw, ".")
		return t
	}
	t.segments = [3]string{raw[:dot1], raw[dot1+1 : dot2], raw[dot2+1:]}
	t.Segments = t.segments[:]

	// One buffer holds the three decoded parts, each capped so that an
	// append by a caller cannot run into the next.
	buf := make([]byte, 0, maxDecodedLen(dot1)+maxDecodedLen(dot2-dot1-1)+maxDecodedLen(len(raw)-dot2-1))
	var ends, bad, starts [3]int
	for i, seg := range t.segments {
		buf, bad[i] = appendLenient(buf, seg)
		ends[i] = len(buf)
		if i > 0 {
			starts[i] = starts[i-1] + len(t.segments[i-1]) + 1
		}
	}
	t.HeaderJSON = buf[:ends[0]:ends[0]]
	t.PayloadJSON = buf[ends[0]:ends[1]:ends[1]]
	t.Signature = buf[ends[1]:ends[2]:ends[2]]

	// Values share one copy of the JSON text: a member name or string value
	// without escapes is a slice of it, not an allocation of its own.
	text := string(buf[:ends[1]])
	r := readers.Get().(*jsonReader)
	t.base64Error(0, bad[0], starts[0])
	t.Header, t.HeaderValid, t.DuplicateHeader = t.decodeJSON(r, text[:ends[0]], t.HeaderJSON, 0, starts[0])
	t.base64Error(1, bad[1], starts[1])
	t.Payload, t.PayloadValid, t.DuplicatePayload = t.decodeJSON(r, text[ends[0]:], t.PayloadJSON, 1, starts[1])
	t.base64Error(2, bad[2], starts[2])
	readers.Put(r)
	return t
}

func (t *Token) base64Error(index, bad, start int) {
	if bad >= 0 {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index, Offset: start + bad,
			Reason: fmt.Sprintf("character %q is not base64url", t.segments[index][bad])})
	}
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
	return t.Raw[:len(t.Segments[0])+1+len(t.Segments[1])]
}

// Decodable reports whether the server's decode step succeeds: three parts,
// each of header and payload valid JSON.
func (t *Token) Decodable() bool {
	return len(t.Segments) == 3 && t.HeaderValid && t.PayloadValid
}

func (t *Token) decodeJSON(r *jsonReader, text string, data []byte, index, offset int) (map[string]any, bool, []string) {
	v, dups, ok := r.read(text)
	if !ok {
		t.Errors = append(t.Errors, syntaxError(data, index, offset, len(t.Segments[index])))
		return nil, false, nil
	}
	obj, isObject := v.(map[string]any)
	if !isObject {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index, Offset: offset,
			Reason: fmt.Sprintf("JSON %s, not an object", jsonKind(v))})
		return nil, true, nil
	}
	return obj, true, dups
}

// syntaxError says why data, which JSON.parse would reject, is broken, in
// encoding/json's words and at its offset mapped back onto the segment.
func syntaxError(data []byte, index, offset, segLen int) *SegmentError {
	text := nodeutf8.Bytes(data)
	fail := func(at int, reason string) *SegmentError {
		return &SegmentError{Segment: SegmentNames[index], Index: index,
			Offset: offset + min(segLen, at*4/3), Reason: reason}
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
	// Unreachable while the reader and encoding/json agree (FuzzReaderMatchesEncodingJSON).
	return fail(0, "not JSON")
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

var decodeMap = func() [256]byte {
	var m [256]byte
	for i := range m {
		m[i] = skipped
	}
	const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(url); i++ {
		m[url[i]] = byte(i)
	}
	m['+'] = 62 | notURL
	m['/'] = 63 | notURL
	m['='] = stopChar
	return m
}()

// IsCanonicalBase64URL reports whether s is unpadded base64url that decodes
// and encodes back to itself: URL alphabet only, no padding, and the bits of
// the last character past the data all zero.
func IsCanonicalBase64URL(s string) bool {
	if len(s)%4 == 1 {
		return false
	}
	var last byte
	for i := 0; i < len(s); i++ {
		if last = decodeMap[s[i]]; last >= notURL {
			return false
		}
	}
	switch len(s) % 4 {
	case 2:
		return last&0x0f == 0
	case 3:
		return last&0x03 == 0
	}
	return true
}

// DecodeLenient decodes base64 the way Node's Buffer.from(s, "base64") does,
// which is what the server uses: both alphabets are accepted, characters
// outside them are skipped, and decoding stops at the first '='.
func DecodeLenient(s string) []byte {
	out, _ := appendLenient(make([]byte, 0, maxDecodedLen(len(s))), s)
	return out
}

func maxDecodedLen(n int) int { return n/4*3 + 2 }

// Marks in decodeMap beside the 6-bit values.
const (
	notURL   = 0x40 // '+' and '/': decoded, but not base64url
	skipped  = 0xfe // outside both alphabets
	stopChar = 0xff // '=' ends the data
)

// appendLenient appends the lenient decoding of s to out and returns the
// index of the first character that is not base64url, or -1.
func appendLenient(out []byte, s string) ([]byte, int) {
	// Whole groups of four base64url characters, the usual case, go
	// straight to three bytes; the first other character falls through to
	// the character-by-character loop.
	i := 0
	if room := (cap(out) - len(out)) / 3; room > 0 {
		dst := out[len(out):cap(out)]
		w := 0
		// Eight characters at a time while there is room to store eight
		// bytes, of which the last two are scratch the next group overwrites.
		for ; i+8 <= len(s) && w+8 <= len(dst); i, w = i+8, w+6 {
			a, b, c, d := decodeMap[s[i]], decodeMap[s[i+1]], decodeMap[s[i+2]], decodeMap[s[i+3]]
			e, f, g, h := decodeMap[s[i+4]], decodeMap[s[i+5]], decodeMap[s[i+6]], decodeMap[s[i+7]]
			if a|b|c|d|e|f|g|h >= 64 {
				break
			}
			binary.BigEndian.PutUint64(dst[w:], uint64(a)<<58|uint64(b)<<52|uint64(c)<<46|uint64(d)<<40|
				uint64(e)<<34|uint64(f)<<28|uint64(g)<<22|uint64(h)<<16)
		}
		for ; i+4 <= len(s) && w < room*3; i, w = i+4, w+3 {
			a, b, c, d := decodeMap[s[i]], decodeMap[s[i+1]], decodeMap[s[i+2]], decodeMap[s[i+3]]
			if a|b|c|d >= 64 {
				break
			}
			group := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
			dst[w], dst[w+1], dst[w+2] = byte(group>>16), byte(group>>8), byte(group)
		}
		out = out[:len(out)+w]
	}
	bad := -1
	var acc uint32
	n := 0
	for ; i < len(s); i++ {
		v := decodeMap[s[i]]
		if v >= 64 {
			if bad < 0 {
				bad = i
			}
			if v == stopChar {
				break
			}
			if v == skipped {
				continue
			}
			v &^= notURL
		}
		acc = acc<<6 | uint32(v)
		if n++; n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, bad
}
