// Package thumbprint implements "clientassert keys thumbprint".
package thumbprint

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/internal/keyfile"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/keys"
)

type ThumbprintOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	File           string
	KID            string
	Format         string
	PassphraseFile string
}

// Result is the JSON output.
type Result struct {
	Thumbprint string `json:"thumbprint"`
	KID        string `json:"kid,omitempty"`
	Key        string `json:"key"`
}

func NewCmdThumbprint(f *cmdutil.Factory, runF func(*ThumbprintOptions) error) *cobra.Command {
	opts := &ThumbprintOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "thumbprint <key> [--kid <kid>]",
		Short: "Print the RFC 7638 thumbprint of a key",
		Long: strings.TrimSpace(`
Print the RFC 7638 JWK thumbprint (SHA-256, base64url without padding) of a
key, on one line. It is the same for the private and the public half, in any
file format, so it identifies a key across PEM files and JWKS entries.

The input may be any key file (- for stdin). When it holds several keys, as
a JWKS or a PEM bundle can, choose one with --kid. --format json prints
{"thumbprint","kid","key"} instead (kid only when the key has one).`),
		Example: `  $ clientassert keys thumbprint key.pem
  $ clientassert keys thumbprint jwks.json --kid 2026-01
  $ curl -s https://example.com/.well-known/jwks.json | clientassert keys thumbprint - --kid main`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Errorf("expected one key file, got %d", len(args)).WithHint("usage: clientassert keys thumbprint <key> [--kid <kid>]")
			}
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return thumbprintRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.KID, "kid", "", "Choose the key with this kid when the file holds several")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	cmdutil.PassphraseFlag(cmd, &opts.PassphraseFile)
	return cmd
}

func thumbprintRun(opts *ThumbprintOptions) error {
	set, err := keyfile.LoadWithPassphrase(opts.Factory, opts.File, "key", opts.PassphraseFile)
	if err != nil {
		return err
	}
	name := keyfile.Name(opts.File)
	candidates := set.Keys
	if opts.KID != "" {
		candidates = set.ByKID(opts.KID)
	}
	switch {
	case len(set.Keys) == 0:
		return cmdutil.Errorf("%s holds no keys", name)
	case len(candidates) == 0:
		return cmdutil.Errorf("no key with kid %q in %s", opts.KID, name).WithHint("kids in the file: %s", keyfile.Kids(set))
	case len(candidates) > 1 && opts.KID != "":
		return cmdutil.Errorf("%d keys in %s have kid %q", len(candidates), name, opts.KID).
			WithHint("kids must be unique; see clientassert keys check %s", name)
	case len(candidates) > 1:
		return cmdutil.Errorf("%s holds %d keys", name, len(candidates)).WithHint("choose one with --kid; kids in the file: %s", keyfile.Kids(set))
	}
	tp, err := keys.Thumbprint(candidates[0])
	if err != nil {
		return cmdutil.Errorf("cannot compute the thumbprint: %s", err)
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(Result{Thumbprint: tp, KID: candidates[0].KID, Key: candidates[0].Describe()})
	}
	fmt.Fprintln(opts.IO.Out, tp)
	return nil
}
