// Package jwksfetch fetches a client's JWK Set over HTTP(S) the careful way
// a token endpoint should: https only (plain http for loopback test servers),
// a time limit on everything, a size cap, few redirects, and an error for
// each distinct fault so that the person reading it knows what to fix.
package jwksfetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
)

// Defaults.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = 1 << 20
	DefaultMaxRedirects = 3
)

// Options tune a fetch. The zero value is ready to use.
type Options struct {
	// Timeout bounds the whole exchange: DNS, connect, TLS, headers, body,
	// and every redirect. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps the body. Zero means DefaultMaxBytes.
	MaxBytes int64
	// MaxRedirects is how many redirects to follow. Zero means
	// DefaultMaxRedirects; negative means none.
	MaxRedirects int
	// RootCAs replaces the system roots: tests with their own CA, or
	// CACertPool for --cacert, which keeps the system roots.
	RootCAs *x509.CertPool
	// Client, when set, supplies the transport (and its TLS trust). Its
	// redirect policy and timeout are replaced by this package's.
	Client *http.Client
	// UserAgent is sent as User-Agent.
	UserAgent string
	// Now reads the local clock around the request; nil means time.Now.
	Now func() time.Time
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

func (o Options) maxRedirects() int {
	switch {
	case o.MaxRedirects > 0:
		return o.MaxRedirects
	case o.MaxRedirects < 0:
		return 0
	}
	return DefaultMaxRedirects
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Result is a fetched and parsed key set, with what the response said about
// caching and time.
type Result struct {
	URL          string   `json:"url"`
	FinalURL     string   `json:"final_url"`
	Redirects    []string `json:"redirects,omitempty"`
	Status       int      `json:"status"`
	ContentType  string   `json:"content_type"`
	CacheControl string   `json:"cache_control,omitempty"`
	Age          string   `json:"age,omitempty"`
	Expires      string   `json:"expires,omitempty"`
	// Caching explains what the cache headers mean for key rotation.
	Caching string `json:"caching"`
	// Warnings are problems that do not stop the fetch (a wrong
	// Content-Type, say).
	Warnings []string `json:"warnings,omitempty"`
	Bytes    int      `json:"bytes"`
	Clock    Clock    `json:"clock"`

	Body []byte    `json:"-"`
	Set  *keys.Set `json:"-"`
}

// Clock pairs a server's Date header with the local clock read just before
// the request went out and just after the answer came back.
type Clock struct {
	// ServerDate is the Date header; nil when the server sent none.
	ServerDate *time.Time `json:"server_date,omitempty"`
	SentAt     time.Time  `json:"sent_at"`
	ReceivedAt time.Time  `json:"received_at"`
}

// Skew is how far the server's clock is ahead of the local one (negative:
// behind), counted conservatively. A Date header has whole seconds, so the
// server's time at the moment it answered lies in [Date, Date+1s), and that
// moment lies somewhere between SentAt and ReceivedAt on the local clock;
// Skew is the smallest difference consistent with both, zero when they
// overlap. ok is false without a Date header.
func (c Clock) Skew() (skew time.Duration, ok bool) {
	if c.ServerDate == nil {
		return 0, false
	}
	low := c.ServerDate.Sub(c.ReceivedAt)
	high := c.ServerDate.Add(time.Second).Sub(c.SentAt)
	switch {
	case low > 0:
		return low, true
	case high < 0:
		return high, true
	}
	return 0, true
}

// CACertPool is the system's trusted roots (SSL_CERT_FILE and
// SSL_CERT_DIR override where they are read from) plus the CA
// certificates in pemData, as --cacert adds them.
func CACertPool(pemData []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("no PEM certificate in it")
	}
	return pool, nil
}

// RedactURL hides the password of a URL's userinfo (https://user:xxxxx@host)
// so that it is never printed; text that does not parse as a URL gets the
// same treatment by pattern.
func RedactURL(raw string) string {
	if !strings.Contains(raw, "@") {
		return raw
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	} else if err == nil {
		return raw
	}
	return userinfoPassword().ReplaceAllString(raw, "${1}:xxxxx@")
}

var userinfoPassword = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(://[^/@:\s]*):[^/@\s]*@`) })

// IsURL reports whether a --jwks value names a URL rather than a file.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// ParseURL checks that raw is an absolute http(s) URL with a host. Whether
// plain http is allowed is Fetch's decision, made for every redirect too.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	raw = RedactURL(raw)
	if err != nil {
		return nil, &Error{Kind: KindBadURL, URL: raw, Err: err,
			Msg:  fmt.Sprintf("invalid URL %q: %s", raw, RedactURL(oneLine(innermost(err)))),
			Hint: "give the full JWKS URL, e.g. https://example.com/.well-known/jwks.json"}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, &Error{Kind: KindBadURL, URL: raw,
			Msg:  fmt.Sprintf("invalid URL %q: the scheme must be https", raw),
			Hint: "give the full JWKS URL, e.g. https://example.com/.well-known/jwks.json"}
	}
	if u.Hostname() == "" {
		return nil, &Error{Kind: KindBadURL, URL: raw,
			Msg:  fmt.Sprintf("invalid URL %q: no host", raw),
			Hint: "give the full JWKS URL, e.g. https://example.com/.well-known/jwks.json"}
	}
	return u, nil
}

// checkScheme allows https anywhere and plain http only to loopback hosts,
// where test servers live; it runs before any dialing.
func checkScheme(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return &Error{Kind: KindInsecureScheme, URL: u.Redacted(),
			Msg:  fmt.Sprintf("refusing plain http to %s: a key set must be fetched over https", u.Hostname()),
			Hint: "use an https:// URL; plain http is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)"}
	}
	return &Error{Kind: KindInsecureScheme, URL: u.Redacted(),
		Msg:  fmt.Sprintf("refusing scheme %q: a key set must be fetched over https", u.Scheme),
		Hint: "use an https:// URL"}
}

