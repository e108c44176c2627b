// Package sign implements "clientassert sign".
package sign

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/assertion"
	"github.com/clientassert/clientassert/pkg/cmd/build"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
)

// SecretEnv is the environment variable an HMAC secret may come from.
const SecretEnv = "CLIENTASSERT_SECRET"

type SignOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	InputPath string
	Key       KeySource
	KID       string
	Alg       string
	Profile   string
}

// KeySource is where a signing key comes from: --key, or for HMAC
// --secret-file or the environment. Secret holds a refused --secret flag.
type KeySource struct {
	KeyPath        string
	SecretFile     string
	Secret         string
	PassphraseFile string
}

// AddFlags registers --key, --secret-file and the refused --secret.
func (ks *KeySource) AddFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&ks.KeyPath, "key", "", "Read the private key from `<file>`: PEM (PKCS#1, PKCS#8, SEC1), a private JWK, or a JWKS (pick with --kid)")
	fl.StringVar(&ks.SecretFile, "secret-file", "", "Read the HMAC secret for HS256/384/512 from `<file>` (else $"+SecretEnv+")")
	fl.StringVar(&ks.Secret, "secret", "", "Refused: a secret on the command line leaks")
	cmdutil.PassphraseFlag(cmd, &ks.PassphraseFile)
	_ = fl.MarkHidden("secret")
}

// Validate refuses a secret given as a flag value, and two key sources.
func (ks *KeySource) Validate(cmd *cobra.Command) error {
	if cmd.Flags().Changed("secret") {
		return cmdutil.Errorf("--secret is refused: a secret on the command line leaks into shell history and process lists").
			WithHint("put it in a file readable only by you and pass --secret-file <file>, or set %s", SecretEnv)
	}
	if ks.KeyPath != "" && ks.SecretFile != "" {
		return cmdutil.Errorf("--key and --secret-file cannot be used together").
			WithHint("--key is a private key for RS/PS/ES algs; --secret-file an HMAC secret for HS algs")
	}
	return nil
}

// Given reports whether any key source was named on the command line or in
// the environment.
func (ks *KeySource) Given(f *cmdutil.Factory) bool {
	return ks.KeyPath != "" || ks.SecretFile != "" || getenv(f, SecretEnv) != ""
}

