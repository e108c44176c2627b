// Package send posts a token request to a real token endpoint (or to
// clientassert serve) and sets the answer next to lint's prediction for the
// same request, so that a disagreement comes with the whole exchange.
package send

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/request"
)

// Limits of one exchange.
const (
	Timeout         = 15 * time.Second
	MaxResponseBody = 1 << 20
)

// Request is what goes out.
type Request struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
}

// Response is what came back. Error and ErrorDescription are read from a
// JSON body when it has them.
type Response struct {
	Status           int                 `json:"status"`
	Headers          map[string][]string `json:"headers"`
	Body             string              `json:"body"`
	Error            string              `json:"error,omitempty"`
	ErrorDescription *string             `json:"error_description,omitempty"`
	// Truncated is set when the body was longer than MaxResponseBody.
	Truncated bool `json:"truncated,omitempty"`
}

// Exchange is one request, its answer and the prediction.
type Exchange struct {
	Request   Request       `json:"request"`
	Response  Response      `json:"response"`
	Predicted lint.Response `json:"predicted"`
	// PredictedBody is the body the profile's server would send.
	PredictedBody string   `json:"predicted_body,omitempty"`
	Agree         bool     `json:"agree"`
	Differences   []string `json:"differences,omitempty"`
}

// Options tune an exchange; the zero value is ready to use.
type Options struct {
	// Client supplies the transport (tests); its redirect policy and
	// timeout are replaced.
	Client  *http.Client
	RootCAs *x509.CertPool
	Timeout time.Duration
}

// Error is a request that could not be sent or answered.
type Error struct {
	Msg, Hint string
}

func (e *Error) Error() string { return e.Msg }

// FromParsed turns a parsed request (lint --request) into what is sent:
// its method, body and Content-Type, to target, or to its own URL when
// target is empty.
func FromParsed(req *request.Request, target string) Request {
	out := Request{Method: req.Method, URL: target, Body: req.Body}
	if out.Method == "" {
		out.Method = http.MethodPost
	}
	if out.URL == "" {
		out.URL = req.URL
		// A raw HTTP request does not show its scheme and the parser assumes
		// https; a loopback server (serve, a test double) speaks plain http.
		if u, err := url.Parse(out.URL); err == nil && req.Kind == request.KindHTTP && u.Scheme == "https" && jwksfetch.IsLoopback(u.Hostname()) {
			u.Scheme = "http"
			out.URL = u.String()
		}
	}
	if req.ContentType != "" {
		out.Headers = append(out.Headers, [2]string{"Content-Type", req.ContentType})
	}
	out.Headers = append(out.Headers, [2]string{"Accept", "application/json"})
	return out
}

// CheckURL allows an absolute https URL anywhere, and plain http only to a
// loopback host (clientassert serve, a test server): an assertion is a
// credential until it expires.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Msg: fmt.Sprintf("cannot send to %q: not an absolute http(s) URL", raw),
			Hint: "pass --token-url https://..."}
	}
	if u.Scheme == "http" && !jwksfetch.IsLoopback(u.Hostname()) {
		return nil, &Error{Msg: fmt.Sprintf("refusing to send an assertion over plain http to %s", u.Host),
			Hint: "use https, or a loopback address for a local server"}
	}
	return u, nil
}

// Do sends req once, without following redirects, and reads the answer.
func Do(ctx context.Context, req Request, opts Options) (*Response, error) {
	u, err := CheckURL(req.URL)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), strings.NewReader(req.Body))
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("cannot build the request: %v", err)}
	}
	for _, h := range req.Headers {
		hr.Header.Add(h[0], h[1])
	}
	hr.Header.Set("User-Agent", "clientassert")

	var c http.Client
	if opts.Client != nil {
		c = *opts.Client
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if opts.RootCAs != nil {
			tr.TLSClientConfig.RootCAs = opts.RootCAs
		}
		c.Transport = tr
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // the context bounds the exchange
	resp, err := c.Do(hr)
	if err != nil {
		return nil, sendError(u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody+1))
	if err != nil {
		return nil, sendError(u, err)
	}
	out := &Response{Status: resp.StatusCode, Headers: map[string][]string(resp.Header)}
	if len(body) > MaxResponseBody {
		body, out.Truncated = body[:MaxResponseBody], true
	}
	out.Body = string(body)
	var members struct {
		Error            string  `json:"error"`
		ErrorDescription *string `json:"error_description"`
	}
	if json.Unmarshal(body, &members) == nil {
		out.Error, out.ErrorDescription = members.Error, members.ErrorDescription
	}
	return out, nil
}

func sendError(u *url.URL, err error) error {
	var ne net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &Error{Msg: fmt.Sprintf("%s did not answer within %s", u.Host, Timeout)}
	case errors.As(err, &dnsErr):
		return &Error{Msg: fmt.Sprintf("cannot resolve %s", u.Hostname()), Hint: "check the host name in --token-url"}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return &Error{Msg: fmt.Sprintf("cannot connect to %s: %v", u.Host, opErr.Err),
			Hint: "is the server running? for a local stand-in, start clientassert serve"}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Msg: fmt.Sprintf("sending to %s failed: %v", u.Host, err)}
}