// IsLoopback reports whether host (without port or brackets) is localhost
// or a loopback address.
func IsLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// client builds the HTTP client for one fetch. follow says whether to follow
// redirects (a key set fetch) or stop at the first answer (a clock probe).
func (o Options) client(follow bool, redirects *[]string) *http.Client {
	var c http.Client
	if o.Client != nil {
		c = *o.Client
	}
	if c.Transport == nil {
		c.Transport = &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            (&net.Dialer{Timeout: o.timeout()}).DialContext,
			TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
			TLSHandshakeTimeout:    o.timeout(),
			ResponseHeaderTimeout:  o.timeout(),
			MaxResponseHeaderBytes: 64 << 10,
			DisableKeepAlives:      true,
			ForceAttemptHTTP2:      true,
		}
	}
	c.Jar = nil
	c.Timeout = 0 // the context's deadline covers the whole exchange
	max := o.maxRedirects()
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		if len(via) > max {
			chain := make([]string, 0, len(via)+1)
			for _, r := range via {
				chain = append(chain, r.URL.Redacted())
			}
			chain = append(chain, req.URL.Redacted())
			return &Error{Kind: KindTooManyRedirects, URL: via[0].URL.Redacted(),
				Msg:  fmt.Sprintf("more than %d redirects: %s", max, strings.Join(chain, " -> ")),
				Hint: "point the JWKS URL at the key set itself; the token endpoint may not follow redirects at all"}
		}
		if prev := via[len(via)-1].URL; prev.Scheme == "https" && req.URL.Scheme != "https" {
			// Loopback or not: what was asked for over TLS must not be
			// answered in the clear.
			return &Error{Kind: KindInsecureScheme, URL: req.URL.Redacted(),
				Msg:  fmt.Sprintf("%s redirected from https to %s: refusing the downgrade to plain http", prev.Host, req.URL.Redacted()),
				Hint: "the key set must be served over https at every hop; point the JWKS URL at its final https location"}
		}
		if err := checkScheme(req.URL); err != nil {
			fe := err.(*Error)
			fe.Msg = "redirected to " + req.URL.Redacted() + ": " + fe.Msg
			return fe
		}
		*redirects = append(*redirects, req.URL.Redacted())
		return nil
	}
	return &c
}