func NewCmdSign(f *cmdutil.Factory, runF func(*SignOptions) error) *cobra.Command {
	opts := &SignOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "sign [<file> | -] --key <file> [--kid <kid>] [--alg <alg>] [flags]",
		Short: "Sign build output or a claims JSON into a compact JWT",
		Long: strings.TrimSpace(`
Sign the output of build, or a bare claims JSON object, and print the compact
token on one line. The input comes from the file argument, or stdin when absent
or "-".

The alg is, in order: --alg, the header's alg, the key's: RS384 for an RSA key,
ES384 for an EC P-384 key (ES256 or ES512 for the other curves), HS384 for a
secret. A key that cannot sign the alg is an error.

The kid is, in order: --kid, the kid of the JWK, the header's kid, and else
the key's RFC 7638 thumbprint (the kid keys generate gives a key), which sign
names on stderr. A shared secret has no default kid. build's --omit kid
leaves kid out on purpose. With a JWKS, --kid (or the header's kid) also picks
the key.

HMAC secrets come from --secret-file or the ` + SecretEnv + ` environment
variable, never from a flag value. A trailing line ending in the file is not
part of the secret.`),
		Example: `  $ clientassert build --client-id 8f14... --kid rsa-2026-11 | clientassert sign --key key.pem
  $ clientassert sign claims.json --key ec.pem --kid ec-2026-11
  $ clientassert sign build.json --key private-jwks.json --kid rsa-2026-11
  $ ` + SecretEnv + `=... clientassert sign claims.json --alg HS384 --kid shared-1`,
		Args: cmdutil.MaxOneArg("input file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.InputPath = args[0]
			}
			if err := opts.Key.Validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return signRun(opts)
		},
	}
	opts.Key.AddFlags(cmd)
	cmd.Flags().StringVar(&opts.KID, "kid", "", "Key ID for the header; with a JWKS, also the key to use")
	cmd.Flags().StringVar(&opts.Alg, "alg", "", "Signing alg: {RS384|ES384|RS256|RS512|PS256|PS384|PS512|ES256|ES512|HS256|HS384|HS512}")
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile whose algs to expect")
	_ = cmd.RegisterFlagCompletionFunc("alg", cobra.FixedCompletions(assertion.SignAlgs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func signRun(opts *SignOptions) error {
	f := opts.Factory
	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	data, err := cmdutil.ReadInput(f, opts.InputPath, "assertion")
	if err != nil {
		return err
	}
	a, err := assertion.ParseInput(data)
	if err != nil {
		return build.UsageError(err)
	}
	tok, warnings, err := SignAssertion(f, a, &opts.Key, opts.KID, opts.Alg, prof)
	if err != nil {
		return err
	}
	PrintNotes(opts.IO.ErrOut, opts.IO.ColorScheme(), warnings)
	fmt.Fprintln(opts.IO.Out, tok)
	return nil
}

// Note is a line sign prints on stderr next to the token: a warning about
// the key or alg, or (Info) a default it chose.
type Note struct {
	Text string
	Info bool
}

func warning(format string, args ...any) Note {
	return Note{Text: fmt.Sprintf(format, args...)}
}

// SignAssertion loads the key and signs a, returning the token and the notes
// about the key, alg and kid.
func SignAssertion(f *cmdutil.Factory, a *assertion.Assertion, ks *KeySource, kid, alg string, prof profile.Profile) (string, []Note, error) {
	headerKID, _ := a.Header.String("kid")
	pickBy := kid
	if pickBy == "" {
		pickBy = headerKID
	}
	key, err := ks.Load(f, pickBy, alg)
	if err != nil {
		return "", nil, err
	}
	var notes []Note
	effective, source, err := assertion.ChooseAlg(a, key, alg)
	if err != nil {
		return "", nil, build.UsageError(err)
	}
	if err := assertion.CanSign(key, effective); err != nil {
		return "", nil, build.UsageError(err)
	}
	if !prof.AllowsAlg(effective) {
		if source == "key" {
			what := "this " + key.Describe() + " key"
			if key.Kty == "oct" {
				what = "an HMAC secret"
			}
			return "", nil, cmdutil.Errorf("the %s profile does not accept %s, the alg of %s", prof.Name, effective, what).
				WithHint("it accepts %s; use a key for one of those, or pass --alg %s to sign anyway", strings.Join(prof.Algorithms, " or "), effective)
		}
		notes = append(notes, warning("the %s profile accepts %s, not %s: the server would answer \"alg not whitelisted\"", prof.Name, strings.Join(prof.Algorithms, " or "), effective))
	}
	if key.Kty == "RSA" && key.Bits < 2048 {
		notes = append(notes, warning("the key is %s; use at least 2048 bits", key.Describe()))
	}
	if key.Kty == "oct" && len(key.Secret) < assertionHashSize(effective) {
		notes = append(notes, warning("the secret is %d bytes; %s needs at least %d (RFC 7518 section 3.2)", len(key.Secret), effective, assertionHashSize(effective)))
	}
	if kid != "" && a.OmittedName("kid") {
		notes = append(notes, warning("the header gets no kid, not even --kid %q: the input leaves kid out on purpose (%s)", kid, assertion.OmitMember))
	}
	chosen := kid
	if chosen == "" {
		chosen = key.KID
	}
	if chosen != "" && headerKID != "" && chosen != headerKID && !a.OmittedName("kid") {
		from := "--kid"
		if kid == "" {
			from = "the key's kid"
		}
		notes = append(notes, warning("the header's kid %q was replaced by %q from %s", headerKID, chosen, from))
	}
	if kid == "" && key.KID == "" && key.Kty != "oct" && !a.Header.Has("kid") && !a.OmittedName("kid") {
		if thumbprint, err := keys.Thumbprint(key); err == nil {
			kid = thumbprint
			notes = append(notes, Note{Info: true, Text: fmt.Sprintf("no kid given: the header's kid is the key's RFC 7638 thumbprint %s (the kid keys generate gives it); pass --kid to choose another", thumbprint)})
		}
	}
	tok, err := assertion.Sign(a, key, kid, effective)
	if err != nil {
		return "", nil, build.UsageError(err)
	}
	return tok, notes, nil
}

func assertionHashSize(alg string) int {
	switch alg {
	case "HS256":
		return 32
	case "HS384":
		return 48
	case "HS512":
		return 64
	}
	return 0
}

// PrintNotes writes sign's notes, one line each.
func PrintNotes(w io.Writer, cs *iostreams.ColorScheme, notes []Note) {
	for _, n := range notes {
		label := cs.Yellow("warning:")
		if n.Info {
			label = cs.Gray("note:")
		}
		fmt.Fprintf(w, "clientassert: %s %s\n", label, n.Text)
	}
}

// Load returns the signing key: from --key (a JWKS entry picked by kid, or
// the only private key in it), else an HMAC secret from --secret-file or the
// environment. alg, when it is an HS alg, asks for the secret.
func (ks *KeySource) Load(f *cmdutil.Factory, kid, alg string) (*keys.Key, error) {
	switch {
	case ks.KeyPath != "":
		return loadKeyFile(f, ks.KeyPath, kid, ks.PassphraseFile)
	case ks.SecretFile != "":
		data, err := cmdutil.ReadKeyInput(f, ks.SecretFile, "secret file")
		if err != nil {
			return nil, err
		}
		secret := bytes.TrimRight(data, "\r\n")
		if len(secret) == 0 {
			return nil, cmdutil.Errorf("the secret file %s is empty", ks.SecretFile)
		}
		return assertion.SecretKey(secret), nil
	case getenv(f, SecretEnv) != "":
		return assertion.SecretKey([]byte(getenv(f, SecretEnv))), nil
	}
	e := cmdutil.Errorf("no signing key given").WithHint("pass --key <file> with the private key (PEM or private JWK)")
	if strings.HasPrefix(alg, "HS") {
		e = cmdutil.Errorf("no secret for %s", alg).WithHint("pass --secret-file <file>, or set %s", SecretEnv)
	}
	return nil, e
}

func loadKeyFile(f *cmdutil.Factory, path, kid, passphraseFile string) (*keys.Key, error) {
	data, err := cmdutil.ReadKeyInput(f, path, "key")
	if err != nil {
		return nil, err
	}
	if data, err = cmdutil.DecryptKey(f, data, path, passphraseFile); err != nil {
		return nil, err
	}
	set, err := keys.Parse(data)
	if err != nil {
		return nil, cmdutil.Errorf("cannot read key %s: %s", path, cmdutil.Normalize(err.Error())).
			WithHint("give a private key: PEM (PKCS#1, PKCS#8 or SEC1), a private JWK, or a JWKS with --kid")
	}
	if len(set.Keys) == 1 {
		return set.Keys[0], nil
	}
	if kid != "" {
		matches := set.ByKID(kid)
		switch len(matches) {
		case 0:
			return nil, cmdutil.Errorf("no key in %s has kid %q", path, kid).WithHint("it holds: %s", describeKIDs(set))
		case 1:
			return matches[0], nil
		}
		return nil, cmdutil.Errorf("%d keys in %s have kid %q", len(matches), path, kid).WithHint("give each key its own kid")
	}
	var private []*keys.Key
	for _, k := range set.Keys {
		if k.HasPrivate {
			private = append(private, k)
		}
	}
	if len(private) == 1 {
		return private[0], nil
	}
	return nil, cmdutil.Errorf("%s holds %d keys: choose one with --kid", path, len(set.Keys)).WithHint("it holds: %s", describeKIDs(set))
}

func describeKIDs(set *keys.Set) string {
	var out []string
	for _, k := range set.Keys {
		label := k.Describe()
		if k.KID != "" {
			label = fmt.Sprintf("%q (%s)", k.KID, label)
		}
		if !k.HasPrivate {
			label += " public only"
		}
		out = append(out, label)
	}
	return strings.Join(out, ", ")
}

func getenv(f *cmdutil.Factory, name string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(name)
}
