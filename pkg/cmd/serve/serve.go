// Package serve implements "clientassert serve".
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/profile"
	servepkg "github.com/clientassert/clientassert/pkg/serve"
)

type ServeOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Profile   string
	Addr      string
	Clients   string
	ClientID  string
	JWKS      string
	Aud       string
	Now       string
	LogFormat string
	TLSCert   string
	TLSKey    string
	CACert    string

	// Ready, when set, is called with the listening URL once the port
	// accepts connections; tests use it instead of reading stderr.
	Ready func(url string)
	// Stop, when set, ends the server like SIGTERM when it is closed.
	Stop <-chan struct{}
}

// DefaultAddr listens on loopback only: serve is a local stand-in.
const DefaultAddr = "127.0.0.1:8080"

func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "serve {--clients <file> | --client-id <id> --jwks <file-or-url>} [flags]",
		Short: "Run a local token endpoint that answers like the profile's server",
		Long: strings.TrimSpace(`
Run an HTTP token endpoint on the profile's path (/v2/auth/token for redox and
redox-ca) that answers every request as the real server would: a failing
request gets the server's status, headers and exact body, predicted by the
same engine as lint; a valid one gets an access token in the server's shape.
Use it as a stand-in for the real server in CI, or to replay a customer's
request at the moment they sent it (--now).

Clients come from --clients, a JSON file of
[{"client_id": "...", "jwks": {...} | "jwks.json", "jwks_uri": "https://...", "profile": "..."}]
that is read again on SIGHUP, or from --client-id with --jwks for one client.

Each request is logged on stderr in one line: the client, the status, the
rule, the reason the real server keeps to itself and the fix. Tokens are
never logged whole. The first stderr line, "listening on http://ADDR", says
the port accepts connections; with --addr 127.0.0.1:0 it names the port
chosen. GET /healthz answers 200. SIGINT and SIGTERM drain open requests.`),
		Example: `  # A stand-in for Redox, for one client
  $ clientassert serve --client-id "$CLIENT_ID" --jwks jwks.json

  # Replay a customer's request at the moment they sent it
  $ clientassert serve --clients clients.json --now 2026-11-27T12:00:00Z &
  $ curl -s http://127.0.0.1:8080/v2/auth/token -d @captured.form`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			single := opts.ClientID != "" || opts.JWKS != ""
			switch {
			case opts.Clients != "" && single:
				return cmdutil.Errorf("give either --clients or --client-id with --jwks, not both")
			case opts.Clients == "" && !single:
				return cmdutil.Errorf("no client registered").WithHint("pass --clients FILE, or --client-id ID with --jwks FILE|URL")
			case single && opts.ClientID == "":
				return cmdutil.Errorf("--jwks needs --client-id")
			case single && opts.JWKS == "":
				return cmdutil.Errorf("--client-id needs --jwks").WithHint("--jwks is the client's registered key set: a file or an https URL")
			case (opts.TLSCert == "") != (opts.TLSKey == ""):
				return cmdutil.Errorf("--tls-cert and --tls-key go together")
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(opts)
		},
	}
	fl := cmd.Flags()
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile to answer as")
	fl.StringVar(&opts.Addr, "addr", DefaultAddr, "Listen on this `host:port` (port 0 picks a free one)")
	fl.StringVar(&opts.Clients, "clients", "", "Register the clients in this JSON `file` (re-read on SIGHUP)")
	fl.StringVar(&opts.ClientID, "client-id", "", "Register one client with this client_id")
	fl.StringVar(&opts.JWKS, "jwks", "", "The client's key set: a JWKS `file`, or its https URL")
	fl.StringVar(&opts.Aud, "aud", "", "Token URL to expect as aud (default: the profile's, or this server's URL when the profile has none)")
	fl.StringVar(&opts.Now, "now", "", "Freeze the clock at this moment: RFC 3339 or Unix seconds (default: the current time)")
	cmdutil.EnumFlag(cmd, &opts.LogFormat, "log-format", "text", "Request log format on stderr", "text", "json")
	fl.StringVar(&opts.TLSCert, "tls-cert", "", "Serve HTTPS with this certificate `file` (PEM)")
	fl.StringVar(&opts.TLSKey, "tls-key", "", "The certificate's private key `file` (PEM)")
	cmdutil.CACertFlag(cmd, &opts.CACert)
	return cmd
}

