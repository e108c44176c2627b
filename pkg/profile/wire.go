package profile

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// JSONStyle is how a server serialises its JSON response bodies. Clients and
// tests compare bodies byte for byte, so the style is part of the model.
type JSONStyle int

const (
	// JSONCompact is compact JSON with no trailing newline (Express res.json, Koa).
	JSONCompact JSONStyle = iota
	// JSONCompactNewline is compact JSON followed by "\n" (Go's json.Encoder).
	JSONCompactNewline
	// JSONPython is Python's json.dumps default: ", " and ": " separators.
	JSONPython
)

// Wire describes the bytes a server puts around an answer.
type Wire struct {
	// Path is where the token endpoint lives on the server's host.
	Path  string
	Style JSONStyle
	// Headers are sent with every token response, success or failure.
	Headers map[string]string
	// ContentType of JSON answers.
	ContentType string
	// TokenType, ExpiresIn and Scope shape a successful answer.
	TokenType string
	ExpiresIn int
	Scope     ScopePolicy
}

// ScopePolicy says when a successful answer carries scope.
type ScopePolicy string

const (
	ScopeNever ScopePolicy = ""
	// ScopeAlways: scope is always sent, empty when none was granted.
	ScopeAlways ScopePolicy = "always"
	// ScopeGranted: scope is sent when one was requested and granted.
	ScopeGranted ScopePolicy = "granted"
)

// Answer is one response the server sends: a status and JSON members in the
// order the server writes them, or a raw body (an HTML error page) when
// RawBody is set.
type Answer struct {
	Status      int
	Members     []Member
	ContentType string
	RawBody     []byte
	Headers     map[string]string
}

// Member is a JSON object member of an answer.
type Member struct {
	Name  string
	Value any
}

// ErrorAnswer is the JSON error body {"error":code,"error_description":desc};
// the description is left out when hasDescription is false.
func (p Profile) ErrorAnswer(status int, code, description string, hasDescription bool) Answer {
	a := Answer{Status: status, Members: []Member{{"error", code}}}
	if hasDescription {
		a.Members = append(a.Members, Member{"error_description", description})
	}
	return a
}

// SuccessAnswer is the server's shape of an issued token.
func (p Profile) SuccessAnswer(accessToken, scope string) Answer {
	a := Answer{Status: http.StatusOK, Members: []Member{{"access_token", accessToken}}}
	if p.Wire.ExpiresIn > 0 {
		a.Members = append(a.Members, Member{"expires_in", p.Wire.ExpiresIn})
	}
	if p.Wire.Scope == ScopeAlways || p.Wire.Scope == ScopeGranted && scope != "" {
		a.Members = append(a.Members, Member{"scope", scope})
	}
	a.Members = append(a.Members, Member{"token_type", p.Wire.TokenType})
	return a
}

// Encode renders an answer as the server would: headers and body bytes.
func (p Profile) Encode(a Answer) (http.Header, []byte) {
	h := http.Header{}
	if a.RawBody == nil { // a framework's error page carries none of the endpoint's headers
		for k, v := range p.Wire.Headers {
			h.Set(k, v)
		}
	}
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	if a.RawBody != nil {
		ct := a.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		h.Set("Content-Type", ct)
		return h, a.RawBody
	}
	ct := a.ContentType
	if ct == "" {
		ct = p.Wire.ContentType
	}
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	return h, encodeMembers(a.Members, p.Wire.Style)
}

func encodeMembers(members []Member, style JSONStyle) []byte {
	var b bytes.Buffer
	sep, colon := ",", ":"
	if style == JSONPython {
		sep, colon = ", ", ": "
	}
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteString(sep)
		}
		b.Write(marshal(m.Name, style))
		b.WriteString(colon)
		b.Write(marshal(m.Value, style))
	}
	b.WriteByte('}')
	if style == JSONCompactNewline {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// marshal writes a value without Go's HTML escaping, which no modelled server
// applies; Python also escapes every non-ASCII character.
func marshal(v any, style JSONStyle) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if style == JSONPython {
		return []byte(pythonASCII(string(out)))
	}
	return out
}

func pythonASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			b.WriteString(hex4(0xD800 + (r >> 10)))
			b.WriteString(hex4(0xDC00 + (r & 0x3FF)))
		default:
			b.WriteString(hex4(r))
		}
	}
	return b.String()
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return `\u` + string([]byte{digits[r>>12&0xF], digits[r>>8&0xF], digits[r>>4&0xF], digits[r&0xF]})
}
