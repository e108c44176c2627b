// Package assertion builds client assertions (RFC 7523 private_key_jwt JWTs),
// signs them into compact JWS, and lays out the token request that carries
// one. Builds are checked with the lint rules so that output the server
// would refuse is reported before anyone sends it.
package assertion

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/redact"
	"github.com/clientassert/clientassert/pkg/token"
)

// OmitMember is the top-level member of build output that lists header
// members and claims left out on purpose. sign honours it (it does not add
// an omitted alg, kid or typ back) and never signs it.
const OmitMember = "x-clientassert-omit"

// DefaultLifetime is exp - iat when no lifetime is given.
const DefaultLifetime = 5 * time.Minute

// Assertion is the output of Build and the input of Sign: a JOSE header and
// a claims set, each in the order it will be serialised.
type Assertion struct {
	Header Object `json:"header"`
	Claims Object `json:"claims"`
	// Omitted names what was left out on purpose.
	Omitted []string `json:"x-clientassert-omit,omitempty"`
}

// OmittedName reports whether name was left out on purpose.
func (a *Assertion) OmittedName(name string) bool { return slices.Contains(a.Omitted, name) }

// BuildOptions is everything build can be told. Zero values mean defaults.
type BuildOptions struct {
	Profile  profile.Profile
	ClientID string // iss and sub
	KID      string
	Alg      string
	Aud      string        // default: the profile's token URL
	Lifetime time.Duration // exp - iat; default 5m, or the original's with From
	Now      time.Time
	JTI      string // default: 128 random bits in hex
	// Claims and Headers are "name=value" pairs; the value is JSON when it
	// parses as JSON, else a string. They win over every default.
	Claims  []string
	Headers []string
	// Omit names header members or claims to leave out.
	Omit []string
	// From is a compact token whose header and claims are kept and re-timed.
	From string
	Rand io.Reader // for jti; default crypto/rand
}

// Warning is something about the built assertion that the server would
// refuse (ServerRefuses, with the error_description it would send) or that
// clientassert advises against.
type Warning struct {
	Rule             string `json:"rule"`
	Severity         string `json:"severity"` // "error" or "warning", as lint rates it
	Message          string `json:"message"`
	ServerRefuses    bool   `json:"server_refuses"`
	ErrorDescription string `json:"error_description,omitempty"`
	// Predicted marks the one finding whose error_description the server
	// would actually answer with: the first failing check in its order.
	Predicted bool `json:"predicted,omitempty"`
}

// headerFirst is the order build writes the standard header members in.
var headerFirst = []string{"alg", "kid", "typ"}

// signerAdds are header members sign fills in when they are absent, unless
// they were omitted on purpose.
var signerAdds = map[string]bool{"alg": true, "kid": true, "typ": true}