func serveRun(opts *ServeOptions) error {
	f := opts.Factory
	defaultProfile, err := cmdutil.Profile(opts.Profile, opts.Aud)
	if err != nil {
		return err
	}
	nowFn := time.Now
	if opts.Now != "" {
		frozen, err := cmdutil.Now(f, opts.Now)
		if err != nil {
			return err
		}
		nowFn = func() time.Time { return frozen }
	}
	rootCAs, err := cmdutil.RootCAs(f, opts.CACert)
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if opts.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			return cmdutil.Errorf("cannot load --tls-cert/--tls-key: %s", cmdutil.Normalize(err.Error())).
				WithHint("give a PEM certificate and its PEM private key")
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return listenError(opts.Addr, err)
	}
	defer ln.Close()
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	baseURL := scheme + "://" + ln.Addr().String()

	withAud := func(p profile.Profile) profile.Profile {
		if p.TokenURL == "" {
			p.TokenURL = baseURL + p.Wire.Path
		}
		return p
	}
	defaultProfile = withAud(defaultProfile)
	loader := servepkg.Loader{
		ProfileFor: func(name string) (profile.Profile, error) {
			if name == "" {
				return defaultProfile, nil
			}
			p, err := profile.Get(name, opts.Aud)
			if err != nil {
				return p, err
			}
			return withAud(p), nil
		},
		Fetch: jwksfetch.Options{Now: f.Now, RootCAs: rootCAs},
	}
	load := func() (*servepkg.Registry, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*jwksfetch.DefaultTimeout)
		defer cancel()
		if opts.Clients != "" {
			return loader.LoadFile(ctx, opts.Clients)
		}
		return loader.Single(ctx, opts.ClientID, opts.JWKS)
	}
	reg, err := load()
	if err != nil {
		flag := "--jwks"
		if opts.Clients != "" {
			flag = "--clients"
		}
		return cmdutil.Errorf("%s: %s", flag, cmdutil.Normalize(err.Error()))
	}

	logger := servepkg.NewLogger(opts.IO.ErrOut, opts.LogFormat)
	server := servepkg.New(servepkg.Options{Profile: defaultProfile, Now: nowFn, Log: logger}, reg)
	srv := server.HTTPServer()
	if tlsConfig != nil {
		srv.TLSConfig = tlsConfig
		ln = tls.NewListener(ln, tlsConfig)
	}

	// Signals are caught before readiness is announced: a reload or stop
	// sent right after it must not kill the process.
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(stop)
	defer signal.Stop(hup)

	// The listener already accepts connections (the kernel queues them), so
	// the readiness line is true from here on.
	fmt.Fprintf(opts.IO.ErrOut, "listening on %s\n", baseURL)
	logger.Printf(time.Now(), "answering as %s at %s for %d client(s); aud %s", defaultProfile.Name,
		strings.Join(prefixAll(baseURL, server.Paths()), ", "), len(reg.IDs()), defaultProfile.TokenURL)
	if opts.Ready != nil {
		opts.Ready(baseURL)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	for {
		select {
		case err := <-served:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return cmdutil.Errorf("serving stopped: %s", cmdutil.Normalize(err.Error()))
		case <-hup:
			next, err := load()
			if err != nil {
				logger.Printf(time.Now(), "reload failed, keeping %d client(s): %s", len(server.Registry().IDs()), err)
				continue
			}
			server.SetRegistry(next)
			logger.Printf(time.Now(), "reloaded %d client(s)", len(next.IDs()))
		case sig := <-stop:
			logger.Printf(time.Now(), "%s: draining", sig)
			return drain(srv, served)
		case <-opts.Stop:
			return drain(srv, served)
		}
	}
}

func drain(srv *http.Server, served <-chan error) error {
	if err := servepkg.Shutdown(srv); err != nil {
		return cmdutil.Errorf("draining: %s", cmdutil.Normalize(err.Error()))
	}
	<-served
	return nil
}

func prefixAll(base string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = base + p
	}
	return out
}

func listenError(addr string, err error) error {
	var se *os.SyscallError
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		msg = "address already in use"
	case errors.Is(err, syscall.EACCES):
		msg = "permission denied"
	case errors.As(err, &se):
		msg = se.Err.Error()
	}
	// One line and no hint: the contract promises a single error line.
	return cmdutil.Errorf("cannot listen on %s: %s", addr, cmdutil.Normalize(msg))
}
