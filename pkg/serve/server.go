// Package serve is a local token endpoint that answers as a profile's server
// would: every answer, failure or success, comes from the lint engine's
// prediction for the request it received, so serve and lint never disagree.
// Each request is logged with what the real server keeps to itself: the rule,
// the reason and the fix.
package serve

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/token"
)

// MaxBody is the largest request body serve reads.
const MaxBody = 64 << 10

// Timeouts of the listening server.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	// DrainTimeout bounds the graceful shutdown on SIGINT/SIGTERM.
	DrainTimeout = 10 * time.Second
)

// HealthPath answers 200 for readiness probes.
const HealthPath = "/healthz"

// Options configure a Server.
type Options struct {
	// Profile answers requests from clients that are not registered.
	Profile profile.Profile
	// Now is the engine's clock: the wall clock, or a frozen --now.
	Now func() time.Time
	// Clock is the wall clock for log lines; nil means time.Now.
	Clock func() time.Time
	Log   *Logger
	JTIs  *JTIStore
	// Random supplies access tokens; nil means crypto/rand.
	Random io.Reader
}

// Server is the token endpoint. It is an http.Handler.
type Server struct {
	opts Options
	reg  atomic.Pointer[Registry]
}

// New returns a server for the given clients.
func New(opts Options, reg *Registry) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.JTIs == nil {
		opts.JTIs = NewJTIStore(0)
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	s := &Server{opts: opts}
	s.reg.Store(reg)
	return s
}

// SetRegistry replaces the registered clients (on SIGHUP).
func (s *Server) SetRegistry(reg *Registry) { s.reg.Store(reg) }

// Registry returns the registered clients.
func (s *Server) Registry() *Registry { return s.reg.Load() }

// Paths lists the token paths served, sorted.
func (s *Server) Paths() []string {
	set := map[string]bool{s.opts.Profile.Wire.Path: true}
	for _, p := range s.reg.Load().profiles() {
		set[p.Wire.Path] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// HTTPServer wraps the handler with serve's timeouts and limits.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		// Connection-level noise (TLS handshakes from port scanners) would
		// break the one-line-per-request log.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// ServeHTTP answers one request. It never panics: a bug becomes a 500 and a
// log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.opts.Clock()
	e := &Entry{Time: start.UTC(), Method: r.Method, Path: r.URL.Path}
	defer func() {
		if v := recover(); v != nil {
			e.Status = http.StatusInternalServerError
			e.Note = fmt.Sprintf("internal error: %v", v)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
		if e.Path != HealthPath {
			e.Millis = float64(s.opts.Clock().Sub(start).Microseconds()) / 1000
			s.opts.Log.Write(e)
		}
	}()

	if r.URL.Path == HealthPath {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	reg := s.reg.Load()
	pathProfile, ok := s.profileForPath(reg, r.URL.Path)
	if !ok {
		e.Status = http.StatusNotFound
		e.Note = "no token endpoint at this path; serving " + strings.Join(s.Paths(), ", ")
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		e.Status = http.StatusMethodNotAllowed
		e.Note = "the token endpoint takes POST"
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			ans := TooLargeAnswer(pathProfile)
			desc := "request entity too large"
			e.Status, e.Error, e.ErrorDescription = ans.Status, "invalid_request", &desc
			e.Note = fmt.Sprintf("the body is over %d bytes", MaxBody)
			writeAnswer(w, pathProfile, ans)
			return
		}
		e.Status = http.StatusBadRequest
		e.Note = "reading the body failed: " + err.Error()
		return // the connection is gone or timed out; nothing can be written
	}
	s.answerToken(w, r, reg, pathProfile, body, e)
}

// readBody reads at most MaxBody bytes; a larger body is an
// *http.MaxBytesError, found early from Content-Length when it is sent.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBody {
		return nil, &http.MaxBytesError{Limit: MaxBody}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
}

// TooLargeAnswer is how serve refuses a body over MaxBody. The engine does
// not model body limits, so this is a profile-level answer: 413 with the
// server's JSON error shape and Express body-parser's wording, which is
// what a Node token endpoint sends when its body limit is hit.
func TooLargeAnswer(p profile.Profile) profile.Answer {
	return p.ErrorAnswer(http.StatusRequestEntityTooLarge, "invalid_request", "request entity too large", true)
}

func (s *Server) profileForPath(reg *Registry, path string) (profile.Profile, bool) {
	if path == s.opts.Profile.Wire.Path {
		return s.opts.Profile, true
	}
	for _, p := range reg.profiles() {
		if p.Wire.Path == path {
			return p, true
		}
	}
	return profile.Profile{}, false
}

func (s *Server) answerToken(w http.ResponseWriter, r *http.Request, reg *Registry, prof profile.Profile, body []byte, e *Entry) {
	req := ParseHTTP(r, body)
	assertion, _ := req.Form.Get("client_assertion")
	tok := peek(assertion)
	iss := tok.issuer()

	in := lint.Input{Request: req, Profile: prof, Now: s.opts.Now()}
	e.ClientID = iss
	if c, ok := findClient(reg, req, iss); ok {
		in.Profile, in.ClientID = c.Profile, c.ID
		e.ClientID = c.ID
		set, err := c.Keys(r.Context())
		if err != nil {
			set = &keys.Set{}
			e.Note = "the client's jwks_uri could not be fetched: " + err.Error()
		}
		in.Keys = set
	} else {
		// The server finds no client; the engine says what it answers when
		// iss names someone other than the registered client.
		in.ClientID, in.Keys = unregisteredID(reg, iss), &keys.Set{}
		e.Note = "the request names no registered client"
	}
	prof = in.Profile

	store := s.opts.JTIs
	consulted := false
	in.JTISeen = func(iss, jti string) bool {
		consulted = true
		return store.Seen(iss, jti, in.Now)
	}
	rep := lint.Lint(in)
	if rec := rep.StoreJTI; rec != nil { // the model says the server records this jti
		if !store.Add(rec.Issuer, rec.JTI, rec.Until, in.Now) && consulted && rep.Predicted.Status == http.StatusOK {
			// Another request recorded this jti since the engine looked:
			// ask again, so exactly one of them is accepted.
			rep = lint.Lint(in)
		}
	}

	var ans profile.Answer
	if rep.Predicted.Status == http.StatusOK {
		scope, _ := req.Form.Get("scope")
		ans = prof.SuccessAnswer(s.accessToken(), scope)
	} else {
		ans = rep.Predicted.Answer(prof)
	}
	writeAnswer(w, prof, ans)
	e.fromReport(rep, tok)
}

// peeked is the assertion as far as serve reads it itself: enough to find
// the client (iss) and to log the token without logging it whole. All
// validation is the engine's.
type peeked struct {
	header, payload []byte
	signature       string
	compact         bool
}

func peek(assertion string) peeked {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return peeked{}
	}
	return peeked{header: token.DecodeLenient(parts[0]), payload: token.DecodeLenient(parts[1]), signature: parts[2], compact: true}
}

