package assertion

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Form parameter values of a client credentials request with an assertion.
const (
	GrantType     = "client_credentials"
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// RequestFormats are the layouts TokenRequest can print.
var RequestFormats = []string{"curl", "http", "form"}

// TokenRequest is the POST that exchanges a client assertion for an access
// token.
type TokenRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Params  [][2]string `json:"params"`
	Body    string      `json:"body"`
}

// NewTokenRequest lays out the request for assertion to tokenURL. The URL
// must be absolute http or https.
func NewTokenRequest(tokenURL, assertion string) (*TokenRequest, error) {
	if strings.ContainsFunc(tokenURL, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errorf("invalid token URL %q: it contains white space or control characters", tokenURL)
	}
	u, err := url.Parse(tokenURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errorf("invalid token URL %q: expected an absolute https URL", tokenURL)
	}
	if u.Fragment != "" || u.User != nil {
		return nil, errorf("invalid token URL %q: a token URL has no user info or #fragment", tokenURL)
	}
	r := &TokenRequest{
		Method: "POST",
		URL:    tokenURL,
		Params: [][2]string{
			{"grant_type", GrantType},
			{"client_assertion_type", AssertionType},
			{"client_assertion", assertion},
		},
	}
	var body strings.Builder
	for i, p := range r.Params {
		if i > 0 {
			body.WriteByte('&')
		}
		body.WriteString(url.QueryEscape(p[0]))
		body.WriteByte('=')
		body.WriteString(url.QueryEscape(p[1]))
	}
	r.Body = body.String()
	r.Headers = [][2]string{
		{"Content-Type", "application/x-www-form-urlencoded"},
		{"Accept", "application/json"},
	}
	return r, nil
}

// Format renders the request as "curl", "http" or "form".
func (r *TokenRequest) Format(format string) (string, error) {
	switch format {
	case "curl":
		return r.Curl(), nil
	case "http":
		return r.HTTP(), nil
	case "form":
		return r.Body + "\n", nil
	}
	return "", errorf("invalid format %q: expected curl, http or form", format)
}

// HTTP is the request as it goes on the wire: CRLF line endings and a
// Content-Length that counts the body exactly. Nothing follows the body.
func (r *TokenRequest) HTTP() string {
	u, _ := url.Parse(r.URL)
	target := u.RequestURI()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", r.Method, target)
	fmt.Fprintf(&b, "Host: %s\r\n", u.Host)
	for _, h := range r.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n\r\n")
	b.WriteString(r.Body)
	return b.String()
}

// Curl is a POSIX shell command line that sends the request. Each --data
// value is already form-encoded, which curl sends as it is.
func (r *TokenRequest) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl --request %s %s", r.Method, shellQuote(r.URL))
	for _, h := range r.Headers {
		fmt.Fprintf(&b, " \\\n  --header %s", shellQuote(h[0]+": "+h[1]))
	}
	for _, p := range r.Params {
		fmt.Fprintf(&b, " \\\n  --data %s", shellQuote(url.QueryEscape(p[0])+"="+url.QueryEscape(p[1])))
	}
	b.WriteByte('\n')
	return b.String()
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
