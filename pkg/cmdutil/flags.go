package cmdutil

import (
	"strings"
	"time"

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