// Build makes an assertion from opts, or re-creates opts.From at opts.Now,
// and lints it. Errors are bad options; warnings describe a deliberate or
// accidental fault in the output.
func Build(opts BuildOptions) (*Assertion, []Warning, error) {
	claims, err := parsePairs("--claim", opts.Claims)
	if err != nil {
		return nil, nil, err
	}
	headers, err := parsePairs("--header", opts.Headers)
	if err != nil {
		return nil, nil, err
	}
	if err := checkConflicts(opts, claims, headers); err != nil {
		return nil, nil, err
	}
	if opts.Lifetime < 0 || opts.Lifetime > 0 && opts.Lifetime < time.Second {
		return nil, nil, errorf("--lifetime must be at least 1s, got %s", opts.Lifetime).
			hint("to reproduce an expired assertion, build it with --now in the past")
	}

	var a *Assertion
	var dropped []string
	if opts.From != "" {
		if a, dropped, err = fromToken(opts); err != nil {
			return nil, nil, err
		}
	} else {
		if a, err = fresh(opts); err != nil {
			return nil, nil, err
		}
	}
	for _, m := range headers {
		a.Header.Set(m.Name, m.Value)
	}
	for _, m := range claims {
		a.Claims.Set(m.Name, m.Value)
	}
	if opts.From != "" {
		// What the original lacked stays lacking: sign must not add it back.
		for _, name := range headerFirst {
			if !a.Header.Has(name) {
				a.Omitted = append(a.Omitted, name)
			}
		}
	}
	for _, name := range opts.Omit {
		inHeader := a.Header.Delete(name)
		inClaims := a.Claims.Delete(name)
		if !inHeader && !inClaims && !signerAdds[name] && !slices.Contains(a.Omitted, name) {
			return nil, nil, errorf("--omit %s: the assertion has no header member or claim %q", name, name).
				hint("header members: %s; claims: %s", names(a.Header), names(a.Claims))
		}
		if !slices.Contains(a.Omitted, name) {
			a.Omitted = append(a.Omitted, name)
		}
	}
	warnings := Check(a, opts.Profile, opts.ClientID, opts.Now)
	if len(dropped) > 0 {
		warnings = append([]Warning{{Rule: "private-key-in-token", Severity: string(lint.SeverityError),
			Message: fmt.Sprintf("--from: the token carries a private key; dropped %s from the new assertion (treat the key as leaked and rotate it)",
				strings.Join(dropped, ", "))}}, warnings...)
	}
	return a, warnings, nil
}

func fresh(opts BuildOptions) (*Assertion, error) {
	if opts.ClientID == "" {
		return nil, errorf("no client_id: --client-id is required").
			hint("or re-create an existing assertion with --from <token>")
	}
	aud := opts.Aud
	if aud == "" {
		aud = opts.Profile.TokenURL
	}
	if aud == "" && !slices.Contains(opts.Omit, "aud") {
		return nil, errorf("the %s profile has no token URL to use as aud", opts.Profile.Name).
			hint("pass --aud with the token endpoint's URL")
	}
	jti, err := jtiFor(opts)
	if err != nil {
		return nil, err
	}
	lifetime := opts.Lifetime
	if lifetime == 0 {
		lifetime = DefaultLifetime
	}
	iat := opts.Now.Unix()
	a := &Assertion{}
	if opts.Alg != "" {
		a.Header.Set("alg", jsonString(opts.Alg))
	}
	if opts.KID != "" {
		a.Header.Set("kid", jsonString(opts.KID))
	}
	a.Header.Set("typ", jsonString("JWT"))
	id := jsonString(opts.ClientID)
	a.Claims = Object{
		{"iss", id},
		{"sub", id},
		{"aud", jsonString(aud)},
		{"iat", jsonInt(iat)},
		{"exp", jsonInt(iat + int64(math.Ceil(lifetime.Seconds())))},
		{"jti", jsonString(jti)},
	}
	return a, nil
}

