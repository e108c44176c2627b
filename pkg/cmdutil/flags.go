package cmdutil

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/profile"
)

// Now reads --now: the given moment, or the factory's clock when empty.
func Now(f *Factory, flag string) (time.Time, error) {
	if flag == "" {
		return f.Now().UTC(), nil
	}
	t, err := ParseTime(flag)
	if err != nil {
		return time.Time{}, Errorf("invalid --now %q", flag).WithHint("use RFC 3339 (2026-11-27T12:00:00Z) or Unix seconds (1795780800)")
	}
	return t, nil
}

// Profile reads --profile, with aud (--aud, --token-url) overriding its token URL.
func Profile(name, aud string) (profile.Profile, error) {
	p, err := profile.Get(name, aud)
	if err != nil {
		return profile.Profile{}, Errorf("unknown profile %q", name).WithHint("choose one of: %s", strings.Join(profile.Names(), ", "))
	}
	return p, nil
}

// EnumFlag defines a string flag whose value is one of values: the help
// shows them as {a|b|c} and shells complete them.
func EnumFlag(cmd *cobra.Command, p *string, name, value, usage string, values ...string) {
	cmd.Flags().StringVar(p, name, value, usage+": {"+strings.Join(values, "|")+"}")
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// ProfileFlag defines --profile with the known profile names.
func ProfileFlag(cmd *cobra.Command, p *string, usage string) {
	EnumFlag(cmd, p, "profile", profile.Default, usage, profile.Names()...)
}
