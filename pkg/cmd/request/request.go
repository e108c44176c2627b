// Package request implements "clientassert request".
package request

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/cmd/build"
	"github.com/clientassert/clientassert/pkg/cmd/sign"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

type RequestOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Args     []string
	Format   string
	TokenURL string
	Profile  string
	Now      string

	// Building and signing in one go.
	Key      sign.KeySource
	ClientID string
	KID      string
	Alg      string
	Lifetime string
	JTI      string

	// Send posts the request and compares the answer with the prediction.
	Send bool
}

// buildFlags only make sense when request builds the assertion itself.
var buildFlags = []string{"kid", "alg", "lifetime", "jti"}

func NewCmdRequest(f *cmdutil.Factory, runF func(*RequestOptions) error) *cobra.Command {
	opts := &RequestOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "request [<token> | -] [--format {curl|http|form}] [--token-url <url>] [flags]",
		Short: "Print the token request that sends an assertion",
		Long: strings.TrimSpace(`
Print the complete token request for a client assertion: a POST to the token
URL with Content-Type application/x-www-form-urlencoded and the parameters
grant_type, client_assertion_type and client_assertion, each URL-encoded.

--format curl (the default) prints a curl command line, http the raw HTTP/1.1
request with CRLF line endings and an exact Content-Length, form the body
alone. The http output is what lint --request reads.

The token comes as an argument, or on stdin when absent or "-". With --key and
--client-id instead of a token, request builds and signs the assertion itself
(aud is the token URL), as build | sign would; the kid is then --kid, the
JWK's, or the key's RFC 7638 thumbprint.

The assertion is linted against the token URL; what the server would refuse is
printed on stderr.`),
		Example: `  $ clientassert request "$TOKEN"
  $ clientassert build --client-id 8f14... --kid k1 | clientassert sign --key key.pem | clientassert request --format http
  $ clientassert request --key key.pem --client-id 8f14... | sh
  $ clientassert request "$TOKEN" --format form --token-url https://api.ca.redoxengine.com/v2/auth/token`,
		Args: cmdutil.MaxOneArg("token"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if !slices.Contains(assertion.RequestFormats, opts.Format) {
				return cmdutil.Errorf("invalid --format %q", opts.Format).WithHint("use curl, http or form")
			}
			if err := opts.Key.Validate(cmd); err != nil {
				return err
			}
			building := opts.Key.KeyPath != "" || opts.Key.SecretFile != "" || opts.ClientID != ""
			if building {
				if len(args) > 0 {
					return cmdutil.Errorf("give either a token or --key and --client-id, not both")
				}
				if opts.ClientID == "" {
					return cmdutil.Errorf("--key needs --client-id to build the assertion").
						WithHint("or pass a signed token instead of --key")
				}
				if opts.Key.KeyPath == "" && opts.Key.SecretFile == "" && !strings.HasPrefix(opts.Alg, "HS") {
					return cmdutil.Errorf("--client-id needs --key to sign the assertion").
						WithHint("or pass a signed token instead of --client-id")
				}
			} else {
				for _, name := range buildFlags {
					if cmd.Flags().Changed(name) {
						return cmdutil.Errorf("--%s applies only when request builds the assertion", name).
							WithHint("pass --key and --client-id to build and sign in one go, or set it with build")
					}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return requestRun(opts)
		},
	}
	fl := cmd.Flags()
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "curl", "Output format", assertion.RequestFormats...)
	fl.StringVar(&opts.TokenURL, "token-url", "", "Token endpoint URL (default: the profile's)")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile")
	fl.StringVar(&opts.Now, "now", "", "Build and lint as of this moment: RFC 3339 or Unix seconds (default: the current time)")
	opts.Key.AddFlags(cmd)
	fl.StringVar(&opts.ClientID, "client-id", "", "With --key: build the assertion for this client_id")
	fl.StringVar(&opts.KID, "kid", "", "With --key: key ID for the header (default: the JWK's, else the key's RFC 7638 thumbprint)")
	fl.StringVar(&opts.Alg, "alg", "", "With --key: signing alg (default: the key's): {RS384|ES384|...}")
	fl.StringVar(&opts.Lifetime, "lifetime", "", "With --key: exp - iat (default 5m)")
	fl.StringVar(&opts.JTI, "jti", "", "With --key: JWT ID (default: 128 random bits in hex)")
	fl.BoolVar(&opts.Send, "send", false, "Post the request to the token URL and compare the answer with the prediction")
	_ = cmd.RegisterFlagCompletionFunc("alg", cobra.FixedCompletions(assertion.SignAlgs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func requestRun(opts *RequestOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, opts.TokenURL)
	if err != nil {
		return err
	}
	if prof.TokenURL == "" {
		return cmdutil.Errorf("the %s profile has no token URL", prof.Name).WithHint("pass --token-url")
	}
	now, err := cmdutil.Now(f, opts.Now)
	if err != nil {
		return err
	}
	cs := opts.IO.ColorScheme()

	var tok string
	var warnings []assertion.Warning
	if opts.ClientID != "" {
		lifetime, err := build.ParseLifetime(opts.Lifetime)
		if err != nil {
			return err
		}
		a, w, err := assertion.Build(assertion.BuildOptions{Profile: prof, ClientID: opts.ClientID, KID: opts.KID,
			Alg: opts.Alg, Aud: prof.TokenURL, Lifetime: lifetime, Now: now, JTI: opts.JTI})
		if err != nil {
			return build.UsageError(err)
		}
		warnings = w
		var notes []sign.Note
		if tok, notes, err = sign.SignAssertion(f, a, &opts.Key, opts.KID, opts.Alg, prof); err != nil {
			return err
		}
		sign.PrintNotes(opts.IO.ErrOut, cs, notes)
	} else {
		if tok, _, err = cmdutil.ReadToken(f, opts.Args); err != nil {
			return err
		}
		if strings.ContainsAny(tok, " \t\r\n") {
			return cmdutil.Errorf("the token contains white space").WithHint("pass one compact token (header.payload.signature)")
		}
		if !cmdutil.LooksLikeJWT(tok) {
			return cmdutil.Errorf("the token is not a JWT: a compact token is three base64url parts joined by dots").
				WithHint("pass the signed assertion itself, or a file that holds it, or build one with --key and --client-id")
		}
		warnings = assertion.CheckToken(tok, prof, "", now)
	}
	req, err := assertion.NewTokenRequest(prof.TokenURL, tok)
	if err != nil {
		return build.UsageError(err)
	}
	if opts.Send {
		return sendRequest(opts, prof, req, now)
	}
	out, _ := req.Format(opts.Format)
	if opts.Format == "http" && opts.IO.IsStdoutTTY() {
		out += "\n" // for the prompt's sake; piped output stays byte-exact
	}
	fmt.Fprint(opts.IO.Out, out)
	build.PrintWarnings(opts.IO.ErrOut, cs, "assertion", warnings)
	return nil
}