// fromToken keeps the header and claims of opts.From, moves its times to
// opts.Now, and applies the options that were given explicitly.
// Private members of any JWK in it are dropped and listed in dropped.
func fromToken(opts BuildOptions) (a *Assertion, dropped []string, err error) {
	raw, _ := token.Extract(opts.From)
	tok := token.Parse(raw)
	if len(tok.Segments) != 3 {
		n := len(tok.Segments)
		return nil, nil, errorf("--from: the token has %d part%s; a signed JWT has 3", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	headerJSON, droppedHeader := redact.JSON(tok.HeaderJSON, redact.Drop)
	header, err := ParseObject(headerJSON)
	if err != nil {
		return nil, nil, errorf("--from: cannot read the token's header: %s", err)
	}
	payloadJSON, droppedClaims := redact.JSON(tok.PayloadJSON, redact.Drop)
	claims, err := ParseObject(payloadJSON)
	if err != nil {
		return nil, nil, errorf("--from: cannot read the token's claims: %s", err)
	}
	for _, d := range droppedHeader {
		dropped = append(dropped, "header."+d)
	}
	for _, d := range droppedClaims {
		dropped = append(dropped, "claims."+d)
	}
	a = &Assertion{Header: header, Claims: claims}
	retime(&a.Claims, opts.Now, opts.Lifetime)

	if opts.Alg != "" {
		a.Header.SetAt(0, "alg", jsonString(opts.Alg))
	}
	if opts.KID != "" {
		a.Header.SetAt(a.Header.index("alg")+1, "kid", jsonString(opts.KID))
	}
	if opts.ClientID != "" {
		a.Claims.Set("iss", jsonString(opts.ClientID))
		a.Claims.Set("sub", jsonString(opts.ClientID))
	}
	if opts.Aud != "" {
		a.Claims.Set("aud", jsonString(opts.Aud))
	}
	if opts.JTI != "" {
		a.Claims.Set("jti", jsonString(opts.JTI))
	}
	return a, dropped, nil
}

// retime shifts iat, nbf and exp so that iat is now, keeping the gaps
// between them, their unit (a millisecond iat stays in milliseconds) and any
// fraction. A given lifetime sets exp instead. Times that are not numbers
// are left as they are: they are the fault being reproduced.
func retime(claims *Object, now time.Time, lifetime time.Duration) {
	iat, iatOK := claims.Number("iat")
	unit := 1.0
	if iatOK && math.Abs(iat) > 1e11 {
		unit = 1000
	}
	nowUnit := float64(now.Unix())
	if unit == 1000 {
		nowUnit = float64(now.UnixMilli())
	}
	if iatOK {
		delta := nowUnit - math.Floor(iat)
		for _, name := range []string{"iat", "nbf", "exp"} {
			if v, ok := claims.Number(name); ok {
				claims.Set(name, jsonNumber(v+delta))
			}
		}
	} else {
		if _, ok := claims.Number("nbf"); ok {
			claims.Set("nbf", jsonNumber(nowUnit))
		}
		if exp, ok := claims.Number("exp"); ok && lifetime == 0 {
			expUnit := 1.0
			if math.Abs(exp) > 1e11 {
				expUnit = 1000
			}
			claims.Set("exp", jsonNumber(float64(now.Unix())*expUnit+DefaultLifetime.Seconds()*expUnit))
		}
	}
	if lifetime > 0 {
		base := nowUnit
		if v, ok := claims.Number("iat"); ok {
			base = v
		}
		claims.Set("exp", jsonNumber(base+math.Ceil(lifetime.Seconds())*unit))
	}
}

func jsonNumber(f float64) json.RawMessage {
	return strconv.AppendFloat(nil, f, 'f', -1, 64)
}

func jtiFor(opts BuildOptions) (string, error) {
	if opts.JTI != "" {
		return opts.JTI, nil
	}
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", errorf("cannot make a random jti: %s", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// pair is a parsed --claim or --header.
type pair = Member

func parsePairs(flag string, list []string) ([]pair, error) {
	var out []pair
	seen := map[string]bool{}
	for _, item := range list {
		name, value, ok := strings.Cut(item, "=")
		if !ok || name == "" {
			return nil, errorf("%s %q: expected name=value", flag, item).
				hint(`the value is JSON when it parses (n=3, ok=true, aud='["a","b"]'), else a string`)
		}
		if seen[name] {
			return nil, errorf("%s %s is given more than once", flag, name)
		}
		seen[name] = true
		out = append(out, pair{Name: name, Value: ParseValue(value)})
	}
	return out, nil
}

// checkConflicts refuses options that say two different things about one
// member.
func checkConflicts(opts BuildOptions, claims, headers []pair) error {
	has := func(list []pair, name string) bool {
		return slices.ContainsFunc(list, func(p pair) bool { return p.Name == name })
	}
	setBy := []struct {
		flag, name string
		set        bool
		list       []pair
		listFlag   string
	}{
		{"--kid", "kid", opts.KID != "", headers, "--header"},
		{"--alg", "alg", opts.Alg != "", headers, "--header"},
		{"--aud", "aud", opts.Aud != "", claims, "--claim"},
		{"--jti", "jti", opts.JTI != "", claims, "--claim"},
		{"--lifetime", "exp", opts.Lifetime != 0, claims, "--claim"},
	}
	for _, s := range setBy {
		if s.set && has(s.list, s.name) {
			return errorf("%s and %s %s= both set %s", s.flag, s.listFlag, s.name, s.name).WithHintf("give only one")
		}
		if s.set && slices.Contains(opts.Omit, s.name) {
			return errorf("%s and --omit %s contradict each other", s.flag, s.name)
		}
	}
	for _, name := range opts.Omit {
		if name == "" {
			return errorf("--omit needs a name")
		}
		if has(claims, name) || has(headers, name) {
			return errorf("--omit %s contradicts the value given for it", name).
				hint("to send a wrong value keep --claim/--header; to leave it out keep --omit")
		}
	}
	for _, p := range claims {
		if has(headers, p.Name) && signerAdds[p.Name] {
			return errorf("%s is given both as --claim and --header", p.Name).
				hint("%s belongs in the header", p.Name)
		}
	}
	return nil
}

func names(o Object) string {
	if len(o) == 0 {
		return "(none)"
	}
	var out []string
	for _, m := range o {
		out = append(out, m.Name)
	}
	return strings.Join(out, ", ")
}

// Check lints an unsigned assertion and returns what the server would refuse
// and what lint advises against. Members that sign will add (alg, kid, typ,
// unless omitted) are assumed present; the signature is not checked.
func Check(a *Assertion, prof profile.Profile, clientID string, now time.Time) []Warning {
	header := a.Header.Clone()
	if !header.Has("alg") && !a.OmittedName("alg") && len(prof.Algorithms) > 0 {
		header.SetAt(0, "alg", jsonString(prof.Algorithms[0]))
	}
	if !header.Has("kid") && !a.OmittedName("kid") {
		header.SetAt(1, "kid", jsonString("kid-chosen-by-sign"))
	}
	if !header.Has("typ") && !a.OmittedName("typ") {
		header.Set("typ", jsonString("JWT"))
	}
	claims := a.Claims
	if claims == nil {
		claims = Object{}
	}
	enc := base64.RawURLEncoding
	tok := enc.EncodeToString(header.AppendCompact(nil)) + "." + enc.EncodeToString(claims.AppendCompact(nil)) + "."
	return checkInput(lint.Input{Token: tok, Profile: prof, ClientID: clientID, Now: now, Unsigned: true})
}

// CheckToken lints a compact token without key material and turns its
// error and warning findings into warnings.
func CheckToken(tok string, prof profile.Profile, clientID string, now time.Time) []Warning {
	return checkInput(lint.Input{Token: tok, Profile: prof, ClientID: clientID, Now: now})
}

func checkInput(in lint.Input) []Warning {
	report := lint.Lint(in)
	var out []Warning
	predicted := false
	for _, f := range report.Findings {
		if f.Severity == lint.SeverityInfo {
			continue
		}
		w := Warning{Rule: f.Rule, Severity: string(f.Severity), Message: f.Message,
			ServerRefuses: f.ServerCheck, ErrorDescription: f.ErrorDescription}
		if !predicted && report.Predicted.Status != 200 && f.ServerCheck &&
			f.Rule == report.Predicted.Rule && f.ErrorDescription == report.Predicted.ErrorDescription {
			w.Predicted, predicted = true, true
		}
		out = append(out, w)
	}
	return out
}

// Error is a problem with the options or input, worded for the command line.
type Error struct {
	Msg   string
	Hints []string
}

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

func (e *Error) hint(format string, args ...any) *Error {
	e.Hints = append(e.Hints, fmt.Sprintf(format, args...))
	return e
}

// WithHintf is hint for callers outside the package.
func (e *Error) WithHintf(format string, args ...any) *Error { return e.hint(format, args...) }
