// Package token reads a client assertion the way the server does (lenient
// base64, JSON.parse semantics) and records, for people, where it is broken.
package token

import (
	"net/url"
	"strings"
)

// Extract pulls the compact token out of text as users paste it: surrounding
// whitespace and quotes, a "Bearer " prefix, a client_assertion=... pair or a
// whole form body, and URL encoding. Notes say what was stripped.
func Extract(input string) (tok string, notes []string) {
	s := strings.TrimSpace(strings.TrimPrefix(input, "\ufeff"))
	for {
		before := s
		s = strings.TrimSpace(s)
		if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
			s = s[1 : len(s)-1]
			notes = appendOnce(notes, "removed surrounding quotes")
		}
		if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
			s = s[7:]
			notes = appendOnce(notes, `removed a "Bearer " prefix`)
		}
		if s == before {
			break
		}
	}
	if strings.Contains(s, "client_assertion=") || (strings.Contains(s, "=") && strings.Contains(s, "&")) {
		if v, ok := formValue(s, "client_assertion"); ok {
			s = v
			notes = appendOnce(notes, "took the client_assertion parameter of a form body")
		}
	}
	if strings.Contains(s, "%") {
		if dec, err := url.PathUnescape(s); err == nil && dec != s {
			s = dec
			notes = appendOnce(notes, "URL-decoded the token")
		}
	}
	if trimmed := strings.Trim(s, "\"' \t\r\n"); trimmed != s {
		s = trimmed
	}
	return s, notes
}

func formValue(body, name string) (string, bool) {
	for _, pair := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if strings.TrimSpace(k) == name {
			return v, true
		}
	}
	return "", false
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
