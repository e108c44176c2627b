package explain

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Form is the shape the input came in.
type Form string

const (
	FormText Form = "text" // a bare error_description
	FormJSON Form = "json" // the JSON error body
	FormHTTP Form = "http" // a raw HTTP response: status line, headers, body
	FormCurl Form = "curl" // a curl -i or -v transcript
)

// Response is what Parse found in the input.
type Response struct {
	Form             Form   `json:"form"`
	Status           int    `json:"status,omitempty"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description"`
	// HasDescription is false when the input holds a response or body with
	// no error_description member at all.
	HasDescription bool   `json:"has_error_description"`
	ErrorURI       string `json:"error_uri,omitempty"`
	// AccessToken is true when the body carries an access_token: the server
	// accepted the assertion.
	AccessToken bool `json:"access_token,omitempty"`
	// Date is the response's Date header, the server's clock.
	Date time.Time `json:"date,omitzero"`
	// URL is where the request went, from a curl command line or the
	// request half of a verbose transcript.
	URL string `json:"url,omitempty"`
	// IssuedAt is the iat of the assertion the input holds (a curl command
	// line with client_assertion=...), compared with Date.
	IssuedAt *time.Time `json:"assertion_iat,omitempty"`
	Notes    []string   `json:"notes,omitempty"`

	header http.Header
}

var (
	statusLine       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^HTTP/\d(?:\.\d)?\s+(\d{3})\b`) })
	requestLine      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]+\s+(\S+)\s+HTTP/\d`) })
	descriptionLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^["']?error_description["']?\s*[:=]\s*`) })
	// A truncated JSON body still shows the start of its description.
	descriptionMember = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"error_description"\s*:\s*"((?:[^"\\]|\\.)*)("?)`) })
	headerName        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+$`) })
	jwtShape          = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$`)
	})
)

// Parse reads any of the input forms: a bare error_description, the JSON
// error body, a raw HTTP response, or a curl -i/-v transcript.
func Parse(input string) *Response {
	r := parseForms(input)
	if r.Form != FormText {
		r.IssuedAt = assertionIAT(input)
	}
	return r
}

// assertionJWT finds a compact JWS whose header and payload are JSON objects.
var assertionJWT = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)
})

// assertionIAT is the iat of the first assertion in the input that has a
// numeric one.
func assertionIAT(input string) *time.Time {
	for _, tok := range assertionJWT().FindAllString(input, 8) {
		_, rest, _ := strings.Cut(tok, ".")
		payload, _, _ := strings.Cut(rest, ".")
		raw, err := base64.RawURLEncoding.DecodeString(payload)
		if err != nil {
			continue
		}
		var claims struct {
			IAT *float64 `json:"iat"`
		}
		if json.Unmarshal(raw, &claims) != nil || claims.IAT == nil || *claims.IAT < 0 || *claims.IAT > 1e11 {
			continue
		}
		t := time.Unix(int64(*claims.IAT), 0).UTC()
		return &t
	}
	return nil
}

// maxEcho is how much of each input string the result repeats.
const maxEcho = 512

// capEcho returns resp with every string taken from the input cut to
// maxEcho bytes, noting each cut, so that a huge input is not printed back.
func capEcho(resp *Response, notes *[]string) *Response {
	out := *resp
	for _, f := range []struct {
		name string
		s    *string
	}{{"error_description", &out.ErrorDescription}, {"error", &out.Error}, {"error_uri", &out.ErrorURI}, {"url", &out.URL}} {
		if len(*f.s) <= maxEcho {
			continue
		}
		*notes = append(*notes, fmt.Sprintf("the %s is %d bytes long; only its first %d are shown", f.name, len(*f.s), maxEcho))
		cut := maxEcho
		for cut > 0 && !utf8.RuneStart((*f.s)[cut]) {
			cut--
		}
		*f.s = (*f.s)[:cut] + "..."
	}
	return &out
}

