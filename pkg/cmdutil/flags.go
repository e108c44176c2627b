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
// shows them as {a|b|c}, shells complete them, and any other value is
// refused when the flag is parsed, so no command checks it again.
func EnumFlag(cmd *cobra.Command, p *string, name, value, usage string, values ...string) {
	*p = value
	cmd.Flags().Var(&enumValue{p: p, name: name, values: values}, name, usage+": {"+strings.Join(values, "|")+"}")
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

type enumValue struct {
	p      *string
	name   string
	values []string
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return "string" }

func (e *enumValue) Set(v string) error {
	for _, allowed := range e.values {
		if strings.EqualFold(v, allowed) {
			*e.p = allowed
			return nil
		}
	}
	msg := Errorf("invalid --%s %q", e.name, v)
	if e.name == "profile" {
		msg = Errorf("unknown profile %q", v)
	}
	last := len(e.values) - 1
	return msg.WithHint("use %s or %s", strings.Join(e.values[:last], ", "), e.values[last])
}

// ProfileFlag defines --profile with the known profile names.
func ProfileFlag(cmd *cobra.Command, p *string, usage string) {
	EnumFlag(cmd, p, "profile", profile.Default, usage, profile.Names()...)
}
