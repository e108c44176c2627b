// Package verify implements "clientassert verify".
package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	lintcmd "github.com/clientassert/clientassert/pkg/cmd/lint"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/doctor"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/lint"
)

type VerifyOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Args       []string
	KeyPath    string
	Passphrase string // --passphrase-file
	JWKS       string
	ClientID   string
	Lint       bool
	Now        string
	Profile    string
	Format     string
	Timeout    time.Duration
	CACert     string
}

func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "verify [<token> | -] {--key <file> | --jwks <file|url>} [flags]",
		Short: "Verify a token the way the server finds its key",
		Long: strings.TrimSpace(`
Follow the token endpoint's documented steps for a token: take the client_id
from iss, find the client's key set, find the key with the header's kid, and
check the signature with it. Print which key verified, or exactly which step
failed and what the server answers when it does.

--jwks takes the registered key set as a file or as the JWKS URL itself
(https; plain http only to loopback hosts). --key takes a single key; without
a kid of its own it stands for whatever kid the token names.

verify checks the key chain only; --lint adds every claim and time check and
the predicted response.

Exit status: 0 when the signature verifies (and, with --lint, lint finds no
error), 1 when a step fails, 2 when verify could not run.`),
		Example: `  # Against the key set registered for the client
  $ clientassert verify "$TOKEN" --jwks https://example.com/.well-known/jwks.json

  # With the single public key you expect, and every other check too
  $ clientassert verify - --key public.pem --client-id "$CLIENT_ID" --lint < token.jwt

  # Machine-readable
  $ clientassert verify "$TOKEN" --jwks jwks.json --format json | jq .failed_step`,
		Args: cmdutil.MaxOneArg("token"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			switch {
			case opts.KeyPath == "" && opts.JWKS == "":
				return cmdutil.Errorf("no key to verify with").WithHint("pass --jwks with the registered key set (a file or its URL), or --key with one key")
			case opts.KeyPath != "" && opts.JWKS != "":
				return cmdutil.Errorf("--key and --jwks cannot be used together").WithHint("--jwks is the registered key set; --key a single key")
			case opts.Format != "text" && opts.Format != "json":
				return cmdutil.Errorf("invalid --format %q", opts.Format).WithHint("use text or json")
			case opts.Timeout <= 0:
				return cmdutil.Errorf("--timeout must be positive, got %s", opts.Timeout)
			}
			tokenFromStdin := len(args) == 0 || args[0] == "-"
			if tokenFromStdin && (opts.KeyPath == "-" || opts.JWKS == "-") {
				return cmdutil.Errorf("the token and the key cannot both come from stdin").WithHint("pass the token as an argument, or the key as a file")
			}
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.KeyPath, "key", "", "Verify with the key in `file` (PEM, JWK or JWKS; a private key's public half is used)")
	cmdutil.PassphraseFlag(cmd, &opts.Passphrase)
	fl.StringVar(&opts.JWKS, "jwks", "", "The client's registered key set: a JWKS `file` or its https URL")
	fl.StringVar(&opts.ClientID, "client-id", "", "The client_id iss must equal")
	fl.BoolVar(&opts.Lint, "lint", false, "Also run the full lint and predict the server's response")
	fl.StringVar(&opts.Now, "now", "", "With --lint, evaluate time checks at this moment: RFC 3339 or Unix seconds")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	fl.DurationVar(&opts.Timeout, "timeout", jwksfetch.DefaultTimeout, "Give up fetching a JWKS URL after this long")
	cmdutil.CACertFlag(cmd, &opts.CACert)
	return cmd
}

// Output is the JSON document verify prints.
type Output struct {
	*doctor.VerifyResult
	Fetch *jwksfetch.Result `json:"jwks_fetch,omitempty"`
	Lint  *lint.Report      `json:"lint,omitempty"`
}

