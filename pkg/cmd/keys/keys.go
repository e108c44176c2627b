// Package keys implements the "clientassert keys" command group.
package keys

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/check"
	"github.com/clientassert/clientassert/pkg/cmd/keys/generate"
	"github.com/clientassert/clientassert/pkg/cmd/keys/jwks"
	"github.com/clientassert/clientassert/pkg/cmd/keys/thumbprint"
	"github.com/clientassert/clientassert/pkg/cmdutil"
)

func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "keys <command>",
		SuggestionsMinimumDistance: 2,
		Short:                      "Generate key pairs, build and check JWKS, compute thumbprints",
		Long: strings.TrimSpace(`
Work with the keys behind a client assertion: make a key pair and the JWKS to
register with the server, turn key files of any common format into a public
JWKS, print RFC 7638 thumbprints, and check a JWKS before you publish it.

Key files may be PEM (PKCS#1, PKCS#8, SEC1, SPKI or an X.509 certificate,
several blocks per file allowed), a JWK, or a JWKS. Pass - to read stdin.`),
		Example: `  $ clientassert keys generate --alg RS384 --private-out key.pem --jwks-out jwks.json
  $ clientassert keys jwks key.pem other.pem > jwks.json
  $ clientassert keys thumbprint key.pem
  $ clientassert keys check jwks.json --key key.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				e := cmdutil.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					e.WithHint("did you mean '%s %s'?", cmd.CommandPath(), s[0])
				}
				return e.WithHint("run '%s --help' for the list of commands", cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(
		generate.NewCmdGenerate(f, nil),
		jwks.NewCmdJWKS(f, nil),
		thumbprint.NewCmdThumbprint(f, nil),
		check.NewCmdCheck(f, nil),
	)
	return cmd
}
