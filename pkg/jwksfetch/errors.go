package jwksfetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// Kind names one way a fetch can fail. The values are stable: JSON output
// and scripts rely on them.
type Kind string

const (
	KindBadURL           Kind = "bad-url"
	KindInsecureScheme   Kind = "insecure-scheme"
	KindDNS              Kind = "dns"
	KindConnect          Kind = "connect"
	KindTLS              Kind = "tls"
	KindTimeout          Kind = "timeout"
	KindStatus           Kind = "http-status"
	KindTooManyRedirects Kind = "too-many-redirects"
	KindTooLarge         Kind = "too-large"
	KindNotJSON          Kind = "not-json"
	KindNotKeySet        Kind = "not-key-set"
)

// Error is a failed fetch: one line in the CLI's house style (lower case, no
// period) and a hint that says what to do about it.
type Error struct {
	Kind Kind   `json:"kind"`
	URL  string `json:"url"`
	Msg  string `json:"message"`
	Hint string `json:"hint"`
	// Status is the HTTP status for KindStatus.
	Status int `json:"status,omitempty"`
	// TLSReason refines KindTLS: "unknown-authority", "hostname-mismatch",
	// "expired", "not-tls" or "handshake".
	TLSReason string `json:"tls_reason,omitempty"`
	Err       error  `json:"-"`
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, jwksfetch.ErrTimeout) and friends match by kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrBadURL           = &Error{Kind: KindBadURL}
	ErrInsecureScheme   = &Error{Kind: KindInsecureScheme}
	ErrDNS              = &Error{Kind: KindDNS}
	ErrConnect          = &Error{Kind: KindConnect}
	ErrTLS              = &Error{Kind: KindTLS}
	ErrTimeout          = &Error{Kind: KindTimeout}
	ErrStatus           = &Error{Kind: KindStatus}
	ErrTooManyRedirects = &Error{Kind: KindTooManyRedirects}
	ErrTooLarge         = &Error{Kind: KindTooLarge}
	ErrNotJSON          = &Error{Kind: KindNotJSON}
	ErrNotKeySet        = &Error{Kind: KindNotKeySet}
)

// classify turns a transport error into an Error. ctx is the fetch's own
// context, whose deadline is the only reliable sign of a timeout once the
// error has passed through several layers.
func classify(ctx context.Context, rawURL, host string, timeout time.Duration, err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	timedOut := func() *Error {
		return &Error{Kind: KindTimeout, URL: rawURL, Err: err,
			Msg:  fmt.Sprintf("no complete answer from %s within %s", host, timeout),
			Hint: "the server is slow or unreachable; check it answers quickly (the token endpoint will not wait long either), or raise --timeout"}
	}
	if ctx.Err() == context.DeadlineExceeded {
		return timedOut()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return timedOut()
		}
		msg := fmt.Sprintf("cannot resolve host %s: %s", host, dnsErr.Err)
		if dnsErr.IsNotFound {
			msg = fmt.Sprintf("cannot resolve host %s: no such host", host)
		}
		return &Error{Kind: KindDNS, URL: rawURL, Err: err, Msg: msg,
			Hint: "check the host name in the URL; the token endpoint must be able to resolve it publicly"}
	}
	if tlsErr := classifyTLS(rawURL, host, err); tlsErr != nil {
		return tlsErr
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return timedOut()
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &Error{Kind: KindConnect, URL: rawURL, Err: err,
			Msg:  fmt.Sprintf("connection to %s refused", host),
			Hint: "nothing is listening at that host and port; check the URL and that the server is up"}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: KindConnect, URL: rawURL, Err: err, Msg: "fetch of " + rawURL + " cancelled", Hint: "run the command again"}
	}
	return &Error{Kind: KindConnect, URL: rawURL, Err: err,
		Msg:  fmt.Sprintf("cannot fetch %s: %s", rawURL, RedactURL(oneLine(innermost(err)))),
		Hint: "check the URL, and that this machine can reach the host"}
}

func classifyTLS(rawURL, host string, err error) *Error {
	mk := func(reason, msg, hint string) *Error {
		return &Error{Kind: KindTLS, TLSReason: reason, URL: rawURL, Err: err, Msg: msg, Hint: hint}
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return mk("unknown-authority",
			fmt.Sprintf("TLS certificate of %s is signed by an unknown authority", host),
			"serve the key set with a certificate from a public CA and include the intermediate certificates; the token endpoint will not trust a private or self-signed one (to trust a private CA here, as for a test server or a TLS-inspecting proxy, pass --cacert ca.pem or set SSL_CERT_FILE)")
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return mk("hostname-mismatch",
			fmt.Sprintf("TLS certificate of %s is not valid for that name", host),
			"use a certificate whose names include "+host+", or the host name the certificate was issued for")
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		if invalid.Reason == x509.Expired {
			return mk("expired",
				fmt.Sprintf("TLS certificate of %s has expired or is not yet valid", host),
				"renew the certificate; also check this machine's clock")
		}
		return mk("handshake", fmt.Sprintf("TLS certificate of %s is not valid: %s", host, oneLine(invalid.Error())),
			"fix the server's certificate chain")
	}
	var record tls.RecordHeaderError
	if errors.As(err, &record) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return mk("not-tls", fmt.Sprintf("%s did not answer with TLS", host),
			"the port serves plain http; use the https port, or http:// for a loopback test server")
	}
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	if errors.As(err, &verify) || errors.As(err, &alert) || strings.Contains(err.Error(), "tls: ") {
		return mk("handshake", fmt.Sprintf("TLS handshake with %s failed: %s", host, oneLine(innermost(err))),
			"check the server's TLS configuration (certificate chain, TLS 1.2 or later)")
	}
	return nil
}

// innermost is the message of the deepest wrapped error, without the
// "Get \"url\": dial tcp ...:" prefixes the layers add.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, ".")
}