func verifyRun(opts *VerifyOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	now, err := cmdutil.Now(f, opts.Now)
	if err != nil {
		return err
	}
	tok, notes, err := cmdutil.ReadToken(f, opts.Args)
	if err != nil {
		return err
	}

	in := doctor.VerifyInput{Token: tok, ClientID: opts.ClientID, Profile: prof}
	var fetched *jwksfetch.Result
	switch {
	case opts.KeyPath != "":
		if in.Keys, err = cmdutil.LoadKeys(f, opts.KeyPath, "--key", opts.Passphrase); err != nil {
			return err
		}
		in.KeySource, in.SingleKey = opts.KeyPath, len(in.Keys.Keys) == 1
	case jwksfetch.IsURL(opts.JWKS):
		if _, err := jwksfetch.ParseURL(opts.JWKS); err != nil {
			fe := err.(*jwksfetch.Error)
			return cmdutil.Errorf("--jwks: %s", fe.Msg).WithHint("%s", fe.Hint)
		}
		fetchOpts := fetchOptions(opts)
		if fetchOpts.RootCAs, err = cmdutil.RootCAs(f, opts.CACert); err != nil {
			return err
		}
		in.KeySource = jwksfetch.RedactURL(opts.JWKS)
		fetched, in.KeysErr = jwksfetch.Fetch(context.Background(), opts.JWKS, fetchOpts)
		if in.KeysErr == nil {
			in.Keys = fetched.Set
			if fetched.FinalURL != fetched.URL {
				in.KeySource += " (read from " + fetched.FinalURL + ")"
			}
		}
	default:
		if in.Keys, err = cmdutil.LoadKeys(f, opts.JWKS, "--jwks", ""); err != nil {
			return err
		}
		in.KeySource = opts.JWKS
	}
	if in.KeySource == "-" {
		in.KeySource = "stdin"
	}

	rep := lint.Lint(lint.Input{Token: tok, Profile: prof, ClientID: opts.ClientID,
		Keys: in.Keys, KeysErr: in.KeysErr, SingleKey: in.SingleKey, Now: now, JWKSURL: fetchedFrom(fetched, opts.JWKS)})
	res := doctor.FromReport(rep, in)
	res.Notes = append(notes, res.Notes...)
	out := Output{VerifyResult: res, Fetch: fetched}
	if opts.Lint {
		out.Lint = rep
	}

	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printResult(opts.IO.Out, opts.IO.ColorScheme(), &out)
	}
	if !res.Verified || (out.Lint != nil && out.Lint.HasErrors()) {
		return cmdutil.ErrSilentFindings
	}
	return nil
}

func fetchOptions(opts *VerifyOptions) jwksfetch.Options {
	return jwksfetch.Options{
		Timeout:   opts.Timeout,
		UserAgent: "clientassert/" + orDev(opts.Factory.Version.Version),
		Now:       opts.Factory.Now,
	}
}

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

func printResult(w io.Writer, cs *iostreams.ColorScheme, out *Output) {
	res := out.VerifyResult
	if res.Verified {
		k := res.Key
		fmt.Fprintf(w, "%s %s signature by kid %q (%s, thumbprint %s) from %s\n",
			cs.Green("verified:"), k.Alg, k.KID, k.Description, k.Thumbprint, res.KeySet)
	} else {
		fmt.Fprintf(w, "%s %s\n", cs.Red("not verified:"), failedCheck(res))
	}
	width := 0
	for _, s := range res.Steps {
		width = max(width, len(s.Check))
	}
	for _, s := range res.Steps {
		status := map[string]string{doctor.StepPass: cs.Green("pass"), doctor.StepFail: cs.Red("FAIL"),
			doctor.StepNotReached: cs.Gray("-   "), doctor.StepNotChecked: cs.Yellow("?   ")}[s.Status]
		detail := s.Detail
		if s.Status == doctor.StepNotReached {
			detail = cs.Gray("not reached")
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %s  %-*s  %s", status, width, s.Check, detail), " "))
		indent := strings.Repeat(" ", 2+4+2+width+2)
		if s.ErrorDescription != nil {
			b, _ := json.Marshal(*s.ErrorDescription)
			fmt.Fprintf(w, "%sserver says: %s\n", indent, b)
		}
		if s.Fix != "" {
			fmt.Fprintf(w, "%sfix: %s\n", indent, s.Fix)
		}
	}
	if out.Fetch != nil {
		for _, warn := range out.Fetch.Warnings {
			fmt.Fprintf(w, "  %s %s\n", cs.Yellow("warning:"), warn)
		}
		if out.Fetch.Set != nil {
			fmt.Fprintf(w, "  %s %s\n", cs.Gray("caching:"), out.Fetch.Caching)
		}
	}
	for _, n := range res.Notes {
		if out.Lint != nil && slices.Contains(out.Lint.Notes, n) {
			continue // the lint report below prints it
		}
		fmt.Fprintf(w, "  %s %s\n", cs.Gray("note:"), n)
	}
	if out.Lint != nil {
		fmt.Fprintf(w, "\n%s\n", cs.Bold("Lint"))
		lintcmd.PrintReport(w, cs, out.Lint)
	}
}

// failedCheck names the failing step by what it checks and its rule ID.
func failedCheck(res *doctor.VerifyResult) string {
	for _, s := range res.Steps {
		if s.ID == res.FailedStep {
			return fmt.Sprintf("step %s failed (%s)", s.ID, s.Check)
		}
	}
	return "step " + res.FailedStep + " failed"
}

// fetchedFrom is the JWKS URL the keys came from, for lint's jku check.
func fetchedFrom(fetched *jwksfetch.Result, jwks string) string {
	if fetched == nil {
		return ""
	}
	return jwks
}