// Compare sets a response against the prediction. A predicted 200 agrees
// with any 200; a predicted failure agrees when status, error and
// error_description are all equal (a description the server leaves out is
// predicted as left out).
func Compare(p profile.Profile, pred lint.Response, got *Response) *Exchange {
	ex := &Exchange{Response: *got, Predicted: pred}
	if pred.Status != 200 {
		_, body := p.Encode(pred.Answer(p))
		ex.PredictedBody = string(body)
	}
	var diffs []string
	if got.Status != pred.Status {
		diffs = append(diffs, fmt.Sprintf("status: predicted %d, received %d", pred.Status, got.Status))
	}
	if pred.Status != 200 && got.Status != 200 {
		if got.Error != pred.Error {
			diffs = append(diffs, fmt.Sprintf("error: predicted %q, received %q", pred.Error, got.Error))
		}
		switch {
		case pred.NoDescription && got.ErrorDescription != nil:
			diffs = append(diffs, fmt.Sprintf("error_description: predicted none, received %q", *got.ErrorDescription))
		case !pred.NoDescription && got.ErrorDescription == nil:
			diffs = append(diffs, fmt.Sprintf("error_description: predicted %q, received none", pred.ErrorDescription))
		case !pred.NoDescription && *got.ErrorDescription != pred.ErrorDescription:
			diffs = append(diffs, fmt.Sprintf("error_description: predicted %q, received %q", pred.ErrorDescription, *got.ErrorDescription))
		}
	}
	ex.Agree, ex.Differences = len(diffs) == 0, diffs
	return ex
}

// Print writes the comparison; on disagreement it adds the whole exchange,
// ready to attach to a report.
func Print(w io.Writer, ex *Exchange, bold, good, bad func(string) string) {
	fmt.Fprintf(w, "%s %s %s\n", bold("Sent"), ex.Request.Method, ex.Request.URL)
	fmt.Fprintf(w, "  received:  %d %s\n", ex.Response.Status, oneLine(ex.Response.Body))
	pred := ex.PredictedBody
	if ex.Predicted.Status == 200 {
		pred = "an access token"
	}
	fmt.Fprintf(w, "  predicted: %d %s", ex.Predicted.Status, pred)
	if ex.Predicted.Rule != "" {
		fmt.Fprintf(w, " (rule %s)", ex.Predicted.Rule)
	}
	fmt.Fprintln(w)
	if ex.Agree {
		fmt.Fprintf(w, "  %s the server answered as predicted\n", good("agree:"))
		return
	}
	fmt.Fprintf(w, "  %s\n", bad("disagree:"))
	for _, d := range ex.Differences {
		fmt.Fprintf(w, "    %s\n", d)
	}
	if !ex.Predicted.Certain {
		fmt.Fprintf(w, "  note: the prediction was uncertain (not checked: %s); pass the client's key set to be sure\n",
			strings.Join(ex.Predicted.Unchecked, ", "))
	}
	fmt.Fprintf(w, "\n%s\n", bold("Exchange (attach to a report; the assertion in it is a credential until it expires)"))
	WriteExchange(w, ex)
}

// WriteExchange writes the request and the response as HTTP/1.1 text, the
// request lines prefixed "> " and the response lines "< ".
func WriteExchange(w io.Writer, ex *Exchange) {
	u, _ := url.Parse(ex.Request.URL)
	target, host := ex.Request.URL, ""
	if u != nil {
		target, host = u.RequestURI(), u.Host
	}
	fmt.Fprintf(w, "> %s %s HTTP/1.1\n> Host: %s\n", ex.Request.Method, target, host)
	for _, h := range ex.Request.Headers {
		fmt.Fprintf(w, "> %s: %s\n", h[0], h[1])
	}
	fmt.Fprintf(w, "> Content-Length: %d\n>\n", len(ex.Request.Body))
	for _, line := range strings.Split(ex.Request.Body, "\n") {
		fmt.Fprintf(w, "> %s\n", line)
	}
	fmt.Fprintf(w, "< HTTP/1.1 %d %s\n", ex.Response.Status, http.StatusText(ex.Response.Status))
	names := make([]string, 0, len(ex.Response.Headers))
	for k := range ex.Response.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range ex.Response.Headers[k] {
			fmt.Fprintf(w, "< %s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w, "<")
	for _, line := range strings.Split(ex.Response.Body, "\n") {
		fmt.Fprintf(w, "< %s\n", line)
	}
	if ex.Response.Truncated {
		fmt.Fprintf(w, "< (body cut at %d bytes)\n", MaxResponseBody)
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// Run sends req and sets the answer against pred, the engine's prediction
// for the same request.
func Run(ctx context.Context, req Request, p profile.Profile, pred lint.Response, opts Options) (*Exchange, error) {
	resp, err := Do(ctx, req, opts)
	if err != nil {
		return nil, err
	}
	ex := Compare(p, pred, resp)
	ex.Request = req
	return ex, nil
}
