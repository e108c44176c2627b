// Package completion implements "clientassert completion": cobra's shell
// completion scripts, under a command that follows the house style.
package completion

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Shells lists the shells a script can be generated for.
var Shells = []string{"bash", "zsh", "fish", "powershell"}

type CompletionOptions struct {
	IO *iostreams.IOStreams

	Shell          string
	NoDescriptions bool
	// Root is the command tree the script completes.
	Root *cobra.Command
}

func NewCmdCompletion(f *cmdutil.Factory, runF func(*CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "completion {bash|zsh|fish|powershell}",
		Short: "Print the shell completion script",
		Long: strings.TrimSpace(`
Print a script that completes clientassert's commands, flags and flag values
(--profile, --format, --alg) in your shell. Load it once per session, or
install it where your shell looks for completions:

  bash        source <(clientassert completion bash)
              or write it to /etc/bash_completion.d/clientassert
              (needs the bash-completion package)
  zsh         clientassert completion zsh > "${fpath[1]}/_clientassert"
              (compinit must be enabled)
  fish        clientassert completion fish > ~/.config/fish/completions/clientassert.fish
  powershell  clientassert completion powershell | Out-String | Invoke-Expression
              (add it to $PROFILE to keep it)`),
		Example: `  $ source <(clientassert completion bash)
  $ clientassert completion zsh > "${fpath[1]}/_clientassert"
  $ clientassert completion fish --no-descriptions > ~/.config/fish/completions/clientassert.fish`,
		ValidArgs: Shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Errorf("%s needs exactly one shell", cmd.CommandPath()).
					WithHint("choose one of: %s", strings.Join(Shells, ", "))
			}
			for _, s := range Shells {
				if args[0] == s {
					return nil
				}
			}
			return cmdutil.Errorf("unsupported shell %q", args[0]).WithHint("choose one of: %s", strings.Join(Shells, ", "))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell = args[0]
			opts.Root = cmd.Root()
			if runF != nil {
				return runF(opts)
			}
			return completionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoDescriptions, "no-descriptions", false, "Complete without the one-line descriptions")
	return cmd
}

func completionRun(opts *CompletionOptions) error {
	out, desc := opts.IO.Out, !opts.NoDescriptions
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(out, desc)
	case "zsh":
		if desc {
			return opts.Root.GenZshCompletion(out)
		}
		return opts.Root.GenZshCompletionNoDesc(out)
	case "fish":
		return opts.Root.GenFishCompletion(out, desc)
	default:
		if desc {
			return opts.Root.GenPowerShellCompletionWithDesc(out)
		}
		return opts.Root.GenPowerShellCompletion(out)
	}
}