// newRequest checks rawURL (what names it in the hint: "JWKS", "token") and
// prepares a request bounded by the timeout; the caller must call cancel.
func newRequest(ctx context.Context, method, rawURL, what string, opts Options) (*http.Request, *url.URL, context.CancelFunc, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkScheme(u); err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout())
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		cancel()
		return nil, nil, nil, &Error{Kind: KindBadURL, URL: rawURL, Err: err, Msg: fmt.Sprintf("invalid URL %q", rawURL), Hint: "give the full " + what + " URL"}
	}
	if opts.UserAgent != "" {
		req.Header.Set("User-Agent", opts.UserAgent)
	}
	return req, u, cancel, nil
}

// failedHop is the URL (redacted) and host of the request that failed: after
// a redirect that is not the first one, and the message must name it.
func failedHop(err error, first *url.URL) (string, string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		if hop, perr := url.Parse(ue.URL); perr == nil && hop.Host != "" {
			return hop.Redacted(), hop.Host
		}
	}
	return first.Redacted(), first.Host
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Fetch GETs a JWK Set and parses it. Every failure is an *Error.
func Fetch(ctx context.Context, rawURL string, opts Options) (*Result, error) {
	req, u, cancel, err := newRequest(ctx, http.MethodGet, rawURL, "JWKS", opts)
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx = req.Context() // the deadline lives here
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	res := &Result{URL: u.Redacted()}
	client := opts.client(true, &res.Redirects)
	res.Clock.SentAt = opts.now()
	resp, err := client.Do(req)
	if err != nil {
		hopURL, hopHost := failedHop(err, u)
		return nil, classify(ctx, hopURL, hopHost, opts.timeout(), err)
	}
	defer resp.Body.Close()
	res.Clock.ReceivedAt = opts.now()
	res.FinalURL = resp.Request.URL.Redacted()
	if len(res.Redirects) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s redirected %d time%s; the key set was read from %s, and a token endpoint that does not follow redirects cannot read it",
			u.Host, len(res.Redirects), plural(len(res.Redirects)), res.FinalURL))
	}
	res.Status = resp.StatusCode
	readHeaders(res, resp.Header)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, statusError(res.FinalURL, resp.StatusCode)
	}
	max := opts.maxBytes()
	if resp.ContentLength > max {
		return res, tooLarge(res.FinalURL, max, fmt.Sprintf("the server announces %d bytes", resp.ContentLength))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err == nil && ctx.Err() != nil {
		// A stream cut short by the deadline can read as a clean end.
		err = ctx.Err()
	}
	if err != nil {
		return res, classify(ctx, res.FinalURL, resp.Request.URL.Host, opts.timeout(), err)
	}
	if int64(len(body)) > max {
		return res, tooLarge(res.FinalURL, max, "the body is larger")
	}
	res.Body, res.Bytes = body, len(body)
	res.Warnings = append(res.Warnings, contentTypeWarnings(res.ContentType)...)
	set, err := parseKeySet(res.FinalURL, body)
	if err != nil {
		return res, err
	}
	res.Set = set
	return res, nil
}

func readHeaders(res *Result, h http.Header) {
	res.ContentType = h.Get("Content-Type")
	res.CacheControl = h.Get("Cache-Control")
	res.Age = h.Get("Age")
	res.Expires = h.Get("Expires")
	res.Caching = ExplainCaching(res.CacheControl, res.Age, res.Expires)
	if d := h.Get("Date"); d != "" {
		if t, err := http.ParseTime(d); err == nil {
			t = t.UTC()
			res.Clock.ServerDate = &t
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the Date header %q is not an HTTP date", d))
		}
	}
}

