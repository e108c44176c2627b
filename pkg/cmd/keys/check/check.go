// Package check implements "clientassert keys check".
package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/keyfile"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/keys"
)

type CheckOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	JWKS    string
	Key     string
	Format  string
	Profile string
}

func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "check <jwks> [--key <private>] [--format {text|json}]",
		Short: "Check a JWKS before you publish or paste it",
		Long: strings.TrimSpace(`
Check a JWKS (or a single JWK) for what makes a token endpoint reject it or
what should never be published: missing or duplicate kids, private members,
RSA keys that are too small or too large or have a small exponent, a use,
key_ops or alg that forbids verifying, a curve that does not fit its alg, a
key that can verify none of the --profile's algs, and any entry that makes
the server's JOSE library refuse the whole set.

With --key, also find the entry that holds the public half of that private
key; no such entry is an error, because assertions signed with the key
would fail to verify.

Exit status: 0 when nothing of error severity was found, 1 when something
was (the report is printed either way), 2 when the input cannot be read.`),
		Example: `  $ clientassert keys check jwks.json
  $ clientassert keys check jwks.json --key key.pem
  $ curl -s https://example.com/jwks.json | clientassert keys check - --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Errorf("expected one JWKS file, got %d", len(args)).WithHint("usage: clientassert keys check <jwks> [--key <private>]")
			}
			opts.JWKS = args[0]
			if opts.JWKS == "-" && opts.Key == "-" {
				return cmdutil.Errorf("the JWKS and --key cannot both come from stdin")
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Key, "key", "", "Also find the entry matching this private key `<file>`")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile whose algs every key must be able to verify")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	return cmd
}

// Match says which entry holds the public half of --key.
type Match struct {
	KID   string `json:"kid"`
	Index int    `json:"index"`
}

// Report is the JSON output.
type Report struct {
	OK       bool           `json:"ok"`
	Problems []keys.Problem `json:"problems"`
	Match    *Match         `json:"match"`
	Keys     []*keys.Key    `json:"keys"`
}

func checkRun(opts *CheckOptions) error {
	name := keyfile.Name(opts.JWKS)
	set, err := keyfile.Load(opts.Factory, opts.JWKS, "key set")
	if err != nil {
		return err
	}
	if len(set.Keys) > 0 && set.Keys[0].Format != keys.FormatJWKS && set.Keys[0].Format != keys.FormatJWK {
		return cmdutil.Errorf("%s is a %s, not a JWKS", name, set.Keys[0].Format).
			WithHint("make a JWKS from it first: clientassert keys jwks %s > jwks.json", name)
	}

	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	problems := keys.CheckForAlgs(set, prof.Algorithms)
	var match *Match
	var priv *keys.Key
	if opts.Key != "" {
		if priv, err = loadPrivate(opts); err != nil {
			return err
		}
		found := keys.Match(set, priv)
		if len(found) == 0 {
			tp, _ := keys.Thumbprint(priv)
			problems = append(problems, keys.Problem{
				Rule: keys.RuleNoMatch, Severity: keys.SeverityError, Index: -1,
				Message: fmt.Sprintf("no key in %s is the public half of %s (%s, thumbprint %s); assertions signed with it will not verify",
					name, keyfile.Name(opts.Key), priv.Describe(), tp),
				Fix: fmt.Sprintf("add its public half (clientassert keys jwks %s), or sign with the key this JWKS was made from", keyfile.Name(opts.Key)),
			})
		} else {
			match = &Match{KID: found[0].KID, Index: found[0].Index}
		}
	}

	ok := !keys.HasErrors(problems)
	if opts.Format == "json" {
		rep := Report{OK: ok, Problems: problems, Match: match, Keys: set.Keys}
		if rep.Problems == nil {
			rep.Problems = []keys.Problem{}
		}
		if rep.Keys == nil {
			rep.Keys = []*keys.Key{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(opts.IO.Out, opts.IO.ColorScheme(), name, set, problems, match, priv, opts.Key)
	}
	if !ok {
		return &cmdutil.FindingsError{}
	}
	return nil
}

// loadPrivate reads --key, which must hold exactly one usable key.
func loadPrivate(opts *CheckOptions) (*keys.Key, error) {
	set, err := keyfile.Load(opts.Factory, opts.Key, "key")
	if err != nil {
		return nil, err
	}
	name := keyfile.Name(opts.Key)
	if len(set.Keys) != 1 {
		return nil, cmdutil.Errorf("--key %s holds %d keys; expected one private key", name, len(set.Keys)).
			WithHint("pass the private key you sign with, e.g. key.pem")
	}
	k := set.Keys[0]
	if k.Public == nil && k.Secret == nil {
		return nil, cmdutil.Errorf("--key %s is a %s, which this tool cannot match", name, k.Describe())
	}
	return k, nil
}

func printReport(w io.Writer, cs *iostreams.ColorScheme, name string, set *keys.Set, problems []keys.Problem, match *Match, priv *keys.Key, privName string) {
	fmt.Fprintf(w, "%s: %d %s\n", name, len(set.Keys), plural(len(set.Keys), "key", "keys"))
	for _, k := range set.Keys {
		fmt.Fprintf(w, "  %s\n", describe(k))
	}
	if len(problems) > 0 {
		fmt.Fprintln(w)
	}
	counts := map[string]int{}
	for _, p := range problems {
		counts[p.Severity]++
		fmt.Fprintf(w, "%s %s: %s\n", pad(cs.Severity(p.Severity), p.Severity, 8), cs.Bold(p.Rule), p.Message)
		fmt.Fprintf(w, "%s %s %s\n", strings.Repeat(" ", 8), cs.Gray("fix:"), p.Fix)
	}
	if match != nil {
		who := fmt.Sprintf("key %d", match.Index)
		if match.KID != "" {
			who += fmt.Sprintf(" (kid %q)", match.KID)
		}
		fmt.Fprintf(w, "\n%s %s holds the public half of %s\n", cs.Green("match:"), who, keyfile.Name(privName))
		if alg, err := keys.AlgFor(priv); err == nil {
			if ok, why := set.Keys[match.Index].SupportsVerify(alg); !ok {
				fmt.Fprintf(w, "%s it cannot verify %s: %s\n", cs.Yellow("but:"), alg, why)
			}
		}
	}
	fmt.Fprintln(w)
	switch {
	case counts["error"] > 0:
		fmt.Fprintf(w, "%s %d %s, %d %s\n", cs.Red("FAIL"), counts["error"], plural(counts["error"], "error", "errors"),
			counts["warning"], plural(counts["warning"], "warning", "warnings"))
	case counts["warning"] > 0:
		fmt.Fprintf(w, "%s with %d %s\n", cs.Green("OK"), counts["warning"], plural(counts["warning"], "warning", "warnings"))
	default:
		fmt.Fprintf(w, "%s no problems found\n", cs.Green("OK"))
	}
}

func describe(k *keys.Key) string {
	parts := []string{fmt.Sprintf("key %d", k.Index)}
	if k.KID != "" {
		parts = append(parts, fmt.Sprintf("kid %q", k.KID))
	} else {
		parts = append(parts, "no kid")
	}
	parts = append(parts, k.Describe())
	if k.Use != "" {
		parts = append(parts, "use "+keys.Printable(k.Use))
	}
	if k.Alg != "" {
		parts = append(parts, "alg "+keys.Printable(k.Alg))
	}
	if k.KeyOps != nil {
		parts = append(parts, "key_ops ["+keys.Printable(strings.Join(k.KeyOps, ","))+"]")
	}
	if k.HasPrivate {
		parts = append(parts, "PRIVATE")
	}
	return strings.Join(parts, "  ")
}

// pad right-pads a possibly coloured word to width by its plain length.
func pad(painted, plain string, width int) string {
	if n := width - len(plain); n > 0 {
		return painted + strings.Repeat(" ", n)
	}
	return painted
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
