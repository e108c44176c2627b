// Package lint implements "clientassert lint".
package lint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	lintpkg "github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/request"
	"github.com/clientassert/clientassert/pkg/send"
)

type LintOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Args        []string
	RequestPath string
	Profile     string
	Aud         string
	Issuer      string
	ClientAlg   string
	ClientID    string
	JWKSPath    string
	KeyPath     string
	Passphrase  string // --passphrase-file
	Now         string
	Format      string
	FailOn      string
	CACert      string

	Batch    bool
	Summary  bool
	Jobs     int
	Send     bool
	TokenURL string
}

func NewCmdLint(f *cmdutil.Factory, runF func(*LintOptions) error) *cobra.Command {
	opts := &LintOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "lint [<token> | -] [flags]",
		Short: "Predict the token endpoint's answer to an assertion or token request",
		Long: strings.TrimSpace(`
Run every check the token endpoint runs, plus clientassert's own rules, and
print each problem with the exact error_description the server would send for
it, this token's numbers and a fix. The predicted response is the one answer
the server would actually send: the first failing check in the server's order.

The token comes as an argument, or on stdin when absent or "-". Quotes, a
"Bearer " prefix, a client_assertion=... pair and URL encoding are stripped.
With --request, lint reads a whole token request instead: a raw HTTP/1.1
request, a bare form body, or a curl command line.

Without --jwks or --key the key lookup and signature are not checked, and the
prediction says so.

With --batch, the argument is a file (or - for stdin) holding one item per
line: a token, a JSON object {"token", "now", "client_id", "profile"}, or a log
line with a JWT or client_assertion=... in it. lint writes one JSON object per
line, in input order, or with --summary the counts per predicted response and
per rule: a table on a terminal, JSON otherwise or with --format json. --now,
--client-id, --jwks and --profile apply to items that do not carry their own.
A line that cannot be linted is an item with an error, and fails the run.

Exit status: 0 when there is no error finding, 1 when there is, 2 when lint
could not run. --fail-on warning (or info) also fails on lesser findings.`),
		Example: `  # A token, with the key set registered for the client
  $ clientassert lint "$TOKEN" --client-id 0f3c... --jwks jwks.json

  # The request a customer captured, at the moment they sent it
  $ clientassert lint --request captured.http --now 2026-11-27T12:00:00Z

  # A curl command copied from a terminal, machine-readable
  $ pbpaste | clientassert lint --request - --format json

  # Every token in a log: what the server said, counted by cause
  $ clientassert lint --batch gateway.log --summary --jwks jwks.json`,
		Args: cmdutil.MaxOneArg("token"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if err := checkBatchFlags(cmd, opts); err != nil {
				return err
			}
			if opts.RequestPath != "" && len(args) > 0 {
				return cmdutil.Errorf("give either a token or --request, not both")
			}
			if opts.JWKSPath != "" && opts.KeyPath != "" {
				return cmdutil.Errorf("--jwks and --key cannot be used together").WithHint("--jwks is the registered key set; --key a single key")
			}
			if opts.TokenURL != "" && !opts.Send {
				return cmdutil.Errorf("--token-url applies only with --send").WithHint("--aud sets the token URL to expect as aud")
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Batch {
				return batchRun(opts)
			}
			return lintRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.RequestPath, "request", "", "Read a whole token request from `file` (- for stdin): raw HTTP, form body or curl command")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile")
	fl.StringVar(&opts.Aud, "aud", "", "Token URL to expect as aud, overriding the profile's")
	fl.StringVar(&opts.Issuer, "issuer", "", "The server's issuer identifier, which some servers also accept as aud")
	fl.StringVar(&opts.ClientAlg, "client-alg", "", "The signing `alg` the client is registered with, for servers that enforce one per client (hydra)")
	fl.StringVar(&opts.ClientID, "client-id", "", "The client_id the key set is registered for")
	fl.StringVar(&opts.JWKSPath, "jwks", "", "The registered key set of the client: a JWKS `file`, or its https URL")
	fl.StringVar(&opts.KeyPath, "key", "", "A public or private key `file` (PEM, JWK or JWKS) to verify with")
	cmdutil.PassphraseFlag(cmd, &opts.Passphrase)
	fl.StringVar(&opts.Now, "now", "", "Evaluate time checks at this moment: RFC 3339 or Unix seconds (default: the current time)")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	cmdutil.CACertFlag(cmd, &opts.CACert)
	fl.BoolVar(&opts.Send, "send", false, "Post the request to the token endpoint and compare its answer with the prediction")
	fl.StringVar(&opts.TokenURL, "token-url", "", "With --send: where to post (default: the request's URL, or the profile's token URL)")
	cmdutil.EnumFlag(cmd, &opts.FailOn, "fail-on", "error", "Exit 1 on findings of this severity or worse", "error", "warning", "info")
	addBatchFlags(cmd, opts)
	return cmd
}

func lintRun(opts *LintOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, opts.Aud)
	if err != nil {
		return err
	}
	prof.Issuer = opts.Issuer
	if opts.ClientAlg != "" {
		prof.Algorithms = []string{opts.ClientAlg}
	}
	now, err := cmdutil.Now(f, opts.Now)
	if err != nil {
		return err
	}
	in := lintpkg.Input{Profile: prof, ClientID: opts.ClientID, Now: now}
	var notes []string
	if opts.RequestPath != "" {
		data, err := cmdutil.ReadInput(f, opts.RequestPath, "request")
		if err != nil {
			return err
		}
		base := ""
		if opts.RequestPath != "-" {
			base = filepath.Dir(opts.RequestPath)
		}
		req, err := request.ParseWith(data, request.Options{BaseDir: base, ReadFile: func(path string) ([]byte, error) {
			if path == "-" {
				return nil, fmt.Errorf("stdin already holds the request")
			}
			return cmdutil.ReadInput(f, path, "file the request names")
		}})
		if err != nil {
			return cmdutil.Errorf("%s", cmdutil.Normalize(err.Error())).
				WithHint("give a raw HTTP request, a form body (grant_type=...&client_assertion=...) or a curl command")
		}
		in.Request = req
		notes = append(notes, req.Notes...)
	} else {
		tok, tnotes, err := cmdutil.ReadToken(f, opts.Args)
		if err != nil {
			return err
		}
		in.Token = tok
		notes = append(notes, tnotes...)
	}
	if opts.JWKSPath != "" {
		var fetchNotes []string
		if in.Keys, fetchNotes, err = loadKeySet(f, opts.JWKSPath, opts.CACert); err != nil {
			return err
		}
		if jwksfetch.IsURL(opts.JWKSPath) {
			in.JWKSURL = opts.JWKSPath
		}
		notes = append(notes, fetchNotes...)
	}
	if opts.KeyPath != "" {
		if in.Keys, err = cmdutil.LoadKeys(f, opts.KeyPath, "--key", opts.Passphrase); err != nil {
			return err
		}
		in.SingleKey = len(in.Keys.Keys) == 1
	}
	report := lintpkg.Lint(in)
	report.Notes = append(notes, report.Notes...)
	report.TokenURL = jwksfetch.RedactURL(report.TokenURL)
	var exchange *send.Exchange
	if opts.Send {
		if exchange, err = sendLinted(opts, prof, in, report); err != nil {
			return err
		}
	}

	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		var doc any = report
		if exchange != nil {
			doc = struct {
				*lintpkg.Report
				Exchange *send.Exchange `json:"exchange"`
			}{report, exchange}
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		out := iostreams.TerminalText(opts.IO.Out)
		PrintReport(out, opts.IO.ColorScheme(), report)
		if exchange != nil {
			cs := opts.IO.ColorScheme()
			fmt.Fprintln(out)
			send.Print(out, exchange, cs.Bold, cs.Green, cs.Red)
		}
	}
	if exchange != nil && !exchange.Agree {
		fmt.Fprintln(opts.IO.ErrOut, "clientassert: the server's answer differs from the prediction")
		return cmdutil.ErrSilentFindings
	}
	if report.Fails(lintpkg.Severity(opts.FailOn)) {
		return cmdutil.ErrSilentFindings
	}
	return nil
}

