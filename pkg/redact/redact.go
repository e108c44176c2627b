// Package redact keeps private key material that a token carries out of
// everything clientassert prints or copies: the private members of any JWK
// found in a JOSE header or a claims set.
package redact

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Placeholder replaces a private member's value.
const Placeholder = "<redacted>"

// privateMembers are the JWK members that hold private or secret key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
// IsPrivateMember reports whether name holds private material in a JWK.
func IsPrivateMember(name string) bool {
	switch name {
	case "d", "p", "q", "dp", "dq", "qi", "oth", "k":
		return true
	}
	return false
}

// Mode says what happens to a private member.
type Mode int

const (
	// Replace keeps the member with the value "<redacted>".
	Replace Mode = iota
	// Drop removes the member.
	Drop
)

// JSON rewrites the JSON text b so that no JWK inside it keeps a private
// member. A JWK is an object with a "kty" member or the value of a member
// named "jwk". Member order, duplicates and the bytes of everything else
// are kept. found lists each private member taken out, as a path such as
// "jwk.d" or "cnf.jwk.p". Text that is not valid JSON comes back as it is,
// with no paths: callers only print JSON they have already parsed.
func JSON(b []byte, mode Mode) (out []byte, found []string) {
	if !mayHoldPrivate(b) {
		return b, nil
	}
	p := &parser{in: b}
	p.space()
	root, ok := p.value(0)
	if !ok {
		return b, nil
	}
	w := &writer{in: b, mode: mode}
	w.node(root, "", false)
	if len(w.found) == 0 {
		return b, nil
	}
	w.out = append(w.out, b[w.copied:]...)
	return w.out, w.found
}

// Value is JSON for a decoded value (objects as map[string]any, numbers as
// json.Number): it returns v itself when nothing is private, or a copy
// without the private members.
func Value(v any, mode Mode) (any, []string) {
	if v == nil {
		return v, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v, nil
	}
	out, found := JSON(b, mode)
	if len(found) == 0 {
		return v, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	var copyOf any
	if err := dec.Decode(&copyOf); err != nil {
		return v, nil
	}
	return copyOf, found
}

// mayHoldPrivate skips the work for the usual token, which has no JWK.
func mayHoldPrivate(b []byte) bool {
	return bytes.Contains(b, []byte("kty")) || bytes.Contains(b, []byte("jwk")) || bytes.Contains(b, []byte(`\u`))
}

// maxDepth bounds nesting as the standard JSON decoder does.
const maxDepth = 10000

// node is one JSON value: its span and, for objects and arrays, its parts.
type node struct {
	start, end int
	members    []member
	elems      []*node
}

type member struct {
	name     string
	keyStart int
	// cut is the end of the previous member's value (or just after '{'):
	// cutting from there to the end of this value removes the member and
	// the comma before it.
	cut int
	val *node
}

type parser struct {
	in  []byte
	pos int
}

func (p *parser) space() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*node, bool) {
	if p.pos >= len(p.in) || depth > maxDepth {
		return nil, false
	}
	n := &node{start: p.pos}
	switch c := p.in[p.pos]; c {
	case '{':
		p.pos++
		prevEnd := p.pos
		p.space()
		if p.pos < len(p.in) && p.in[p.pos] == '}' {
			p.pos++
			break
		}
		for {
			p.space()
			if p.pos >= len(p.in) || p.in[p.pos] != '"' {
				return nil, false
			}
			m := member{keyStart: p.pos, cut: prevEnd}
			name, ok := p.str()
			if !ok {
				return nil, false
			}
			m.name = name
			p.space()
			if p.pos >= len(p.in) || p.in[p.pos] != ':' {
				return nil, false
			}
			p.pos++
			p.space()
			if m.val, ok = p.value(depth + 1); !ok {
				return nil, false
			}
			n.members = append(n.members, m)
			prevEnd = p.pos
			p.space()
			if p.pos >= len(p.in) {
				return nil, false
			}
			if p.in[p.pos] == '}' {
				p.pos++
				break
			}
			if p.in[p.pos] != ',' {
				return nil, false
			}
			p.pos++
		}
	case '[':
		p.pos++
		p.space()
		if p.pos < len(p.in) && p.in[p.pos] == ']' {
			p.pos++
			break
		}
		for {
			p.space()
			e, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			n.elems = append(n.elems, e)
			p.space()
			if p.pos >= len(p.in) {
				return nil, false
			}
			if p.in[p.pos] == ']' {
				p.pos++
				break
			}
			if p.in[p.pos] != ',' {
				return nil, false
			}
			p.pos++
		}
	case '"':
		if _, ok := p.str(); !ok {
			return nil, false
		}
	default:
		for p.pos < len(p.in) && strings.IndexByte(",]} \t\n\r:{[\"", p.in[p.pos]) < 0 {
			p.pos++
		}
		if p.pos == n.start {
			return nil, false
		}
	}
	n.end = p.pos
	return n, true
}

// str scans a string and returns its decoded text.
func (p *parser) str() (string, bool) {
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		p.pos++
		switch c {
		case '\\':
			escaped = true
			p.pos++
		case '"':
			raw := p.in[start:p.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), true
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

type writer struct {
	in     []byte
	mode   Mode
	out    []byte
	copied int // in[:copied] is already in out
	found  []string
}

// cut drops in[from:to] from the output.
func (w *writer) cut(from, to int) {
	w.out = append(w.out, w.in[w.copied:from]...)
	w.copied = to
}

func (w *writer) node(n *node, path string, isJWK bool) {
	for _, e := range n.elems {
		w.node(e, path+"[]", false)
	}
	if n.members == nil {
		return
	}
	jwk := isJWK
	for _, m := range n.members {
		jwk = jwk || m.name == "kty"
	}
	firstKept := -1
	for i, m := range n.members {
		if !jwk || !IsPrivateMember(m.name) {
			firstKept = i
			break
		}
	}
	for i, m := range n.members {
		if !jwk || !IsPrivateMember(m.name) {
			w.node(m.val, join(path, m.name), m.name == "jwk")
			continue
		}
		w.found = append(w.found, join(path, m.name))
		switch {
		case w.mode == Replace:
			w.cut(m.val.start, m.val.end)
			w.out = append(w.out, `"`+Placeholder+`"`...)
		case firstKept < 0: // every member goes: keep only the braces
			if i == 0 {
				w.cut(m.cut, n.members[len(n.members)-1].val.end)
			}
		case i < firstKept: // before the first kept member: cut up to the next key
			w.cut(m.keyStart, n.members[i+1].keyStart)
		default: // after a kept member: cut with the comma before it
			w.cut(m.cut, m.val.end)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
