// Package generate implements "clientassert keys generate".
package generate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/keys"
)

type GenerateOptions struct {
	IO *iostreams.IOStreams

	Alg        string
	Bits       int
	KID        string
	PrivateOut string
	JWKSOut    string
	Force      bool
	Format     string

	// Rand is the entropy source; tests may replace it.
	Rand io.Reader
}

// writePending writes one pending file; tests make it fail.
var writePending = writeTemp

// Result is the JSON output: where the files went and the key's names.
type Result struct {
	Alg        string `json:"alg"`
	Key        string `json:"key"`
	KID        string `json:"kid"`
	Thumbprint string `json:"thumbprint"`
	PrivateOut string `json:"private_out"`
	JWKSOut    string `json:"jwks_out"`
}

// DefaultBits is the RSA modulus size when --bits is not given.
const DefaultBits = 2048

func NewCmdGenerate(f *cmdutil.Factory, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{IO: f.IOStreams, Rand: rand.Reader}
	cmd := &cobra.Command{
		Use:   "generate --alg {RS384|ES384} --private-out <file> --jwks-out <file> [--bits <n>] [--kid <kid>] [--force]",
		Short: "Make a new key pair and the JWKS to register",
		Long: strings.TrimSpace(`
Generate a signing key pair for client assertions.

The private key is written as PKCS#8 PEM with mode 0600; keep it secret and
never commit it. The public key is written as a JWKS holding one key with
kid, kty, use "sig" and alg: paste it into the Redox dashboard, or host it at
your JWKS URL.

--alg RS384 makes an RSA key (--bits 2048, 3072 or 4096; default 2048).
--alg ES384 makes an EC P-384 key. The kid defaults to the key's RFC 7638
thumbprint. Existing files are never overwritten without --force.

Both files are written to temporary files first and renamed into place only
when both are complete, so a failure leaves neither behind.

Nothing is printed on stdout; the kid and the next step go to stderr. With
--format json, stdout gets {"alg","key","kid","thumbprint","private_out",
"jwks_out"} instead.`),
		Example: `  $ clientassert keys generate --alg RS384 --private-out key.pem --jwks-out jwks.json
  $ clientassert keys generate --alg RS384 --bits 3072 --kid 2026-01 --private-out key.pem --jwks-out jwks.json
  $ clientassert keys generate --alg ES384 --private-out ec.pem --jwks-out jwks.json --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Alg {
			case "RS384", "ES384":
			case "":
				return cmdutil.Errorf("--alg is required").WithHint("use --alg RS384 (RSA) or --alg ES384 (EC P-384)")
			default:
				e := cmdutil.Errorf("invalid --alg %q", opts.Alg)
				if up := strings.ToUpper(opts.Alg); up == "RS384" || up == "ES384" {
					return e.WithHint("did you mean --alg %s?", up)
				}
				return e.WithHint("use RS384 or ES384")
			}
			if cmd.Flags().Changed("bits") {
				if opts.Alg != "RS384" {
					return cmdutil.Errorf("--bits applies only to --alg RS384").WithHint("an ES384 key is always P-384; drop --bits")
				}
				if opts.Bits != 2048 && opts.Bits != 3072 && opts.Bits != 4096 {
					return cmdutil.Errorf("invalid --bits %d", opts.Bits).WithHint("use 2048, 3072 or 4096")
				}
			} else {
				opts.Bits = DefaultBits
			}
			if opts.PrivateOut == "" || opts.JWKSOut == "" {
				return cmdutil.Errorf("--private-out and --jwks-out are required").
					WithHint("for example: --private-out key.pem --jwks-out jwks.json")
			}
			if filepath.Clean(opts.PrivateOut) == filepath.Clean(opts.JWKSOut) {
				return cmdutil.Errorf("--private-out and --jwks-out are the same file %s", opts.PrivateOut)
			}
			if opts.PrivateOut == "-" || opts.JWKSOut == "-" {
				return cmdutil.Errorf("cannot write to stdout with -").WithHint("name files; the private key must never pass through a pipe")
			}
			if runF != nil {
				return runF(opts)
			}
			return generateRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Alg, "alg", "", "Signing alg of the new key: {RS384|ES384}")
	cmd.Flags().IntVar(&opts.Bits, "bits", DefaultBits, "RSA modulus size for RS384: {2048|3072|4096}")
	cmd.Flags().StringVar(&opts.KID, "kid", "", "Key ID (default: the RFC 7638 thumbprint)")
	cmd.Flags().StringVar(&opts.PrivateOut, "private-out", "", "Write the private key (PKCS#8 PEM, mode 0600) to `<file>`")
	cmd.Flags().StringVar(&opts.JWKSOut, "jwks-out", "", "Write the public JWKS to `<file>`")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "Overwrite existing files")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	_ = cmd.RegisterFlagCompletionFunc("alg", cobra.FixedCompletions([]string{"RS384", "ES384"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("bits", cobra.FixedCompletions([]string{"2048", "3072", "4096"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func generateRun(opts *GenerateOptions) error {
	// Refuse before doing anything if either file is in the way, so a
	// failure never leaves one new file next to one old one.
	for _, path := range []string{opts.PrivateOut, opts.JWKSOut} {
		if err := checkTarget(path, opts.Force); err != nil {
			return err
		}
	}

	priv, err := newKey(opts)
	if err != nil {
		return cmdutil.Errorf("cannot generate key: %s", cmdutil.Normalize(err.Error()))
	}
	k, err := keys.FromPrivate(priv)
	if err != nil {
		return err
	}
	thumbprint, err := keys.Thumbprint(k)
	if err != nil {
		return err
	}
	k.KID = opts.KID
	if k.KID == "" {
		k.KID = thumbprint
	}
	k.Use, k.Alg = "sig", opts.Alg

	privPEM, err := keys.PrivatePEM(k)
	if err != nil {
		return err
	}
	jwks, err := keys.EncodeJWKS([]map[string]any{k.PublicJWK()})
	if err != nil {
		return err
	}
	if err := writeBoth(opts, []pending{
		{path: opts.PrivateOut, data: privPEM, perm: 0o600},
		{path: opts.JWKSOut, data: jwks, perm: 0o644},
	}); err != nil {
		return err
	}

	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(Result{Alg: opts.Alg, Key: k.Describe(), KID: k.KID, Thumbprint: thumbprint, PrivateOut: opts.PrivateOut, JWKSOut: opts.JWKSOut})
	}

	cs := opts.IO.ColorScheme()
	w := opts.IO.ErrOut
	fmt.Fprintf(w, "%s %s key pair for %s\n", cs.Green("Generated"), k.Describe(), opts.Alg)
	fmt.Fprintf(w, "  private key  %s (PKCS#8 PEM, mode 0600: keep it secret, never commit it)\n", opts.PrivateOut)
	fmt.Fprintf(w, "  public JWKS  %s\n", opts.JWKSOut)
	fmt.Fprintf(w, "  kid          %s\n", cs.Bold(k.KID))
	fmt.Fprintf(w, "\n%s paste the contents of %s into the public key settings of your OAuth API key in the Redox dashboard (then Save Changes), or host it at your JWKS URL.\n", cs.Bold("Next:"), opts.JWKSOut)
	fmt.Fprintf(w, "Sign assertions with alg %s and kid %q in the JWT header.\n", opts.Alg, k.KID)
	return nil
}

// pending is a file generate writes.
type pending struct {
	path string
	data []byte
	perm os.FileMode
	tmp  string
}

// writeBoth writes every file to a temporary file beside its target, and
// renames them into place only when all are written: a failure on the way
// removes the temporary files and leaves the targets as they were.
func writeBoth(opts *GenerateOptions, files []pending) error {
	defer func() {
		for _, f := range files {
			if f.tmp != "" {
				os.Remove(f.tmp)
			}
		}
	}()
	for i := range files {
		tmp, err := writePending(filepath.Dir(files[i].path), files[i].data, files[i].perm)
		if err != nil {
			return cmdutil.Errorf("cannot write %s: %s", files[i].path, cmdutil.Normalize(err.Error()))
		}
		files[i].tmp = tmp
	}
	for i, f := range files {
		if err := checkTarget(f.path, opts.Force); err != nil {
			return err // appeared while the key was being made
		}
		if err := os.Rename(f.tmp, f.path); err != nil {
			for _, done := range files[:i] {
				os.Remove(done.path)
			}
			return cmdutil.Errorf("cannot write %s: %s", f.path, cmdutil.Normalize(err.Error()))
		}
		files[i].tmp = ""
	}
	return nil
}

// writeTemp writes data to a new hidden file in dir with mode perm.
func writeTemp(dir string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := os.CreateTemp(dir, ".clientassert-*")
	if err != nil {
		return "", errors.Unwrap(err)
	}
	name := tmp.Name()
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// checkTarget refuses a path that exists (unless force), is a directory, or
// sits in a directory that does not exist.
func checkTarget(path string, force bool) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return cmdutil.Errorf("%s is a directory", path).WithHint("name a file, e.g. %s", filepath.Join(path, "key.pem"))
	case err == nil && !force:
		return cmdutil.Errorf("%s already exists", path).WithHint("pass --force to overwrite it, or choose another path")
	case err == nil:
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return cmdutil.Errorf("cannot write %s: directory %s does not exist", path, dir)
	}
	return nil
}

func newKey(opts *GenerateOptions) (crypto.Signer, error) {
	if opts.Alg == "ES384" {
		return ecdsa.GenerateKey(elliptic.P384(), opts.Rand)
	}
	return rsa.GenerateKey(opts.Rand, opts.Bits)
}
