// Package build implements "clientassert build".
package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

type BuildOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	ClientID string
	KID      string
	Alg      string
	Aud      string
	Profile  string
	Lifetime string
	Now      string
	JTI      string
	Claims   []string
	Headers  []string
	Omit     []string
	From     string
}

func NewCmdBuild(f *cmdutil.Factory, runF func(*BuildOptions) error) *cobra.Command {
	opts := &BuildOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "build --client-id <id> [--kid <kid>] [--alg <alg>] [flags]",
		Short: "Make the header and claims of a client assertion, ready to sign",
		Long: strings.TrimSpace(`
Print the JOSE header and claims of a client assertion as JSON, for sign:

  {"header": {"alg", "kid", "typ"}, "claims": {"iss", "sub", "aud", "iat", "exp", "jti"}}

iss and sub are the client_id, aud is the profile's token URL, iat is now, exp
is iat plus the lifetime (5m) and jti is 128 random bits in hex. Without --alg
or --kid, sign fills them in from the key.

--claim and --header add or replace a member; the value is JSON when it parses
as JSON (n=3 is a number, aud='["a","b"]' an array), else a string. They win
over every default, even when wrong, and --omit leaves a member out, so an
error can be reproduced on purpose. Omitted header members are listed in
"x-clientassert-omit" so that sign does not add them back.

--from re-creates an existing assertion: its header and claims are kept, and
iat, nbf and exp move to --now keeping their gaps and units. Other flags
change what they name.

Every build is linted: what the server would refuse, and the error_description
it would send, is printed on stderr. The JSON still goes to stdout.`),
		Example: `  # A fresh assertion, signed in the same pipeline (without --kid the kid is
  # the key's thumbprint, the one keys generate gave it)
  $ clientassert build --client-id 8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3 | clientassert sign --key key.pem
  $ clientassert build --client-id 8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3 --kid rsa-2026-11 | clientassert sign --key key.pem

  # Reproducible output for a test
  $ clientassert build --client-id 8f14... --kid k1 --now 2026-11-27T12:00:00Z --jti 0123456789abcdef0123

  # Reproduce "JWT header kid property is required"
  $ clientassert build --client-id 8f14... --omit kid | clientassert sign --key key.pem

  # Re-create a customer's assertion as of now, with extra claims
  $ clientassert build --from "$CUSTOMER_TOKEN" --claim scope='"system/*.read"' --header x5t=abc`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.Errorf("build takes no arguments, got %q", args[0]).
					WithHint("to re-create an existing assertion, pass it with --from")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("client-id") && strings.TrimSpace(opts.ClientID) == "" {
				return cmdutil.Errorf("--client-id is empty")
			}
			if opts.ClientID == "" && opts.From == "" {
				return cmdutil.Errorf("--client-id is required").
					WithHint("pass the OAuth client_id, or re-create an assertion with --from <token>")
			}
			if runF != nil {
				return runF(opts)
			}
			return buildRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ClientID, "client-id", "", "OAuth client_id, used as iss and sub")
	fl.StringVar(&opts.KID, "kid", "", "Key ID for the header (default: left to sign)")
	fl.StringVar(&opts.Alg, "alg", "", "Header alg (default: left to sign, which takes it from the key): {RS384|ES384|...}")
	fl.StringVar(&opts.Aud, "aud", "", "Audience (default: the profile's token URL)")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile")
	fl.StringVar(&opts.Lifetime, "lifetime", "", "exp - iat, as a duration (5m, 90s) or seconds (default 5m; with --from, the original's)")
	fl.StringVar(&opts.Now, "now", "", "Build as of this moment: RFC 3339 or Unix seconds (default: the current time)")
	fl.StringVar(&opts.JTI, "jti", "", "JWT ID (default: 128 random bits in hex)")
	fl.StringArrayVar(&opts.Claims, "claim", nil, "Add or replace a claim: `<name=value>`, value JSON when it parses (repeatable)")
	fl.StringArrayVar(&opts.Headers, "header", nil, "Add or replace a header member: `<name=value>`, value JSON when it parses (repeatable)")
	fl.StringArrayVar(&opts.Omit, "omit", nil, "Leave a header member or claim out on purpose: `<name>` (repeatable)")
	fl.StringVar(&opts.From, "from", "", "Re-create this assertion at --now: a `<token>`, a file holding one, or - for stdin")
	_ = cmd.RegisterFlagCompletionFunc("alg", cobra.FixedCompletions(assertion.SignAlgs, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("omit", cobra.FixedCompletions([]string{"alg", "kid", "typ", "iss", "sub", "aud", "iat", "exp", "jti"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func buildRun(opts *BuildOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	now, err := cmdutil.Now(f, opts.Now)
	if err != nil {
		return err
	}
	lifetime, err := ParseLifetime(opts.Lifetime)
	if err != nil {
		return err
	}
	from := ""
	if opts.From != "" {
		if from, err = readFrom(f, opts.From); err != nil {
			return err
		}
		if strings.TrimSpace(from) == "" {
			return cmdutil.Errorf("--from: the input is empty").WithHint("pass the compact token (header.payload.signature)")
		}
	}
	lintProfile := prof
	if lintProfile.TokenURL == "" {
		lintProfile.TokenURL = opts.Aud
	}
	a, warnings, err := assertion.Build(assertion.BuildOptions{
		Profile: lintProfile, ClientID: opts.ClientID, KID: opts.KID, Alg: opts.Alg, Aud: opts.Aud,
		Lifetime: lifetime, Now: now, JTI: opts.JTI, Claims: opts.Claims, Headers: opts.Headers,
		Omit: opts.Omit, From: from,
	})
	if err != nil {
		return UsageError(err)
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a); err != nil {
		return err
	}
	PrintWarnings(opts.IO.ErrOut, opts.IO.ColorScheme(), "assertion", warnings)
	return nil
}

// ParseLifetime reads --lifetime: a Go duration (5m, 90s) or whole seconds.
// Empty means the default.
func ParseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 || n > 1<<31 {
			return 0, cmdutil.Errorf("invalid --lifetime %q: expected a positive duration", s).WithHint("use 5m, 300s or 300")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, cmdutil.Errorf("invalid --lifetime %q", s).WithHint("use a duration such as 5m or 90s, or whole seconds")
	}
	if d < time.Second {
		return 0, cmdutil.Errorf("invalid --lifetime %q: expected at least 1s", s).
			WithHint("to reproduce an expired assertion, build it with --now in the past")
	}
	return d, nil
}

// readFrom takes --from as stdin ("-"), a file that exists, or the token.
func readFrom(f *cmdutil.Factory, from string) (string, error) {
	if from == "-" {
		data, err := cmdutil.ReadInput(f, "-", "token")
		return string(data), err
	}
	if st, err := os.Stat(from); err == nil && !st.IsDir() {
		data, err := cmdutil.ReadInput(f, from, "token")
		return string(data), err
	}
	if strings.Count(from, ".") < 2 {
		return "", cmdutil.Errorf("--from %q is neither a token nor a file", from).
			WithHint("pass the compact token (header.payload.signature), a file holding it, or - for stdin")
	}
	return from, nil
}

// UsageError turns an error from package assertion into the CLI's usage
// error, keeping its hints.
func UsageError(err error) error {
	var ae *assertion.Error
	if errors.As(err, &ae) {
		ue := cmdutil.Errorf("%s", ae.Msg)
		ue.Hints = append(ue.Hints, ae.Hints...)
		return ue
	}
	return err
}

// PrintWarnings writes each warning as one line, then the answer the
// server would give when it would refuse. what names the thing checked.
func PrintWarnings(w io.Writer, cs *iostreams.ColorScheme, what string, warnings []assertion.Warning) {
	label := "clientassert: " + cs.Yellow("warning:") + " "
	for _, wr := range warnings {
		fmt.Fprintf(w, "%s%s (%s)\n", label, wr.Message, wr.Rule)
	}
	for _, wr := range warnings {
		if wr.Predicted {
			fmt.Fprintf(w, "%sthe server would refuse this %s: 400 invalid_request, error_description %s\n",
				label, what, quote(wr.ErrorDescription))
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `\u0026`, "&")
}