// loadKeySet reads --jwks from a file, or fetches it when it is an http(s)
// URL; warnings about the response (a wrong Content-Type) become notes.
func loadKeySet(f *cmdutil.Factory, value, cacert string) (*keys.Set, []string, error) {
	if !jwksfetch.IsURL(value) {
		set, err := cmdutil.LoadKeys(f, value, "--jwks", "")
		return set, nil, err
	}
	roots, err := cmdutil.RootCAs(f, cacert)
	if err != nil {
		return nil, nil, err
	}
	res, err := jwksfetch.Fetch(context.Background(), value, jwksfetch.Options{Now: f.Now, RootCAs: roots})
	if err != nil {
		var fe *jwksfetch.Error
		if errors.As(err, &fe) {
			return nil, nil, cmdutil.Errorf("--jwks: %s", fe.Msg).WithHint("%s", fe.Hint)
		}
		return nil, nil, err
	}
	return res.Set, res.Warnings, nil
}

// PrintReport writes the human report: summary, predicted response, findings.
func PrintReport(w io.Writer, cs *iostreams.ColorScheme, r *lintpkg.Report) {
	w = iostreams.TerminalText(w)
	fmt.Fprintf(w, "%s %s, token URL %s, at %s\n", cs.Bold("profile"), r.Profile, orNone(r.TokenURL), r.Now.Format(time.RFC3339))
	summary := fmt.Sprintf("%d error%s, %d warning%s, %d info", r.Summary.Errors, plural(r.Summary.Errors), r.Summary.Warnings, plural(r.Summary.Warnings), r.Summary.Infos)
	if r.Summary.Errors > 0 {
		summary = cs.Red(summary)
	} else if r.Summary.Warnings > 0 {
		summary = cs.Yellow(summary)
	} else {
		summary = cs.Green(summary)
	}
	fmt.Fprintf(w, "%s %s\n", cs.Bold("summary"), summary)
	if r.KeyID != "" {
		fmt.Fprintf(w, "%s signature verified with kid %q\n", cs.Bold("key"), r.KeyID)
	}
	fmt.Fprintln(w)

	p := r.Predicted
	fmt.Fprintln(w, cs.Bold("Predicted response"))
	if p.Status == 200 {
		fmt.Fprintf(w, "  %s the server would issue an access token\n", cs.Green("200 OK"))
	} else {
		fmt.Fprintf(w, "  %s %s\n", cs.Red(fmt.Sprintf("%d %s", p.Status, p.Error)), cs.Gray("(rule "+p.Rule+")"))
		switch {
		case p.RawBody != "":
			fmt.Fprintf(w, "  body: an HTML error page (%s), no JSON\n", p.ContentType)
		case p.NoDescription:
			fmt.Fprintf(w, "  error_description: none; the server sends only the error code\n")
		default:
			fmt.Fprintf(w, "  error_description: %s\n", quote(p.ErrorDescription))
		}
		if p.HiddenReason != "" {
			fmt.Fprintf(w, "  the server keeps back: %s\n", quote(p.HiddenReason))
		}
	}
	if len(p.Unchecked) > 0 {
		fmt.Fprintf(w, "  %s not checked without key material: %s; pass --jwks or --key to be sure\n", cs.Yellow("uncertain:"), strings.Join(p.Unchecked, ", "))
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(w, "  %s not read from the request: %s\n", cs.Yellow("uncertain:"), strings.Join(p.Skipped, "; "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s %s\n", cs.Gray("note:"), n)
	}

	groups := []struct {
		sev   lintpkg.Severity
		title string
	}{{lintpkg.SeverityError, "Errors"}, {lintpkg.SeverityWarning, "Warnings"}, {lintpkg.SeverityInfo, "Info"}}
	for _, g := range groups {
		var list []lintpkg.Finding
		for _, fd := range r.Findings {
			if fd.Severity == g.sev {
				list = append(list, fd)
			}
		}
		if len(list) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", cs.Bold(g.title))
		for _, fd := range list {
			fmt.Fprintf(w, "  %s %s\n", cs.Severity(string(fd.Severity)), cs.Bold(fd.Rule))
			fmt.Fprintf(w, "    %s\n", fd.Message)
			if fd.ErrorDescription != "" || fd.ServerCheck {
				fmt.Fprintf(w, "    server says: %s\n", quote(fd.ErrorDescription))
			}
			if fd.Quirk != "" {
				fmt.Fprintf(w, "    quirk: %s\n", fd.Quirk)
			}
			fmt.Fprintf(w, "    fix: %s\n", fd.Fix)
			fmt.Fprintf(w, "    %s\n", cs.Gray("see "+fd.Doc))
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `\u0026`, "&")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