func statusError(u string, code int) *Error {
	hint := "check the URL; it must answer 200 with the key set"
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		hint = "nothing is published at that path; check the URL and that the key set is deployed there"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		hint = "the key set must be readable without credentials: the token endpoint sends none"
	case code >= 300 && code < 400:
		hint = "the redirect has no usable Location; point the JWKS URL at the key set itself"
	case code == http.StatusTooManyRequests:
		hint = "the server is rate limiting; make sure the token endpoint is not limited the same way"
	case code >= 500:
		hint = "the server failed; while it does, the token endpoint cannot fetch your keys either"
	}
	return &Error{Kind: KindStatus, URL: u, Status: code,
		Msg:  fmt.Sprintf("%s answered HTTP %d %s", u, code, http.StatusText(code)),
		Hint: hint}
}

func tooLarge(u string, max int64, why string) *Error {
	return &Error{Kind: KindTooLarge, URL: u,
		Msg:  fmt.Sprintf("key set at %s is larger than %s: %s", u, byteSize(max), why),
		Hint: "a key set holds a few public keys and is a few KiB; check the URL points at the JWKS"}
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// acceptedTypes are the media types a key set may be served as.
var acceptedTypes = []string{"application/json", "application/jwk-set+json"}

func contentTypeWarnings(ct string) []string {
	if strings.TrimSpace(ct) == "" {
		return []string{"the response has no Content-Type; serve the key set as application/json or application/jwk-set+json"}
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return []string{fmt.Sprintf("Content-Type %q does not parse; serve the key set as application/json or application/jwk-set+json", ct)}
	}
	for _, a := range acceptedTypes {
		if mt == a {
			return nil
		}
	}
	return []string{fmt.Sprintf("Content-Type is %q; serve the key set as application/json or application/jwk-set+json, since strict clients refuse other types", mt)}
}

// parseKeySet insists on a JWK Set, {"keys": [...]}: a token endpoint that
// fetches a JWKS URL does not accept a bare JWK or a PEM file there.
func parseKeySet(u string, body []byte) (*keys.Set, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(body)
	notJSON := func(msg, hint string) error {
		return &Error{Kind: KindNotJSON, URL: u, Msg: msg, Hint: hint}
	}
	notSet := func(msg, hint string) error {
		return &Error{Kind: KindNotKeySet, URL: u, Msg: msg, Hint: hint}
	}
	if len(trimmed) == 0 {
		return nil, notJSON(fmt.Sprintf("%s answered with an empty body, not a key set", u), "publish the JWKS at that URL")
	}
	if !json.Valid(trimmed) {
		hint := "the URL should serve the JWKS document itself"
		switch {
		case bytes.HasPrefix(trimmed, []byte("<")):
			hint = "that looks like HTML: the URL points at a web page (or a login page), not the JWKS"
		case bytes.Contains(trimmed, []byte("-----BEGIN")):
			hint = "that is a PEM key; publish a JWKS instead: clientassert keys jwks KEY"
		}
		return nil, notJSON(fmt.Sprintf("%s answered with something that is not JSON: %s", u, preview(trimmed)), hint)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, notSet(fmt.Sprintf("%s answered with JSON that is not an object; a key set is {\"keys\": [...]}", u),
			"publish a JWKS: clientassert keys jwks KEY")
	}
	rawKeys, ok := top["keys"]
	if !ok {
		hint := "publish a JWKS: clientassert keys jwks KEY"
		if _, isJWK := top["kty"]; isJWK {
			hint = "that is a single JWK; wrap it in a set: {\"keys\": [ ... ]}"
		}
		return nil, notSet(fmt.Sprintf("%s answered with a JSON object without \"keys\", not a key set", u), hint)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(rawKeys, &list); err != nil {
		return nil, notSet(fmt.Sprintf("%s answered with \"keys\" that is not an array", u), "\"keys\" must be an array of JWKs")
	}
	set, err := keys.Parse(trimmed)
	if err != nil {
		return nil, notSet(fmt.Sprintf("the key set at %s does not parse: %s", u, oneLine(err.Error())),
			"fix the entry it names; clientassert keys check shows every problem")
	}
	return set, nil
}

// preview quotes the start of a body for an error message.
func preview(b []byte) string {
	const n = 40
	s := string(b)
	if len(b) > n {
		s = string(bytes.ToValidUTF8(b[:n], nil)) + "..."
	}
	return strconv.Quote(strings.Join(strings.Fields(s), " "))
}

// ExplainCaching says, in one sentence, what the cache headers of a key set
// response mean for key rotation: the token endpoint caches the set by them.
func ExplainCaching(cacheControl, age, expires string) string {
	const rotate = "so a key you add or remove now may not be seen"
	directives := map[string]string{}
	for _, part := range strings.Split(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if name != "" {
			directives[strings.ToLower(name)] = strings.Trim(value, `"`)
		}
	}
	_, noStore := directives["no-store"]
	_, noCache := directives["no-cache"]
	maxAge, hasMaxAge := directives["max-age"]
	secs, err := strconv.Atoi(maxAge)
	switch {
	case noStore || noCache || (hasMaxAge && err == nil && secs <= 0):
		return fmt.Sprintf("Cache-Control %q asks caches to fetch the key set again each time; a rotated key should be seen at once", cacheControl)
	case hasMaxAge && err == nil:
		d := (time.Duration(secs) * time.Second).String()
		msg := fmt.Sprintf("Cache-Control %q lets the token endpoint keep this copy for up to %s, %s for that long: publish a new key at least %s before signing with it, and remove an old one only %s after its last use", cacheControl, d, rotate, d, d)
		if a, err := strconv.Atoi(age); err == nil && a > 0 {
			msg += fmt.Sprintf(" (this copy is already %s old, from a cache)", time.Duration(a)*time.Second)
		}
		return msg
	case expires != "":
		return fmt.Sprintf("no max-age, but Expires %q: the token endpoint may keep this copy until then, %s until it expires", expires, rotate)
	case cacheControl != "":
		return fmt.Sprintf("Cache-Control %q has no max-age: the token endpoint caches the key set for a time of its own choosing, %s at once", cacheControl, rotate)
	}
	return "no Cache-Control header: the token endpoint caches the key set for a time of its own choosing, " + rotate + " at once; publish new keys well before signing with them"
}

// Probe is the answer to a credential-free request, kept for its Date.
type Probe struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Clock  Clock  `json:"clock"`
}

// ProbeDate sends a HEAD request with no credentials and no body to rawURL
// and returns the server's Date. Any status will do, a 4xx included; a
// redirect is not followed, since its answer has a Date too.
func ProbeDate(ctx context.Context, rawURL string, opts Options) (*Probe, error) {
	req, u, cancel, err := newRequest(ctx, http.MethodHead, rawURL, "token", opts)
	if err != nil {
		return nil, err
	}
	defer cancel()
	ctx = req.Context() // the deadline lives here
	var redirects []string
	p := &Probe{URL: u.Redacted()}
	p.Clock.SentAt = opts.now()
	resp, err := opts.client(false, &redirects).Do(req)
	if err != nil {
		return nil, classify(ctx, u.Redacted(), u.Host, opts.timeout(), err)
	}
	resp.Body.Close()
	p.Clock.ReceivedAt = opts.now()
	p.Status = resp.StatusCode
	if d := resp.Header.Get("Date"); d != "" {
		if t, err := http.ParseTime(d); err == nil {
			t = t.UTC()
			p.Clock.ServerDate = &t
		}
	}
	return p, nil
}
