// Package root assembles the command tree and maps errors to exit codes.
package root

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clientassert/clientassert/pkg/cmd/build"
	"github.com/clientassert/clientassert/pkg/cmd/completion"
	"github.com/clientassert/clientassert/pkg/cmd/decode"
	"github.com/clientassert/clientassert/pkg/cmd/doctor"
	"github.com/clientassert/clientassert/pkg/cmd/explain"
	"github.com/clientassert/clientassert/pkg/cmd/keys"
	"github.com/clientassert/clientassert/pkg/cmd/lint"
	"github.com/clientassert/clientassert/pkg/cmd/profiles"
	"github.com/clientassert/clientassert/pkg/cmd/request"
	"github.com/clientassert/clientassert/pkg/cmd/serve"
	"github.com/clientassert/clientassert/pkg/cmd/sign"
	"github.com/clientassert/clientassert/pkg/cmd/verify"
	"github.com/clientassert/clientassert/pkg/cmd/version"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Build information, set with -ldflags "-X ...root.buildVersion=..." at release.
var (
	buildVersion = ""
	buildCommit  = ""
	buildDate    = ""
)

// Main runs the CLI with args and returns the exit code. It never panics on
// bad input: a panic is reported as an internal error with exit 2.
func Main(args []string, ios *iostreams.IOStreams) (code int) {
	f := &cmdutil.Factory{
		IOStreams: ios,
		Now:       time.Now,
		Version:   cmdutil.BuildInfo{Version: buildVersion, Commit: buildCommit, Date: buildDate},
		Getenv:    os.Getenv,
	}
	defer func() {
		if r := recover(); r != nil {
			_ = ios.Flush()
			fmt.Fprintf(ios.ErrOut, "clientassert: error: internal error: %s\nhint: please report this at https://github.com/clientassert/clientassert/issues\n", cmdutil.Normalize(fmt.Sprint(r)))
			code = cmdutil.ExitUsage
		}
	}()
	cmd := newCmdRootFor(f, args)
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		plainCompletionDescriptions(cmd)
	}
	cmd.SetArgs(args)
	err := cmd.Execute()
	if ferr := ios.Flush(); ferr != nil && err == nil {
		err = cmdutil.Errorf("cannot write the output: %s", cmdutil.Normalize(ferr.Error()))
	}
	if err != nil {
		var fe *cmdutil.FindingsError
		if !asFindings(err, &fe) || fe.Summary != "" {
			fmt.Fprint(ios.ErrOut, cmdutil.FormatError(err))
		}
	}
	return cmdutil.ExitCode(err)
}

// plainCompletionDescriptions drops the backquotes with which flag usages
// name their value in --help (`<file>`): shells show completion
// descriptions as they are.
func plainCompletionDescriptions(c *cobra.Command) {
	for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
		fs.VisitAll(func(fl *pflag.Flag) { fl.Usage = strings.ReplaceAll(fl.Usage, "`", "") })
	}
	for _, sub := range c.Commands() {
		plainCompletionDescriptions(sub)
	}
}

func asFindings(err error, target **cmdutil.FindingsError) bool {
	fe, ok := err.(*cmdutil.FindingsError)
	if ok {
		*target = fe
	}
	return ok
}

// NewCmdRoot builds the whole command tree around f, as help, completion
// and the documentation generator see it.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := newRootOnly(f)
	for _, sub := range subcommands {
		cmd.AddCommand(sub.build(f))
	}
	return cmd
}

// newCmdRootFor builds only the subcommand args invoke, when that is a plain
// run of one known command; help, completion and anything unrecognised get
// the whole tree.
func newCmdRootFor(f *cmdutil.Factory, args []string) *cobra.Command {
	name := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			name = a
			break
		}
		if a == "--" {
			break
		}
	}
	for _, sub := range subcommands {
		if sub.name == name && !sub.needsTree {
			cmd := newRootOnly(f)
			cmd.AddCommand(sub.build(f))
			// Our own completion command is not in this tree; without this
			// cobra would build its default one on every run.
			cmd.CompletionOptions.DisableDefaultCmd = true
			return cmd
		}
	}
	return NewCmdRoot(f)
}

