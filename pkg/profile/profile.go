// Package profile holds the server models: for each token endpoint, how it
// validates a client assertion (its ordered steps and the exact answer each
// one sends), its numbers (algorithms, audience rule, clock tolerance, jti
// policy) and how it writes its answers on the wire.
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
	// MaxExpAhead, when set, is how far exp may lie ahead of now.
	MaxExpAhead time.Duration   `json:"-"`
	Aud         AudRule         `json:"-"`
	IatFuture   IatFuturePolicy `json:"-"`
	// Steps is the server's validation, in its order.
	Steps []Step `json:"-"`
	// Form is how the server reads the request body.
	Form FormRules `json:"-"`
	// Grants are the grant types the server handles besides
	// client_credentials; any other is unknown to it.
	Grants []string `json:"-"`
	// ClientFrom names where the server takes the client's identity from.
	ClientFrom ClientSource `json:"-"`
	// Presence is when a claim counts as present.
	Presence Presence `json:"-"`
	// Kidless is how the server picks a key when the header names none.
	Kidless KidlessLookup `json:"-"`
	// NonStringKid is what the server does with a kid that is not a string.
	NonStringKid NonStringKid `json:"-"`
	// LoadsWholeKeySet: the server loads every entry of the registered key
	// set before it looks for the kid, and fails on any broken one.
	LoadsWholeKeySet bool `json:"-"`
	// KeyUseSig makes a key without "use": "sig" unusable for signatures.
	KeyUseSig bool `json:"-"`
	// MinRSABits is the smallest RSA key the server's crypto verifies with.
	MinRSABits int `json:"-"`
	// ZeroTimesSkipped: a time claim of 0 is not checked (Go's zero value).
	ZeroTimesSkipped bool `json:"-"`
	// JTIStoreAfter is the step after which a server that refuses replays
	// records the jti: it is kept when no step up to and including it
	// fails. JTIKeepAfterExp and JTIKeepFor say how long it is kept: until
	// exp plus the first, or for the second from now.
	JTIStoreAfter   string        `json:"-"`
	JTIKeepAfterExp time.Duration `json:"-"`
	JTIKeepFor      time.Duration `json:"-"`
	// Verified is the real server the model is proven against by a
	// differential test; nil for a rule set with no single server.
	Verified *Verified `json:"-"`
	// Region lists sibling token URLs of the same vendor, to explain a wrong region.
	Siblings []string `json:"-"`
	// Wire is how the server writes its answers.
	Wire Wire `json:"-"`
}

var redoxWire = Wire{
	Path:      "/v2/auth/token",
	Style:     JSONCompact,
	Headers:   map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"},
	TokenType: "Bearer", ExpiresIn: 300, Scope: ScopeAlways,
}

var redoxSiblings = []string{
	"https://api.redoxengine.com/v2/auth/token",
	"https://api.ca.redoxengine.com/v2/auth/token",
}

func redox(name, title, tokenURL string) Profile {
	return Profile{
		Name: name, Title: title, TokenURL: tokenURL, JTI: JTIIgnored,
		Algorithms:  []string{"RS384", "ES384"},
		MaxTokenAge: 300 * time.Second, Tolerance: 10 * time.Second, MaxLifetime: 300 * time.Second,
		Aud: AudTokenURL, IatFuture: IatFutureJose,
		Steps:      redoxSteps(),
		Form:       FormRules{OtherTypes: BodyRefused, MissingType: BodyRefused, Repeated: RepeatedList},
		ClientFrom: ClientFromIss, Presence: PresenceKey, NonStringKid: KidLookedUp, LoadsWholeKeySet: true,
		Verified: &Verified{Server: "panva/jose", Version: "2.0.7"},
		Siblings: redoxSiblings, Wire: redoxWire,
	}
}

var builders = map[string]func() Profile{
	"redox": func() Profile { return redox("redox", "Redox (US)", "https://api.redoxengine.com/v2/auth/token") },
	"redox-ca": func() Profile {
		return redox("redox-ca", "Redox (Canada)", "https://api.ca.redoxengine.com/v2/auth/token")
	},
	"smart":         smart,
	"oidc-provider": oidcProvider,
	"hydra":         hydra,
	"authlib":       authlib,
	"rfc7523":       rfc7523,
}

// Default is the profile used when --profile is not given.
const Default = "redox"

// Names lists the profile names, sorted, for help text and completion.
func Names() []string {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns every profile, by name.
func All() []Profile {
	var out []Profile
	for _, n := range Names() {
		out = append(out, builders[n]())
	}
	return out
}

// Get returns a named profile with the token URL overridden when aud is set.
// Profiles without a fixed token URL need aud.
func Get(name, aud string) (Profile, error) {
	build, ok := builders[strings.ToLower(name)]
	if !ok {
		return Profile{}, fmt.Errorf("unknown profile %q (choose one of: %s)", name, strings.Join(Names(), ", "))
	}
	p := build()
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
