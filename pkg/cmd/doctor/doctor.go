// Package doctor implements "clientassert doctor".
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/doctor"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
)

// Environment variables that stand in for flags; a flag always wins.
const (
	EnvKey      = "CLIENTASSERT_KEY"
	EnvClientID = "CLIENTASSERT_CLIENT_ID"
	EnvKID      = "CLIENTASSERT_KID"
	EnvJWKSURL  = "CLIENTASSERT_JWKS_URL"
)

var formats = []string{"text", "json", "sarif", "github"}

type DoctorOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Key      string
	ClientID string
	KID      string
	JWKSURL  string
	JWKSPath string
	JKU      string
	Profile  string
	TokenURL string
	Format   string
	Timeout  time.Duration
	CACert   string

	// KeyFromEnv marks Key as the contents of $CLIENTASSERT_KEY rather
	// than a path.
	KeyFromEnv bool
	// PassphraseFile is --passphrase-file, for an encrypted key.
	PassphraseFile string
}

func NewCmdDoctor(f *cmdutil.Factory, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "doctor --key <private> --client-id <id> {--jwks-url <url> | --jwks <file>} [flags]",
		Short: "Prove a key configuration end to end, against the real JWKS URL",
		Long: strings.TrimSpace(`
Check the whole chain the token endpoint walks, with the private key the
client signs with:

  private-key  the key parses, and its type and size fit the profile
  key-set      the registered key set is reachable and well formed
  kid          the kid is in the set and holds this key's public half
               (another entry holding it is named)
  assertion    an assertion signed now passes the full lint with key
               lookup, and the predicted response is 200
  clock        the local clock agrees with the Date header of the JWKS
               server and of --token-url: a warning beyond 5s, a failure
               beyond 10s, the server's tolerance
  jku          a jku, when set with --jku, equals the JWKS URL

Each check passes, warns or fails with a reason and a fix. The --token-url
request is a HEAD without credentials; any answer, a 4xx included, carries
the Date it needs.

Flags can come from the environment instead: CLIENTASSERT_KEY (a key file,
or the PEM or JWK itself, as CI secrets hold it), CLIENTASSERT_CLIENT_ID,
CLIENTASSERT_KID and CLIENTASSERT_JWKS_URL. Flags win.

--format json prints {"ok": ..., "checks": [{"id", "status", "message",
"fix", ...}]}; sarif prints SARIF 2.1.0 for code scanning; github prints a
workflow command (::error or ::warning) per failed or warned check.

Exit status: 0 when no check fails, 1 when one does, 2 when doctor could not
run.`),
		Example: `  # Before a release: the key in the vault against the published key set
  $ clientassert doctor --key key.pem --client-id "$CLIENT_ID" --kid rsa-2026-11 \
      --jwks-url https://example.com/.well-known/jwks.json \
      --token-url https://api.redoxengine.com/v2/auth/token

  # In GitHub Actions, from secrets, with annotations
  $ CLIENTASSERT_KEY="$PRIVATE_KEY" clientassert doctor --client-id "$CLIENT_ID" \
      --jwks-url "$JWKS_URL" --format github

  # Offline, against the key set file you are about to publish
  $ clientassert doctor --key key.pem --client-id "$CLIENT_ID" --jwks jwks.json --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.Errorf("doctor takes no arguments, got %q", args[0]).
					WithHint("give the key with --key, the key set with --jwks-url or --jwks")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fillFromEnv(cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Key, "key", "", "The private key `file` the client signs with (env "+EnvKey+")")
	cmdutil.PassphraseFlag(cmd, &opts.PassphraseFile)
	fl.StringVar(&opts.ClientID, "client-id", "", "The client_id (iss and sub) of the API key (env "+EnvClientID+")")
	fl.StringVar(&opts.KID, "kid", "", "The kid the client sends (env "+EnvKID+"); default: the key's own, or the entry that holds it")
	fl.StringVar(&opts.JWKSURL, "jwks-url", "", "The JWKS `url` registered for the client (env "+EnvJWKSURL+")")
	fl.StringVar(&opts.JWKSPath, "jwks", "", "The registered key set as a JWKS `file`, instead of a URL")
	fl.StringVar(&opts.JKU, "jku", "", "The jku header the client sets, if any, to compare with the JWKS URL")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile")
	fl.StringVar(&opts.TokenURL, "token-url", "", "Also compare the clock with this token endpoint's Date header (a HEAD without credentials)")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", formats...)
	fl.DurationVar(&opts.Timeout, "timeout", jwksfetch.DefaultTimeout, "Give up on each HTTP request after this long")
	cmdutil.CACertFlag(cmd, &opts.CACert)
	return cmd
}

// fillFromEnv applies the environment to unset flags and validates opts.
func fillFromEnv(cmd *cobra.Command, opts *DoctorOptions) error {
	getenv := opts.Factory.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	for _, name := range []string{EnvClientID, EnvKID, EnvJWKSURL} {
		if v := getenv(name); cmdutil.IsPrivateKeyText(v) {
			return cmdutil.Errorf("$%s looks like %s", name, cmdutil.KeyTextKind(v)).
				WithHint("the private key goes in %s; %s holds a %s", EnvKey, name, strings.ToLower(strings.TrimPrefix(name, "CLIENTASSERT_")))
		}
	}
	fl := cmd.Flags()
	if !fl.Changed("key") {
		if v := getenv(EnvKey); strings.TrimSpace(v) != "" {
			opts.Key = v
			opts.KeyFromEnv = looksLikeKeyMaterial(v)
		}
	}
	if !fl.Changed("client-id") {
		opts.ClientID = strings.TrimSpace(getenv(EnvClientID))
	}
	if !fl.Changed("kid") {
		opts.KID = strings.TrimSpace(getenv(EnvKID))
	}
	if !fl.Changed("jwks-url") && !fl.Changed("jwks") {
		opts.JWKSURL = strings.TrimSpace(getenv(EnvJWKSURL))
	}

	switch {
	case opts.Key == "":
		return cmdutil.Errorf("no private key given").WithHint("pass --key with the key file the client signs with, or set %s", EnvKey)
	case opts.ClientID == "":
		return cmdutil.Errorf("no client_id given").WithHint("pass --client-id, or set %s", EnvClientID)
	case opts.JWKSURL == "" && opts.JWKSPath == "":
		return cmdutil.Errorf("no key set given").WithHint("pass --jwks-url with the registered JWKS URL (or set %s), or --jwks with a JWKS file", EnvJWKSURL)
	case opts.JWKSURL != "" && opts.JWKSPath != "":
		return cmdutil.Errorf("--jwks-url and --jwks cannot be used together").WithHint("--jwks-url checks the published key set; --jwks a file")
	case !opts.KeyFromEnv && opts.Key == "-" && opts.JWKSPath == "-":
		return cmdutil.Errorf("the key and the key set cannot both come from stdin")
	case !validFormat(opts.Format):
		return cmdutil.Errorf("invalid --format %q", opts.Format).WithHint("use %s", strings.Join(formats, ", "))
	case opts.Timeout <= 0:
		return cmdutil.Errorf("--timeout must be positive, got %s", opts.Timeout)
	}
	for _, u := range []struct{ flag, value string }{{"--jwks-url", opts.JWKSURL}, {"--token-url", opts.TokenURL}} {
		if u.value == "" {
			continue
		}
		if _, err := jwksfetch.ParseURL(u.value); err != nil {
			fe := err.(*jwksfetch.Error)
			return cmdutil.Errorf("%s: %s", u.flag, fe.Msg).WithHint("%s", fe.Hint)
		}
	}
	if opts.JWKSPath != "" && jwksfetch.IsURL(opts.JWKSPath) {
		return cmdutil.Errorf("--jwks takes a file; %s is a URL", opts.JWKSPath).WithHint("use --jwks-url %s", opts.JWKSPath)
	}
	return nil
}

// looksLikeKeyMaterial tells a key in an environment variable (as CI
// secrets hold it, PEM possibly after openssl's "Bag Attributes" lines)
// from a path to one.
func looksLikeKeyMaterial(v string) bool {
	return cmdutil.KeyTextKind(v) != "" || strings.HasPrefix(strings.TrimSpace(v), "{")
}

func validFormat(f string) bool {
	for _, x := range formats {
		if f == x {
			return true
		}
	}
	return false
}

func doctorRun(opts *DoctorOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	in := doctor.Input{
		ClientID: opts.ClientID, KID: opts.KID, JKU: opts.JKU,
		JWKSURL: opts.JWKSURL, Profile: prof, TokenURL: opts.TokenURL, Now: f.Now,
		Fetch: jwksfetch.Options{Timeout: opts.Timeout, UserAgent: "clientassert/" + orDev(f.Version.Version), Now: f.Now},
	}
	if in.Fetch.RootCAs, err = cmdutil.RootCAs(f, opts.CACert); err != nil {
		return err
	}
	if opts.KeyFromEnv {
		in.KeyData, in.KeyName = []byte(opts.Key), "$"+EnvKey
	} else {
		if in.KeyData, err = cmdutil.ReadKeyInput(f, opts.Key, "private key"); err != nil {
			return err
		}
		in.KeyName = displayName(opts.Key)
	}
	if in.KeyData, err = cmdutil.DecryptKey(f, in.KeyData, in.KeyName, opts.PassphraseFile); err != nil {
		return err
	}
	if opts.JWKSPath != "" {
		if in.JWKSData, err = cmdutil.ReadKeyInput(f, opts.JWKSPath, "key set"); err != nil {
			return err
		}
		in.JWKSName = displayName(opts.JWKSPath)
	}

	report := doctor.Run(context.Background(), in)
	redactURLs(report, opts.JWKSURL, opts.TokenURL, opts.JKU)

	out := opts.IO.Out
	switch opts.Format {
	case "json":
		err = writeJSON(out, report)
	case "sarif":
		err = writeJSON(out, buildSARIF(report, opts, f.Version.Version))
	case "github":
		writeGitHub(out, report)
	default:
		printText(out, opts.IO.ColorScheme(), report)
	}
	if err != nil {
		return err
	}
	if !report.OK {
		return cmdutil.ErrSilentFindings
	}
	return nil
}

// redactURLs hides the userinfo password of every URL given on the
// command line wherever the report repeats it.
func redactURLs(r *doctor.Report, urls ...string) {
	var pairs []string
	for _, u := range urls {
		if red := jwksfetch.RedactURL(u); u != "" && red != u {
			pairs = append(pairs, u, red)
		}
	}
	if len(pairs) == 0 {
		return
	}
	rep := strings.NewReplacer(pairs...)
	r.KeySet = rep.Replace(r.KeySet)
	for i := range r.Checks {
		r.Checks[i].Message = rep.Replace(r.Checks[i].Message)
		r.Checks[i].Fix = rep.Replace(r.Checks[i].Fix)
	}
	for i := range r.Findings {
		r.Findings[i].Message = rep.Replace(r.Findings[i].Message)
		r.Findings[i].Fix = rep.Replace(r.Findings[i].Fix)
	}
}

func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printText(w io.Writer, cs *iostreams.ColorScheme, r *doctor.Report) {
	kid := r.KID
	switch {
	case kid == "":
		kid = "(not given)"
	case r.KIDSource == doctor.KIDFromKeySet:
		kid += " (not given; the key set's entry for this key)"
	case r.KIDSource == doctor.KIDFromKey:
		kid += " (the key's own)"
	}
	fmt.Fprintf(w, "%s client_id %s, kid %s, key set %s, profile %s\n\n", cs.Bold("clientassert doctor:"), r.ClientID, kid, r.KeySet, r.Profile)
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.ID))
	}
	indent := strings.Repeat(" ", 2+4+2+width+2)
	for _, c := range r.Checks {
		var status string
		switch c.Status {
		case doctor.StatusPass:
			status = cs.Green("pass")
		case doctor.StatusWarn:
			status = cs.Yellow("warn")
		default:
			status = cs.Red("FAIL")
		}
		fmt.Fprintf(w, "  %s  %-*s  %s\n", status, width, c.ID, c.Message)
		if c.Fix != "" {
			fmt.Fprintf(w, "%s%s %s\n", indent, cs.Gray("fix:"), c.Fix)
		}
	}
	fails, warns, passes := r.Counts()
	summary := fmt.Sprintf("%d failed, %d warning%s, %d passed", fails, warns, plural(warns), passes)
	switch {
	case fails > 0:
		fmt.Fprintf(w, "\n%s %s\n", cs.Red("FAIL"), summary)
	default:
		fmt.Fprintf(w, "\n%s %s\n", cs.Green("OK"), summary)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeGitHub prints one workflow command per failed or warned check.
func writeGitHub(w io.Writer, r *doctor.Report) {
	for _, c := range r.Checks {
		cmd := "warning"
		switch c.Status {
		case doctor.StatusPass:
			continue
		case doctor.StatusFail:
			cmd = "error"
		}
		msg := c.Message
		if c.Fix != "" {
			msg += "\nfix: " + c.Fix
		}
		fmt.Fprintf(w, "::%s title=%s::%s\n", cmd, escapeProperty("clientassert doctor: "+c.ID), escapeData(msg))
	}
}

// escapeData and escapeProperty follow the workflow command rules: the
// runner decodes %25, %0D and %0A in messages, and also %3A and %2C in
// property values, where ':' and ',' would end the value.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
