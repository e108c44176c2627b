// Package profile describes how a particular token endpoint validates
// client assertions: its URL, accepted algorithms and time windows.
package profile

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

type Profile struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	TokenURL string `json:"token_url"`
	// Issuer is the server's issuer identifier, which some servers also
	// accept as aud.
	Issuer string `json:"issuer,omitempty"`
	// JTI is the server's jti policy.
	JTI         JTIPolicy     `json:"jti"`
	Algorithms  []string      `json:"algorithms"`
	MaxTokenAge time.Duration `json:"max_token_age"`
	Tolerance   time.Duration `json:"clock_tolerance"`
	// MaxLifetime is the longest exp - iat a careful client should use.
	MaxLifetime time.Duration `json:"max_lifetime"`
	// RequireExp and RequireJTI mark claims the profile's spec makes mandatory
	// even though the validating library does not enforce them.
	RequireExp bool `json:"require_exp"`
	RequireJTI bool `json:"require_jti"`
	// StrictSubject makes sub != client_id an error rather than a warning.
	StrictSubject bool `json:"strict_subject"`
	// Region lists sibling token URLs of the same vendor, to explain a wrong region.
	Siblings []string `json:"-"`
	// Wire is how the server writes its answers.
	Wire Wire `json:"-"`
}

var redoxWire = Wire{
	Path:      "/v2/auth/token",
	Style:     JSONCompact,
	Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
	TokenType: "Bearer", ExpiresIn: 300, SendScope: true,
}

var redoxSiblings = []string{
	"https://api.redoxengine.com/v2/auth/token",
	"https://api.ca.redoxengine.com/v2/auth/token",
}

var all = map[string]Profile{
	"redox": {
		Name: "redox", Title: "Redox (US)",
		TokenURL:    "https://api.redoxengine.com/v2/auth/token",
		Algorithms:  []string{"RS384", "ES384"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		Siblings: redoxSiblings, Wire: redoxWire,
	},
	"redox-ca": {
		Name: "redox-ca", Title: "Redox (Canada)",
		TokenURL:    "https://api.ca.redoxengine.com/v2/auth/token",
		Algorithms:  []string{"RS384", "ES384"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		Siblings: redoxSiblings, Wire: redoxWire,
	},
	"smart": {
		Name: "smart", Title: "SMART Backend Services",
		Algorithms:  []string{"RS384", "ES384"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		RequireExp: true, RequireJTI: true, StrictSubject: true,
		Wire: Wire{Path: "/token", Style: JSONCompact, Headers: map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
			TokenType: "bearer", ExpiresIn: 300, SendScope: true},
	},
	"rfc7523": {
		Name: "rfc7523", Title: "Plain RFC 7523",
		Algorithms:  []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		RequireExp: true, StrictSubject: true,
		Wire: Wire{Path: "/token", Style: JSONCompact, Headers: map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
			TokenType: "Bearer", ExpiresIn: 3600},
	},
}

// JTIPolicy says what a server does with jti.
type JTIPolicy string

const (
	// JTIIgnored: the server never reads jti.
	JTIIgnored JTIPolicy = "ignored"
	// JTIRequired: jti must be present; reuse is not detected.
	JTIRequired JTIPolicy = "required"
	// JTIUnique: jti must be present and a reused one is refused while the
	// assertion could still be accepted.
	JTIUnique JTIPolicy = "unique"
)

// Default is the profile used when --profile is not given.
const Default = "redox"

// Names lists the profile names, sorted, for help text and completion.
func Names() []string {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns a named profile with the token URL overridden when aud is set.
// Profiles without a fixed token URL need aud.
func Get(name, aud string) (Profile, error) {
	p, ok := all[strings.ToLower(name)]
	if !ok {
		return Profile{}, fmt.Errorf("unknown profile %q (choose one of: %s)", name, strings.Join(Names(), ", "))
	}
	p.Algorithms = append([]string(nil), p.Algorithms...)
	if aud != "" {
		p.TokenURL = aud
	}
	return p, nil
}

// AllowsAlg reports whether the profile accepts alg.
func (p Profile) AllowsAlg(alg string) bool {
	for _, a := range p.Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}
