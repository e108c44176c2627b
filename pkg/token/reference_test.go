package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

// referenceParse is the multi-pass reader the one-pass Parse replaced:
// encoding/json over the WHATWG-decoded text, a trailing-data check and a
// separate duplicate scan. The differential fuzz targets hold Parse to it.
func referenceParse(raw string) *Token {
	t := &Token{Raw: raw, Segments: strings.Split(raw, ".")}
	if len(t.Segments) != 3 {
		return t
	}
	offset := 0
	for i, seg := range t.Segments {
		if bad := referenceFirstNonBase64URL(seg); bad >= 0 {
			t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[i], Index: i, Offset: offset + bad,
				Reason: fmt.Sprintf("character %q is not base64url", seg[bad])})
		}
		decoded := referenceDecodeLenient(seg)
		switch i {
		case 0:
			t.HeaderJSON = decoded
			t.Header, t.HeaderValid, t.DuplicateHeader = referenceDecodeJSON(t, decoded, i, offset, seg)
		case 1:
			t.PayloadJSON = decoded
			t.Payload, t.PayloadValid, t.DuplicatePayload = referenceDecodeJSON(t, decoded, i, offset, seg)
		case 2:
			t.Signature = decoded
		}
		offset += len(seg) + 1
	}
	return t
}

// referenceJSON is JSON.parse as the model has always read it: the bytes
// decoded as Node decodes them, then encoding/json with UseNumber, with
// nothing but JSON whitespace allowed after the value.
func referenceJSON(data []byte) (v any, at int, err error) {
	text := nodeutf8.Bytes(data)
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, 0, errors.New("decodes to nothing")
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			at = int(se.Offset)
		}
		return nil, at, errors.New("not JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	if rest := bytes.TrimLeft(text[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, len(text) - len(rest), fmt.Errorf("not JSON: unexpected %q after the JSON value", rest[0])
	}
	return v, 0, nil
}

func referenceDecodeJSON(t *Token, data []byte, index, offset int, seg string) (map[string]any, bool, []string) {
	v, at, err := referenceJSON(data)
	if err != nil {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index,
			Offset: offset + min(len(seg), at*4/3), Reason: err.Error()})
		return nil, false, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errors = append(t.Errors, &SegmentError{Segment: SegmentNames[index], Index: index, Offset: offset,
			Reason: fmt.Sprintf("JSON %s, not an object", jsonKind(v))})
		return nil, true, nil
	}
	return obj, true, referenceDuplicates(nodeutf8.Bytes(data))
}

func referenceFirstNonBase64URL(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return i
		}
	}
	return -1
}

// referenceDecodeLenient is Node's Buffer.from(s, "base64") written out
// plainly, with the standard decoder for the common well-formed case.
func referenceDecodeLenient(s string) []byte {
	if referenceFirstNonBase64URL(s) < 0 && len(s)%4 != 1 {
		if out, err := base64.RawURLEncoding.DecodeString(s); err == nil {
			return out
		}
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := []byte{}
	var group []byte
	for i := 0; i < len(s) && s[i] != '='; i++ {
		c := s[i]
		switch c {
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		v := strings.IndexByte(std, c)
		if v < 0 {
			continue
		}
		group = append(group, byte(v))
		if len(group) == 4 {
			out = append(out, group[0]<<2|group[1]>>4, group[1]<<4|group[2]>>2, group[2]<<6|group[3])
			group = group[:0]
		}
	}
	switch len(group) {
	case 2:
		out = append(out, group[0]<<2|group[1]>>4)
	case 3:
		out = append(out, group[0]<<2|group[1]>>4, group[1]<<4|group[2]>>2)
	}
	return out
}
