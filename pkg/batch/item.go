// Package batch lints many client assertions in one run: one item per input
// line, read as a stream, linted by a pool of workers, and written back in
// input order, either item by item or as counts.
package batch

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/token"
)

// MaxLineBytes caps one input line. A longer line becomes an error item; the
// reader skips the rest of it without holding it in memory.
const MaxLineBytes = 1 << 20

// source is what one line asks to lint, before defaults are applied.
type source struct {
	Token    string
	Now      string
	ClientID string
	Profile  string
	Notes    []string
}

// jsonItem is the object form of a line. Now is raw so that both an RFC 3339
// string and Unix seconds are accepted.
type jsonItem struct {
	Token    *string         `json:"token"`
	Now      json.RawMessage `json:"now"`
	ClientID string          `json:"client_id"`
	Profile  string          `json:"profile"`
}

// parseLine reads one line: a JSON object with a token member, a bare
// token, or a log line with a token somewhere in it. The error is the
// item's error message.
func parseLine(line []byte) (source, error) {
	trimmed := bytes.TrimSpace(line)
	if isWholeJWT(trimmed) {
		// The common case, a bare token: what the searches below would
		// find, without them.
		return source{Token: string(trimmed)}, nil
	}
	if len(trimmed) > 0 && trimmed[0] == '{' && mayNameItemMember(trimmed) {
		var obj jsonItem
		err := json.Unmarshal(trimmed, &obj)
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return source{}, fmt.Errorf("the %s member of the JSON item is not a %s", typeErr.Field, typeErr.Type)
		}
		if err == nil && obj.Token != nil {
			return fromJSON(obj)
		}
	}
	text := string(trimmed)
	if v, ok := formAssertion(text); ok {
		tok, notes := token.Extract(v)
		return source{Token: tok, Notes: append([]string{"took the client_assertion parameter"}, notes...)}, nil
	}
	if tok, ok := findJWT(text); ok {
		var notes []string
		if tok != text {
			notes = []string{"took the JWT found in the line"}
		}
		return source{Token: tok, Notes: notes}, nil
	}
	if !strings.ContainsAny(text, " \t") || hasBearer(text) {
		tok, notes := token.Extract(text)
		if strings.TrimSpace(tok) != "" {
			return source{Token: tok, Notes: notes}, nil
		}
	}
	return source{}, fmt.Errorf("no token in the line")
}

// mayNameItemMember is false when no member of the object s can be one of
// jsonItem's token, client_id or profile, so decoding it could neither make
// an item nor fail: a JSON log line without them is searched for a JWT
// without decoding it first. encoding/json matches member names ignoring
// case, after unescaping, with Unicode folding (the Kelvin sign is a k);
// so any escape or non-ASCII byte answers true.
func mayNameItemMember(s []byte) bool {
	if bytes.IndexByte(s, '\\') >= 0 || !isASCII(s) {
		return true
	}
	// Without escapes a string holds no quote, so every member name is the
	// run between the two quotes before a colon (blanks aside). A colon
	// inside a string value yields a run that is no name; it is only
	// compared in vain.
	for rest := s; ; {
		colon := bytes.IndexByte(rest, ':')
		if colon < 0 {
			return false
		}
		end := len(bytes.TrimRight(rest[:colon], " \t\r\n")) - 1
		if end > 0 && rest[end] == '"' {
			if start := bytes.LastIndexByte(rest[:end], '"'); start >= 0 {
				name := rest[start+1 : end]
				if bytes.EqualFold(name, []byte("token")) || bytes.EqualFold(name, []byte("client_id")) ||
					bytes.EqualFold(name, []byte("profile")) {
					return true
				}
			}
		}
		rest = rest[colon+1:]
	}
}

func isASCII(s []byte) bool {
	var high uint64
	for len(s) >= 8 {
		high |= binary.LittleEndian.Uint64(s)
		s = s[8:]
	}
	for _, c := range s {
		high |= uint64(c)
	}
	return high&0x8080808080808080 == 0
}

