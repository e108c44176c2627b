// Package request reads an OAuth token request as a user pasted it: a raw
// HTTP/1.1 request, a bare form body, or a curl command line. It recovers
// what the token endpoint would receive (method, URL, headers, content type
// and body) and parses the body the lenient way Node's querystring does.
//
// Parsing is forgiving: oddities that a server or a shell would treat
// differently from what the user probably meant are recorded as notes rather
// than errors. Parse only fails when the input is none of the three forms.
package request

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind values.
const (
	KindHTTP = "http"
	KindForm = "form"
	KindCurl = "curl"
)

// Request is a token request as the server would receive it.
//
// Headers are those of the raw request, or those given with -H for curl
// (a content type that curl chooses by itself is only in ContentType, with
// ContentTypeImplied set). Form is never nil: it is the body read as a form,
// part by part for a multipart/form-data body and as form-encoded for any
// other, whatever the declared type, so callers decide with
// IsFormURLEncoded and ContentTypeKnown whether the server would read it.
type Request struct {
	Kind               string              `json:"kind"`
	Method             string              `json:"method,omitempty"`
	URL                string              `json:"url,omitempty"`
	Headers            map[string][]string `json:"headers,omitempty"`              // canonical header names
	ContentType        string              `json:"content_type"`                   // as sent; "" when absent
	ContentTypeKnown   bool                `json:"content_type_known"`             // false for a bare form body
	ContentTypeImplied bool                `json:"content_type_implied,omitempty"` // chosen by curl, not by a header
	Body               string              `json:"body"`
	Form               *Form               `json:"-"`
	Notes              []string            `json:"notes,omitempty"` // lower-case sentences about oddities found
	// Skipped lists what the request would have sent but that could not be
	// read here: a file curl reads (-d @file) that is missing or was not
	// allowed, stdin, a variable the shell would expand. Each entry is also
	// a note. A prediction from a request with anything skipped is
	// uncertain: the real body or headers may differ.
	Skipped []string `json:"skipped,omitempty"`
}

// Options say what Parse may read beyond the request text itself.
type Options struct {
	// ReadFile reads a file a curl command names (-d @file, -H @file,
	// --data-urlencode @file, -F name=<file). Nil: no file is read, and
	// each one is skipped.
	ReadFile func(path string) ([]byte, error)
	// BaseDir is where relative file names are looked up: the folder of
	// the request file, or the working folder when the request came on
	// stdin (as curl itself would resolve them). Empty: the working folder.
	BaseDir string
}

// MaxReadFile is the most Parse reads of one file a curl command names.
const MaxReadFile = 1 << 20

// IsFormURLEncoded reports whether the media type is
// application/x-www-form-urlencoded, case-insensitively, ignoring parameters
// such as charset and surrounding spaces. It is false when the content type
// is absent or unknown (a bare form body): check ContentTypeKnown for that.
func (r *Request) IsFormURLEncoded() bool {
	if r == nil {
		return false
	}
	return mediaTypeIs(r.ContentType, "application/x-www-form-urlencoded")
}

// mediaTypeIs compares the media type of a Content-Type value, without its
// parameters, to want (lower case).
func mediaTypeIs(contentType, want string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), want)
}

// Error texts. The shared tail keeps every message one line and in the
// house style: lower case, no trailing period.
const notARequest = "an HTTP request, a form body or a curl command"

var (
	errEmpty  = errors.New("request is empty")
	errBinary = errors.New("request is binary data, not " + notARequest)
	errJSON   = errors.New("request is JSON, not " + notARequest)
	errJWT    = errors.New("request is a bare JWT, not " + notARequest)
	errURL    = errors.New("request is a URL, not " + notARequest)
	errOther  = errors.New("request is not " + notARequest)
)

// Parse detects the form of data and parses it. Errors are for input that is
// none of the three forms (garbage, binary, empty).
//
// Detection: a first word of curl or curl.exe (possibly after a "$ " prompt
// or with a directory) means a curl command; a first line of the shape
// "METHOD target HTTP/x.y" means a raw HTTP request; a single word of
// name=value pairs joined by '&' means a bare form body.
func Parse(data []byte) (*Request, error) {
	return ParseWith(data, Options{})
}