func (p peeked) issuer() string {
	var claims struct {
		Iss any `json:"iss"`
	}
	if json.Unmarshal(p.payload, &claims) != nil {
		return ""
	}
	iss, _ := claims.Iss.(string)
	return iss
}

// findClient picks the registered client a request is about: the one its
// client_id parameter names, else the one iss names, else the only client
// registered. With one client (--client-id) serve is then exactly lint
// --client-id with that client's keys, and the engine alone decides what a
// client_id or iss that names someone else is answered with.
func findClient(reg *Registry, req *request.Request, iss string) (*Client, bool) {
	if id, ok := req.Form.Get("client_id"); ok && id != "" {
		if c, ok := reg.Lookup(id); ok {
			return c, true
		}
	}
	if c, ok := reg.Lookup(iss); ok && iss != "" {
		return c, true
	}
	if ids := reg.IDs(); len(ids) == 1 {
		return reg.Lookup(ids[0])
	}
	return nil, false
}

// unregisteredID is the client_id the engine is given when iss names no
// client: any id other than iss makes it answer as the server does when the
// client lookup fails.
func unregisteredID(reg *Registry, iss string) string {
	for _, id := range reg.IDs() {
		if id != iss {
			return id
		}
	}
	if iss == "unregistered" {
		return "unregistered-client"
	}
	return "unregistered"
}

func writeAnswer(w http.ResponseWriter, p profile.Profile, ans profile.Answer) {
	hdr, body := p.Encode(ans)
	for k, vs := range hdr {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(ans.Status)
	_, _ = w.Write(body)
}

// accessToken is an opaque random token: 32 bytes, base64url.
func (s *Server) accessToken() string {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.opts.Random, b); err != nil {
		panic("serve: random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseHTTP turns a received request into the request lint reads, through
// the same parser as a captured request given to lint --request, so that
// serve and lint read the bytes the same way.
func ParseHTTP(r *http.Request, body []byte) *request.Request {
	var b strings.Builder
	b.Grow(len(body) + 256)
	target := r.URL.RequestURI()
	b.WriteString(r.Method + " " + target + " HTTP/1.1\r\n")
	if r.Host != "" {
		b.WriteString("Host: " + r.Host + "\r\n")
	}
	// Every header goes through (the engine reads Content-Type and, for some
	// servers, Authorization); the framing headers are replaced by an exact
	// Content-Length for the body as read.
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		switch textproto.CanonicalMIMEHeaderKey(name) {
		case "Content-Length", "Transfer-Encoding", "Host":
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.Header[name] {
			b.WriteString(name + ": " + v + "\r\n")
		}
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	req, err := request.Parse([]byte(b.String()))
	if err != nil || req.Form == nil {
		// Unreachable with a well-formed request line; kept so that a parser
		// change cannot make serve panic.
		cts := r.Header.Values("Content-Type")
		req = &request.Request{Kind: request.KindHTTP, Method: r.Method, Body: string(body), ContentTypeKnown: true,
			Form: request.ParseForm(string(body))}
		if len(cts) > 0 {
			req.ContentType = cts[0]
		}
	}
	return req
}

// Shutdown drains srv within DrainTimeout.
func Shutdown(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	return srv.Shutdown(ctx)
}
