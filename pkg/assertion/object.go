package assertion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Member is one member of a JSON object; Value is compact JSON text.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Object is a JSON object that keeps its members in order. A JWT is a byte
// string, so the order of the members is part of what gets signed, and a
// reproduced assertion should read like the original. Names may repeat when
// the input repeated them.
type Object []Member

// Has reports whether name is a member.
func (o Object) Has(name string) bool { return o.index(name) >= 0 }

// Get returns the value of name, the last one when it repeats (as
// JSON.parse keeps it).
func (o Object) Get(name string) (json.RawMessage, bool) {
	if i := o.index(name); i >= 0 {
		return o[i].Value, true
	}
	return nil, false
}

// String returns the value of name when it is a JSON string.
func (o Object) String(name string) (string, bool) {
	raw, ok := o.Get(name)
	if !ok || len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// Number returns the value of name when it is a JSON number.
func (o Object) Number(name string) (float64, bool) {
	raw, ok := o.Get(name)
	if !ok || len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

func (o Object) index(name string) int {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Name == name {
			return i
		}
	}
	return -1
}

// Set gives name the value v in place, or appends it. Every repeat of the
// name takes the value.
func (o *Object) Set(name string, v json.RawMessage) {
	found := false
	for i := range *o {
		if (*o)[i].Name == name {
			(*o)[i].Value = v
			found = true
		}
	}
	if !found {
		*o = append(*o, Member{Name: name, Value: v})
	}
}

// SetAt is Set, but a new member goes in at position at (clamped).
func (o *Object) SetAt(at int, name string, v json.RawMessage) {
	if o.Has(name) {
		o.Set(name, v)
		return
	}
	at = max(0, min(at, len(*o)))
	*o = append(*o, Member{})
	copy((*o)[at+1:], (*o)[at:])
	(*o)[at] = Member{Name: name, Value: v}
}

// Delete removes every member called name and reports whether there was one.
func (o *Object) Delete(name string) bool {
	out := (*o)[:0]
	for _, m := range *o {
		if m.Name != name {
			out = append(out, m)
		}
	}
	removed := len(out) != len(*o)
	*o = out
	return removed
}

// Clone returns a copy that shares no members with o.
func (o Object) Clone() Object {
	if o == nil {
		return nil
	}
	return append(Object(nil), o...)
}

// AppendCompact appends the object as compact JSON, members in order,
// without the HTML escaping encoding/json would add.
func (o Object) AppendCompact(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Name)
		b = append(b, ':')
		b = append(b, m.Value...)
	}
	return append(b, '}')
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("{}"), nil
	}
	return o.AppendCompact(nil), nil
}

// UnmarshalJSON reads an object, keeping member order and repeats.
func (o *Object) UnmarshalJSON(data []byte) error {
	obj, err := ParseObject(data)
	if err != nil {
		return err
	}
	*o = obj
	return nil
}

// ParseObject reads exactly one JSON object.
func ParseObject(data []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("JSON %s, not an object", kindOfToken(tok))
	}
	obj := Object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err)
		}
		obj = append(obj, Member{Name: name, Value: compact(raw)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return obj, nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON: %s", err.Error())
}

func kindOfToken(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// appendString appends s as a JSON string, escaping only what JSON needs.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// jsonString is a JSON string value.
func jsonString(s string) json.RawMessage { return appendString(nil, s) }

// jsonInt is a JSON integer value.
func jsonInt(n int64) json.RawMessage { return strconv.AppendInt(nil, n, 10) }

// ParseValue reads a --claim or --header value: JSON when it parses as one
// JSON value, otherwise the text as a string.
func ParseValue(text string) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err == nil {
		if _, err := dec.Token(); err == io.EOF {
			return compact(raw)
		}
	}
	return jsonString(text)
}