func newRootOnly(f *cmdutil.Factory) *cobra.Command {
	var noColor bool
	cmd := &cobra.Command{
		Use:   "clientassert",
		Short: "Build, sign, decode and lint OAuth client assertions",
		Long: strings.TrimSpace(`
clientassert checks an OAuth client assertion (the private_key_jwt JWT sent as
client_assertion, RFC 7523) on your machine and tells you which
error_description the token endpoint would answer with, why, and how to fix it.

The default profile is Redox (https://api.redoxengine.com/v2/auth/token).`),
		Example: `  # What will the server say about this token, and why?
  $ clientassert lint "$TOKEN" --client-id "$CLIENT_ID" --jwks jwks.json

  # What does this error mean?
  $ clientassert explain 'JWT header kid property is required'

  # Make a key pair, then a signed assertion and its token request
  $ clientassert keys generate --alg RS384 --private-out key.pem --jwks-out jwks.json
  $ clientassert request --key key.pem --client-id "$CLIENT_ID" --format curl`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if noColor {
				f.IOStreams.SetColorEnabled(false)
			}
			return cmdutil.RefuseKeyText(cmd, args)
		},
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	cmd.PersistentFlags().BoolVar(&noColor, "no-color", false, "Disable colour output (also honoured: NO_COLOR)")
	// --version is ours, not cobra's: cobra prints a custom version line
	// through text/template, and linking template execution keeps every
	// exported method in the binary, which makes every run start slower.
	var showVersion bool
	cmd.Flags().BoolVar(&showVersion, "version", false, "Print the version, commit and build date (as the version command does)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if showVersion {
			fmt.Fprintln(f.IOStreams.Out, version.Line(version.Resolve(f.Version)))
			return nil
		}
		return cmd.Help()
	}
	cmd.SetFlagErrorFunc(cmdutil.FlagError)
	cmd.CompletionOptions.HiddenDefaultCmd = false
	return cmd
}

// subcommand names a top-level command without constructing it. needsTree
// marks commands that read the whole tree (completion scripts).
type subcommand struct {
	name      string
	needsTree bool
	build     func(*cmdutil.Factory) *cobra.Command
}

// subcommands lists the top-level commands in help order. Each name must be
// the first word of the command's Use (TestSubcommandNames checks it).
var subcommands = []subcommand{
	{name: "lint", build: func(f *cmdutil.Factory) *cobra.Command { return lint.NewCmdLint(f, nil) }},
	{name: "decode", build: func(f *cmdutil.Factory) *cobra.Command { return decode.NewCmdDecode(f, nil) }},
	{name: "explain", build: func(f *cmdutil.Factory) *cobra.Command { return explain.NewCmdExplain(f, nil) }},
	{name: "keys", build: keys.NewCmdKeys},
	{name: "build", build: func(f *cmdutil.Factory) *cobra.Command { return build.NewCmdBuild(f, nil) }},
	{name: "sign", build: func(f *cmdutil.Factory) *cobra.Command { return sign.NewCmdSign(f, nil) }},
	{name: "request", build: func(f *cmdutil.Factory) *cobra.Command { return request.NewCmdRequest(f, nil) }},
	{name: "verify", build: func(f *cmdutil.Factory) *cobra.Command { return verify.NewCmdVerify(f, nil) }},
	{name: "serve", build: func(f *cmdutil.Factory) *cobra.Command { return serve.NewCmdServe(f, nil) }},
	{name: "doctor", build: func(f *cmdutil.Factory) *cobra.Command { return doctor.NewCmdDoctor(f, nil) }},
	{name: "profiles", build: func(f *cmdutil.Factory) *cobra.Command { return profiles.NewCmdProfiles(f, nil) }},
	{name: "version", build: func(f *cmdutil.Factory) *cobra.Command { return version.NewCmdVersion(f, nil) }},
	{name: "completion", needsTree: true, build: func(f *cmdutil.Factory) *cobra.Command { return completion.NewCmdCompletion(f, nil) }},
}
