// Package version implements "clientassert version".
package version

import (
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

type VersionOptions struct {
	IO     *iostreams.IOStreams
	Build  cmdutil.BuildInfo
	Format string
}

func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams, Build: f.Version}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		Example: `  $ clientassert version
  $ clientassert version --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	return cmd
}

func versionRun(opts *VersionOptions) error {
	info := Resolve(opts.Build)
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintln(opts.IO.Out, Line(info))
	return nil
}

// Line is the one-line version text that both "version" and "--version"
// print.
func Line(info cmdutil.BuildInfo) string {
	return fmt.Sprintf("clientassert %s (commit %s, built %s)", info.Version, info.Commit, info.Date)
}

// Resolve fills what the linker did not stamp from the Go build info, so a
// plain "go install" still reports something useful.
func Resolve(b cmdutil.BuildInfo) cmdutil.BuildInfo {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}