func parseForms(input string) *Response {
	text := strings.TrimPrefix(input, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")

	if isCurlTranscript(lines) {
		return parseCurl(lines)
	}
	if first := firstNonBlank(lines); first >= 0 && statusLine().MatchString(strings.TrimSpace(lines[first])) {
		r := parseHTTP(lines[first:])
		r.Form = FormHTTP
		return r
	}
	trimmed := strings.TrimSpace(text)
	if strings.HasPrefix(trimmed, "{") {
		r := &Response{Form: FormJSON}
		r.readBody(trimmed)
		return r
	}
	return parseText(text)
}

func firstNonBlank(lines []string) int {
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			return i
		}
	}
	return -1
}

// parseText reads a bare description. Only the surrounding whitespace is
// dropped, plus what people paste around it: an error_description label,
// JSON string quotes, or a whole URL-encoded error query.
func parseText(text string) *Response {
	r := &Response{Form: FormText, HasDescription: true}
	s := strings.TrimSpace(text)
	if strings.Contains(s, "error_description=") && !strings.ContainsAny(s, " \n") {
		if q, err := url.ParseQuery(strings.TrimLeft(s, "?#")); err == nil && q.Has("error_description") {
			r.ErrorDescription = q.Get("error_description")
			r.Error = q.Get("error")
			r.ErrorURI = q.Get("error_uri")
			return r
		}
	}
	if loc := descriptionLabel().FindStringIndex(s); loc != nil {
		s = strings.TrimRight(strings.TrimSpace(s[loc[1]:]), ",")
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var unquoted string
		if json.Unmarshal([]byte(s), &unquoted) == nil {
			s = unquoted
		}
	}
	r.ErrorDescription = s
	if jwtShape().MatchString(s) {
		r.Notes = append(r.Notes, "the input looks like a JWT, not an error message: run clientassert lint on it")
	}
	return r
}

// parseHTTP reads a status line, headers and body. A 1xx interim response
// (100 Continue) is skipped for the final one that follows it.
func parseHTTP(lines []string) *Response {
	r := &Response{}
	for {
		m := statusLine().FindStringSubmatch(strings.TrimSpace(lines[0]))
		r.Status, _ = strconv.Atoi(m[1])
		header, rest := readHeader(lines[1:])
		r.header = header
		if r.Status >= 100 && r.Status < 200 {
			if next := firstNonBlank(rest); next >= 0 && statusLine().MatchString(strings.TrimSpace(rest[next])) {
				lines = rest[next:]
				continue
			}
		}
		r.readHeader()
		r.readBody(strings.Join(rest, "\n"))
		return r
	}
}

