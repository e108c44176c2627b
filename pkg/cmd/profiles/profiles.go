// Package profiles implements "clientassert profiles".
package profiles

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	"github.com/clientassert/clientassert/pkg/profile"
)

type ProfilesOptions struct {
	IO     *iostreams.IOStreams
	Format string
}

func NewCmdProfiles(f *cmdutil.Factory, runF func(*ProfilesOptions) error) *cobra.Command {
	opts := &ProfilesOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "profiles [--format {text|json}]",
		Short: "List the server models --profile can choose",
		Long: strings.TrimSpace(`
List every server model: what it accepts as aud, its algorithms, clock
tolerance and jti policy, and what it was verified against. A model verified
against a real server predicts that server's exact bytes; a rule set ("rules
only") names the error code and the rule, never a description.`),
		Example: `  $ clientassert profiles
  $ clientassert profiles --format json | jq '.[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return profilesRun(opts)
		},
	}
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	return cmd
}

func profilesRun(opts *ProfilesOptions) error {
	var list []profile.Summary
	for _, p := range profile.All() {
		list = append(list, p.Summarize())
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	cs := opts.IO.ColorScheme()
	var b strings.Builder
	for i, s := range list {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s  %s\n", cs.Bold(s.Name), s.Title)
		fmt.Fprintf(&b, "  verified against  %s\n", s.VerifiedAgainst)
		fmt.Fprintf(&b, "  token URL         %s\n", s.TokenURL)
		fmt.Fprintf(&b, "  aud               %s\n", s.Audience)
		fmt.Fprintf(&b, "  algorithms        %s\n", strings.Join(s.Algorithms, ", "))
		fmt.Fprintf(&b, "  clock tolerance   %ds\n", s.ClockToleranceS)
		fmt.Fprintf(&b, "  jti               %s\n", s.JTI)
	}
	_, err := fmt.Fprint(opts.IO.Out, b.String())
	return err
}