// ParseWith is Parse, reading the files a curl command names as opts says.
func ParseWith(data []byte, opts Options) (*Request, error) {
	text := string(data)
	text = strings.TrimPrefix(text, "\uFEFF")
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return nil, errEmpty
	}
	if rest, ok := curlCommand(trimmed); ok {
		return parseCurl(rest, opts), nil
	}
	// Only leading space is dropped from an HTTP request: Content-Length
	// may count a trailing line ending.
	lead := strings.TrimLeftFunc(text, unicode.IsSpace)
	if line, ok := requestLine(lead); ok {
		return parseHTTP(lead, line), nil
	}
	if isBareURL(trimmed) {
		// A URL with a query string would otherwise pass for a form.
		return nil, errURL
	}
	if looksLikeForm(trimmed) {
		r := &Request{Kind: KindForm, Body: trimmed}
		var n notes
		finishBody(r, &n)
		r.Notes, r.Skipped = n.list, n.skipped
		return r, nil
	}
	return nil, classifyGarbage(trimmed)
}

// classifyGarbage picks the most helpful error for input that is none of the
// accepted forms.
func classifyGarbage(s string) error {
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return errBinary
	}
	switch {
	case s[0] == '{' && s[len(s)-1] == '}', s[0] == '[' && s[len(s)-1] == ']':
		return errJSON
	case looksLikeJWT(s):
		return errJWT
	}
	return errOther
}

// isBareURL reports whether s is a single http or https URL.
func isBareURL(s string) bool {
	return (hasPrefixFold(s, "https://") || hasPrefixFold(s, "http://")) && !strings.ContainsAny(s, " \t\r\n")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// looksLikeJWT reports whether s is three (or five, for JWE) base64url
// segments separated by dots, the first starting like a JSON object.
func looksLikeJWT(s string) bool {
	if !strings.HasPrefix(s, "eyJ") {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			dots++
		case isAlnum(c) || c == '-' || c == '_':
		default:
			return false
		}
	}
	return dots == 2 || dots == 4
}

// looksLikeForm reports whether s (already trimmed) is a single word of
// name=value pairs joined by '&': printable, no whitespace, valid UTF-8, and
// with at least one pair whose name is not empty.
func looksLikeForm(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD' {
			return false
		}
	}
	if s[0] == '{' || s[0] == '[' || s[0] == '<' {
		return false
	}
	for pair := range strings.SplitSeq(s, "&") {
		if eq := strings.IndexByte(pair, '='); eq > 0 {
			return true
		}
	}
	return false
}

// finishBody derives the Form from the body and records body-level notes.
// A multipart/form-data body is read part by part; every other body is
// read as form-encoded, whatever its declared type, so that callers can
// still show what it holds.
func finishBody(r *Request, n *notes) {
	if r.ContentTypeKnown && mediaTypeIs(r.ContentType, "multipart/form-data") {
		r.Form = parseMultipart(r.Body, r.ContentType, n)
		return
	}
	r.Form = ParseForm(r.Body)
	if (r.IsFormURLEncoded() || !r.ContentTypeKnown) && hasInvalidEscape(r.Body) {
		n.add("form body has invalid percent escapes; they were kept literally")
	}
}

// multipartBoundary returns the boundary parameter of a multipart
// content type.
func multipartBoundary(contentType string) (string, bool) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return "", false
	}
	return params["boundary"], true
}

// notes collects notes once each, in order, up to a cap so that garbage
// input cannot produce an unbounded list.
type notes struct {
	list    []string
	seen    map[string]bool
	skipped []string
}

// skip notes something the request would send that could not be read, and
// records it as skipped.
func (n *notes) skip(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	n.add("%s", msg)
	if !slices.Contains(n.skipped, msg) && len(n.skipped) < maxNotes {
		n.skipped = append(n.skipped, msg)
	}
}

const maxNotes = 40

func (n *notes) add(format string, args ...any) {
	if len(n.list) > maxNotes {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	if n.seen == nil {
		n.seen = make(map[string]bool)
	}
	if n.seen[msg] {
		return
	}
	n.seen[msg] = true
	switch {
	case len(n.list) < maxNotes:
		n.list = append(n.list, msg)
	case len(n.list) == maxNotes:
		n.list = append(n.list, "further notes were left out")
	}
}

// quoteNote shortens s for use inside a note.
func quoteNote(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