func fromJSON(obj jsonItem) (source, error) {
	tok, notes := token.Extract(*obj.Token)
	if strings.TrimSpace(tok) == "" {
		return source{}, fmt.Errorf("the token member is empty")
	}
	src := source{Token: tok, ClientID: obj.ClientID, Profile: obj.Profile, Notes: notes}
	if len(obj.Now) > 0 && string(obj.Now) != "null" {
		var s string
		if err := json.Unmarshal(obj.Now, &s); err == nil {
			src.Now = s
		} else {
			src.Now = string(obj.Now)
		}
		if src.Now == "" {
			return source{}, fmt.Errorf("the now member is empty")
		}
	}
	return src, nil
}

func hasBearer(s string) bool {
	s = strings.TrimLeft(s, `"'`)
	return len(s) > 7 && strings.EqualFold(s[:7], "bearer ")
}

// formAssertion finds client_assertion=VALUE in a form body or a URL query
// inside a log line; VALUE ends at '&', whitespace or a quote.
func formAssertion(line string) (string, bool) {
	const key = "client_assertion="
	i := strings.Index(line, key)
	for i > 0 && isNameChar(line[i-1]) {
		// part of a longer name such as x_client_assertion=
		j := strings.Index(line[i+1:], key)
		if j < 0 {
			return "", false
		}
		i += 1 + j
	}
	if i < 0 {
		return "", false
	}
	v := line[i+len(key):]
	if end := strings.IndexAny(v, "& \t\"'<>,;"); end >= 0 {
		v = v[:end]
	}
	if dec, err := url.QueryUnescape(v); err == nil {
		v = dec
	}
	if v == "" {
		return "", false
	}
	return v, true
}

func isNameChar(c byte) bool { return b64URL[c] }

// b64URL marks the base64url alphabet; notJWT is 1 for every byte that
// cannot appear in a compact JWT (the alphabet and the dot).
var b64URL, notJWT = func() (b [256]bool, n [256]byte) {
	for c := range 256 {
		b[c] = c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !b[c] && c != '.' {
			n[c] = 1
		}
	}
	return b, n
}()

// isWholeJWT reports whether s is nothing but a JWT-shaped run, the one
// findJWT would return for it. It runs on every bare-token line, so the scan
// has no branch per byte.
func isWholeJWT(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("eyJ")) || bytes.Count(s, []byte(".")) < 2 {
		return false
	}
	var bad byte
	for len(s) >= 8 {
		bad |= notJWT[s[0]] | notJWT[s[1]] | notJWT[s[2]] | notJWT[s[3]] |
			notJWT[s[4]] | notJWT[s[5]] | notJWT[s[6]] | notJWT[s[7]]
		s = s[8:]
	}
	for _, c := range s {
		bad |= notJWT[c]
	}
	return bad == 0
}

// findJWT returns the first JWT-shaped run in s: a segment starting with
// "eyJ" (a base64url-encoded '{"'), then at least two more dot-separated
// base64url segments. The signature segment may be empty.
func findJWT(s string) (string, bool) {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], "eyJ")
		if i < 0 {
			return "", false
		}
		start := from + i
		if start > 0 && b64URL[s[start-1]] {
			from = start + 3
			continue
		}
		end, dots := start, 0
		for end < len(s) && notJWT[s[end]] == 0 {
			if s[end] == '.' {
				dots++
			}
			end++
		}
		if dots >= 2 {
			return s[start:end], true
		}
		from = end
	}
	return "", false
}

// parseTime reads a moment as RFC 3339 or Unix seconds, as --now does.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs >= 0 && secs < 1e11 {
		whole := int64(secs)
		return time.Unix(whole, int64((secs-float64(whole))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid now %q: use RFC 3339 or Unix seconds", s)
}