// readHeader reads header lines up to the first blank line and returns the
// lines after it. A line that cannot be a header starts the body, for
// copies that lost the blank line.
func readHeader(lines []string) (http.Header, []string) {
	h := http.Header{}
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			return h, lines[i+1:]
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || !headerName().MatchString(name) {
			return h, lines[i:]
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h, nil
}

func (r *Response) readHeader() {
	if d := r.header.Get("Date"); d != "" {
		if t, ok := parseDate(d); ok {
			r.Date = t
		} else {
			r.Notes = append(r.Notes, "the Date header is not an HTTP date: "+strconv.Quote(d))
		}
	}
}

// parseDate reads an HTTP date, and the near misses that proxies and
// copy-paste produce (a UTC zone name, a numeric offset, RFC 3339).
func parseDate(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{time.RFC1123, time.RFC1123Z, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// readBody takes the error members from a JSON body. A body that does not
// parse is searched for the start of an error_description, since copied
// responses are often cut short.
func (r *Response) readBody(body string) {
	body = strings.TrimSpace(body)
	start := strings.IndexByte(body, '{')
	if start < 0 {
		if body != "" {
			r.Notes = append(r.Notes, "the response body is not JSON")
		}
		return
	}
	var members map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(body[start:]))
	if err := dec.Decode(&members); err == nil {
		r.Error = stringMember(members, "error")
		r.ErrorURI = stringMember(members, "error_uri")
		_, r.AccessToken = members["access_token"]
		if raw, ok := members["error_description"]; ok {
			r.HasDescription = true
			if json.Unmarshal(raw, &r.ErrorDescription) != nil {
				r.ErrorDescription = string(bytes.TrimSpace(raw))
				r.Notes = append(r.Notes, "error_description is not a JSON string")
			}
		}
		return
	}
	if m := descriptionMember().FindStringSubmatch(body[start:]); m != nil {
		r.HasDescription = true
		var s string
		if json.Unmarshal([]byte(`"`+m[1]+`"`), &s) != nil {
			s = m[1]
		}
		r.ErrorDescription = s
		if m[2] == "" {
			r.Notes = append(r.Notes, "the JSON body is cut off inside error_description; matching what is there")
		} else {
			r.Notes = append(r.Notes, "the JSON body is incomplete or invalid; read error_description from it anyway")
		}
		return
	}
	r.Notes = append(r.Notes, "the JSON body is invalid and has no error_description")
}

func stringMember(m map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := m[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// isCurlTranscript recognises curl's verbose markers (lines starting with
// "> ", "< " or "* ") or a curl command line on top of the output.
func isCurlTranscript(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "< HTTP/") || isCurlCommand(l) {
			return true
		}
	}
	return false
}

func isCurlCommand(line string) bool {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimPrefix(s, "$"))
	word, _, _ := strings.Cut(s, " ")
	if i := strings.LastIndexAny(word, `/\`); i >= 0 {
		word = word[i+1:]
	}
	return word == "curl" || word == "curl.exe"
}

// parseCurl splits a transcript into curl's request ("> "), response ("< ")
// and info ("* ") lines, the command line, and everything else, which is
// the body or, with -i, the whole response.
func parseCurl(lines []string) *Response {
	var (
		received, plain []string
		host, path      string
		target          *url.URL
		continued       bool
	)
	for _, l := range lines {
		switch {
		case continued:
			continued = strings.HasSuffix(strings.TrimRight(l, " \t"), `\`)
		case isCurlCommand(l):
			continued = strings.HasSuffix(strings.TrimRight(l, " \t"), `\`)
			if u := curlURL(l); u != nil && target == nil {
				target = u
			}
		case strings.HasPrefix(l, "< ") || l == "<":
			received = append(received, strings.TrimPrefix(strings.TrimPrefix(l, "<"), " "))
		case strings.HasPrefix(l, "> ") || l == ">":
			sent := strings.TrimSpace(strings.TrimPrefix(l, ">"))
			if m := requestLine().FindStringSubmatch(sent); m != nil {
				path = m[1]
			} else if name, value, ok := strings.Cut(sent, ":"); ok && strings.EqualFold(name, "host") {
				host = strings.TrimSpace(value)
			}
		case strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "{ [") || strings.HasPrefix(l, "} ["):
		default:
			plain = append(plain, l)
		}
	}

	var r *Response
	if i := firstNonBlank(plain); i >= 0 && statusLine().MatchString(strings.TrimSpace(plain[i])) {
		r = parseHTTP(plain[i:])
	} else if last := lastStatusLine(received); last >= 0 {
		r = parseHTTP(received[last:])
		// Verbose curl prints the body unmarked and often runs its next
		// info line ("* Connection #0 ... left intact") onto the body's line.
		body := strings.Join(plain, "\n")
		if i := strings.Index(body, "* Connection #"); i >= 0 {
			body = body[:i]
		}
		r.readBody(body)
	} else {
		r = &Response{}
		r.readBody(strings.Join(plain, "\n"))
		r.Notes = append(r.Notes, "the curl transcript has no response status line")
	}
	r.Form = FormCurl
	switch {
	case target != nil:
		r.URL = (&url.URL{Scheme: target.Scheme, Host: strings.ToLower(target.Host), Path: target.Path}).String()
	case host != "":
		r.URL = (&url.URL{Scheme: "https", Host: strings.ToLower(host), Path: path}).String()
	}
	return r
}

func lastStatusLine(lines []string) int {
	last := -1
	for i, l := range lines {
		if statusLine().MatchString(strings.TrimSpace(l)) {
			last = i
		}
	}
	return last
}

// curlURL finds the first http(s) URL on a curl command line.
func curlURL(line string) *url.URL {
	for _, word := range strings.Fields(line) {
		word = strings.Trim(word, `'"`)
		if strings.HasPrefix(word, "https://") || strings.HasPrefix(word, "http://") {
			if u, err := url.Parse(word); err == nil {
				return u
			}
		}
	}
	return nil
}
