package check

import (
	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmd/keys/jwks"
	"github.com/clientassert/clientassert/pkg/cmdutil"
)

func newJWKS(f *cmdutil.Factory) *cobra.Command { return jwks.NewCmdJWKS(f, nil) }
