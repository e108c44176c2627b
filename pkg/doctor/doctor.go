// Package doctor proves a client's key configuration end to end, the way the
// token endpoint walks it: the private key, the registered key set, the kid,
// a freshly signed assertion, the clock, and the jku. It also holds Verify,
// which walks the same chain for a token someone already has.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// Status of a check.
type Status string

const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// Check ids, in the order they run. They are a contract: never rename one.
const (
	CheckPrivateKey = "private-key"
	CheckKeySet     = "key-set"
	CheckKID        = "kid"
	CheckAssertion  = "assertion"
	CheckClock      = "clock"
	CheckJKU        = "jku"
)

// CheckInfo describes one check for help text and SARIF rules.
type CheckInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Checks lists every check in the order they run.
func Checks() []CheckInfo {
	return []CheckInfo{
		{CheckPrivateKey, "Private key",
			"The private key parses, and its type and size fit the algorithms the profile accepts."},
		{CheckKeySet, "Registered key set",
			"The registered key set (JWKS URL or file) is reachable and well formed: kids, key types, use, key_ops, alg, no private members."},
		{CheckKID, "kid",
			"The kid is in the key set and its public key is the public half of the private key."},
		{CheckAssertion, "Fresh assertion",
			"An assertion built and signed now passes the full lint with key lookup, and the predicted response is 200."},
		{CheckClock, "Clock",
			"The local clock agrees with the Date header of the JWKS server and of the token URL within the server's tolerance."},
		{CheckJKU, "jku",
			"A jku header, when one is set, equals the registered JWKS URL."},
	}
}

// Check is the outcome of one check.
type Check struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	// Skipped marks a check that could not run because an earlier one
	// failed; it is reported as a warning so the earlier failure stands out.
	Skipped bool `json:"skipped,omitempty"`
}

// Input is everything doctor needs. The key material comes as bytes: the
// command reads the files, doctor judges what they hold.
type Input struct {
	KeyData []byte
	KeyName string // for messages: the file name, or "$CLIENTASSERT_KEY"

	ClientID string
	KID      string // empty: take it from the key, or find it in the key set
	JKU      string

	// Either JWKSURL, or JWKSData with JWKSName.
	JWKSURL  string
	JWKSData []byte
	JWKSName string

	Profile  profile.Profile
	TokenURL string // probed for its Date when set

	Fetch jwksfetch.Options
	Now   func() time.Time
}

// Where Report.KID came from.
const (
	KIDGiven      = "given"
	KIDFromKey    = "key"
	KIDFromKeySet = "key-set"
)

// jwksCommand is the command that prints the public half of the key under
// kid, for a fix. A key that came from the environment has no file name.
func jwksCommand(keyName, kid string) string {
	if keyName == "" || strings.HasPrefix(keyName, "$") {
		keyName = "<key-file>"
	} else if strings.ContainsAny(keyName, " '\"$") {
		keyName = "'" + strings.ReplaceAll(keyName, "'", `'\''`) + "'"
	}
	if strings.ContainsAny(kid, " '\"$") {
		kid = "'" + strings.ReplaceAll(kid, "'", `'\''`) + "'"
	}
	return "clientassert keys jwks " + keyName + " --kid " + kid
}

// Report is the result of Run.
type Report struct {
	OK       bool    `json:"ok"`
	Checks   []Check `json:"checks"`
	ClientID string  `json:"client_id"`
	KID      string  `json:"kid,omitempty"`
	// KIDSource says where KID came from: "given" (--kid or the
	// environment), "key" (the private JWK's own kid) or "key-set" (the
	// entry that holds the key's public half, when no kid was given).
	KIDSource string `json:"kid_source,omitempty"`
	Profile   string `json:"profile"`
	// KeySet is the JWKS URL or file checked.
	KeySet    string            `json:"key_set"`
	Fetch     *jwksfetch.Result `json:"jwks_fetch,omitempty"`
	Probe     *jwksfetch.Probe  `json:"token_url_probe,omitempty"`
	Predicted *lint.Response    `json:"predicted_response,omitempty"`
	Now       time.Time         `json:"now"`
	Findings  []lint.Finding    `json:"assertion_findings,omitempty"`
	Problems  []keys.Problem    `json:"key_set_problems,omitempty"`
	Skews     []ClockComparison `json:"clock,omitempty"`

	set  *keys.Set
	priv *keys.Key
	alg  string
}

// ClockComparison is one server's Date against the local clock.
type ClockComparison struct {
	Server     string    `json:"server"`
	ServerDate time.Time `json:"server_date"`
	// SkewSeconds is how far the server's clock is ahead of the local one;
	// negative when the local clock is ahead.
	SkewSeconds float64 `json:"skew_seconds"`
}

// Counts returns how many checks failed and warned.
func (r *Report) Counts() (fails, warns, passes int) {
	for _, c := range r.Checks {
		switch c.Status {
		case StatusFail:
			fails++
		case StatusWarn:
			warns++
		default:
			passes++
		}
	}
	return
}

func (r *Report) add(id string, status Status, msg, fix string) *Check {
	title := id
	for _, info := range Checks() {
		if info.ID == id {
			title = info.Title
		}
	}
	r.Checks = append(r.Checks, Check{ID: id, Title: title, Status: status, Message: msg, Fix: fix})
	c := &r.Checks[len(r.Checks)-1]
	return c
}

func (r *Report) skip(id, why string) {
	c := r.add(id, StatusWarn, "not checked: "+why, "")
	c.Skipped = true
}

// Run performs every check and never stops early: a check that depends on
// a failed one is reported as skipped.
func Run(ctx context.Context, in Input) *Report {
	if in.Now == nil {
		in.Now = time.Now
	}
	if in.Fetch.Now == nil {
		in.Fetch.Now = in.Now
	}
	r := &Report{ClientID: in.ClientID, KID: in.KID, Profile: in.Profile.Name, Now: in.Now().UTC().Truncate(time.Second)}
	r.KeySet = in.JWKSURL
	if r.KeySet == "" {
		r.KeySet = in.JWKSName
	}
	r.checkPrivateKey(in)
	r.checkKeySet(ctx, in)
	r.checkKID(in)
	r.checkAssertion(in)
	r.checkClock(ctx, in)
	r.checkJKU(in)
	fails, _, _ := r.Counts()
	r.OK = fails == 0
	return r
}

func (r *Report) checkPrivateKey(in Input) {
	name := in.KeyName
	set, err := keys.Parse(in.KeyData)
	if err != nil {
		fix := "give the PEM (PKCS#1, PKCS#8 or SEC1) or JWK of the private key the client signs with"
		switch msg := err.Error(); {
		case strings.Contains(msg, "encrypted private key"):
			fix = "decrypt it first: openssl pkey -in KEY -out plain.pem"
		case strings.Contains(msg, "binary DER"):
			fix = "convert it to PEM: openssl pkey -inform DER -in KEY -out key.pem"
		}
		r.add(CheckPrivateKey, StatusFail, fmt.Sprintf("cannot parse %s: %s", name, err), fix)
		return
	}
	if len(set.Keys) != 1 {
		r.add(CheckPrivateKey, StatusFail, fmt.Sprintf("%s holds %d keys; doctor needs the one private key the client signs with", name, len(set.Keys)),
			"pass a file with only the signing key")
		return
	}
	k := set.Keys[0]
	if !k.HasPrivate || k.Private == nil {
		what := "a public key"
		if k.Kty == "oct" {
			what = "a shared secret"
		}
		r.add(CheckPrivateKey, StatusFail, fmt.Sprintf("%s holds %s (%s), not a private key", name, what, k.Describe()),
			"pass the private key the client signs with; the public half belongs in the key set")
		return
	}
	alg, err := keys.AlgFor(k)
	if err != nil {
		r.add(CheckPrivateKey, StatusFail, fmt.Sprintf("%s is an %s private key: %s", name, k.Describe(), err),
			"generate an RSA or EC P-384 key: clientassert keys generate --alg ES384")
		return
	}
	if !in.Profile.AllowsAlg(alg) {
		r.add(CheckPrivateKey, StatusFail,
			fmt.Sprintf("%s is an %s private key, which signs %s; the %s profile accepts %s", name, k.Describe(), alg, in.Profile.Name, strings.Join(in.Profile.Algorithms, " or ")),
			"generate a key the server accepts: clientassert keys generate --alg "+in.Profile.Algorithms[len(in.Profile.Algorithms)-1])
		return
	}
	r.priv, r.alg = k, alg
	tp, _ := keys.Thumbprint(k)
	desc := fmt.Sprintf("%s is an %s private key (%s, thumbprint %s); it signs %s, which the %s profile accepts", name, k.Describe(), k.Format, tp, alg, in.Profile.Name)
	if k.Kty == "RSA" {
		if ok, why := k.SupportsVerify(alg); !ok || k.Bits < 1024 {
			if why == "" {
				why = "keys under 1024 bits can be factored"
			}
			r.add(CheckPrivateKey, StatusFail, fmt.Sprintf("%s is an %s private key: %s", name, k.Describe(), why),
				"generate a new key of at least 2048 bits: clientassert keys generate --alg RS384")
			r.priv = nil
			return
		}
		if k.Bits < 2048 {
			r.add(CheckPrivateKey, StatusWarn, desc+fmt.Sprintf("; but %d bits is below the accepted minimum of 2048", k.Bits),
				"generate a new key of at least 2048 bits and rotate: clientassert keys generate --alg RS384")
			return
		}
	}
	r.add(CheckPrivateKey, StatusPass, desc, "")
}

func (r *Report) checkKeySet(ctx context.Context, in Input) {
	var set *keys.Set
	var notes []string
	warn := false
	if in.JWKSURL != "" {
		res, err := jwksfetch.Fetch(ctx, in.JWKSURL, in.Fetch)
		r.Fetch = res
		if err != nil {
			var fe *jwksfetch.Error
			if !errors.As(err, &fe) {
				fe = &jwksfetch.Error{Msg: err.Error(), Hint: "check the JWKS URL"}
			}
			r.add(CheckKeySet, StatusFail, fe.Msg+"; the token endpoint cannot read the keys there either", fe.Hint)
			return
		}
		set = res.Set
		notes = append(notes, fmt.Sprintf("%s answered %d with %d key%s", res.FinalURL, res.Status, len(set.Keys), plural(len(set.Keys))))
		if len(res.Redirects) > 0 {
			notes = append(notes, fmt.Sprintf("after %d redirect%s; point the registered URL at the final one", len(res.Redirects), plural(len(res.Redirects))))
			warn = true
		}
		for _, w := range res.Warnings {
			notes = append(notes, w)
			warn = true
		}
		notes = append(notes, res.Caching)
	} else {
		var err error
		set, err = keys.Parse(in.JWKSData)
		if err != nil {
			r.add(CheckKeySet, StatusFail, fmt.Sprintf("cannot parse the key set %s: %s", in.JWKSName, err),
				"give the JWKS registered for the client: {\"keys\": [...]}; make one with clientassert keys jwks KEY")
			return
		}
		notes = append(notes, fmt.Sprintf("%s holds %d key%s", in.JWKSName, len(set.Keys), plural(len(set.Keys))))
	}
	r.set = set
	problems := keys.Check(set)
	r.Problems = problems
	var errs, warns []keys.Problem
	for _, p := range problems {
		switch p.Severity {
		case keys.SeverityError:
			errs = append(errs, p)
		case keys.SeverityWarning:
			warns = append(warns, p)
		}
	}
	switch {
	case len(errs) > 0:
		msgs := make([]string, len(errs))
		for i, p := range errs {
			msgs[i] = p.Message + " (" + p.Rule + ")"
		}
		r.add(CheckKeySet, StatusFail, strings.Join(append(notes[:1:1], msgs...), "; "), errs[0].Fix)
	case len(warns) > 0 || warn:
		fix := ""
		for _, p := range warns {
			notes = append(notes, p.Message+" ("+p.Rule+")")
			if fix == "" {
				fix = p.Fix
			}
		}
		if fix == "" {
			fix = "serve the key set directly, as application/json or application/jwk-set+json"
		}
		r.add(CheckKeySet, StatusWarn, strings.Join(notes, "; "), fix)
	default:
		r.add(CheckKeySet, StatusPass, strings.Join(notes, "; "), "")
	}
}

func (r *Report) checkKID(in Input) {
	switch {
	case r.priv == nil:
		r.skip(CheckKID, "the private key did not pass (private-key)")
		return
	case r.set == nil:
		r.skip(CheckKID, "the key set could not be read (key-set)")
		return
	}
	tp, _ := keys.Thumbprint(r.priv)
	keyName := fmt.Sprintf("%s (thumbprint %s)", in.KeyName, tp)
	matches := keys.Match(r.set, r.priv)
	var kid string
	kid, r.KIDSource = in.KID, KIDGiven
	if kid == "" {
		kid, r.KIDSource = r.priv.KID, KIDFromKey
	}
	if kid == "" {
		r.KIDSource = ""
		switch {
		case len(matches) == 0:
			r.add(CheckKID, StatusFail,
				fmt.Sprintf("no key in the key set is the public half of %s; it holds %s", keyName, kidList(r.set)),
				fmt.Sprintf("publish the public half with a kid (%s), add it to the key set, and pass --kid", jwksCommand(in.KeyName, "<kid>")))
		case matches[0].KID == "":
			r.add(CheckKID, StatusFail,
				fmt.Sprintf("key %d of the key set holds the public half of %s but has no kid, and the server finds keys by kid", matches[0].Index, keyName),
				"give the entry a kid (its thumbprint works), send it in the header, and pass --kid")
		default:
			r.KID, r.KIDSource = matches[0].KID, KIDFromKeySet
			r.add(CheckKID, StatusWarn,
				fmt.Sprintf("no kid given: the key set holds the public half of %s under kid %q, but the kid your client sends was not checked", keyName, matches[0].KID),
				fmt.Sprintf("pass --kid (or set CLIENTASSERT_KID) to the kid the client sends; it should be %q", matches[0].KID))
		}
		return
	}
	r.KID = kid
	entries := r.set.ByKID(kid)
	other := ""
	for _, m := range matches {
		if m.KID != kid {
			other = m.KID
			break
		}
	}
	if len(entries) == 0 {
		msg := fmt.Sprintf("kid %q is not in the key set, which holds %s; the server would answer %q", kid, kidList(r.set), catalog.DescPublicKeyNotFound)
		fix := fmt.Sprintf("publish the public half of the key under kid %q (%s) and save it in the key set registered for the client", kid, jwksCommand(in.KeyName, kid))
		if other != "" {
			msg += fmt.Sprintf("; the entry with kid %q holds this key's public half", other)
			fix = fmt.Sprintf("sign with kid %q, or rename that entry's kid to %q", other, kid)
		}
		r.add(CheckKID, StatusFail, msg, fix)
		return
	}
	entry := entries[0]
	same := false
	for _, m := range matches {
		if m == entry {
			same = true
		}
	}
	if !same {
		etp, _ := keys.Thumbprint(entry)
		msg := fmt.Sprintf("kid %q holds a different key (%s, thumbprint %s) from %s; the server would answer %q",
			kid, entry.Describe(), etp, keyName, catalog.DescSignatureFailed)
		fix := fmt.Sprintf("publish the public half of this key under kid %q, or sign with the private key of that entry", kid)
		if other != "" {
			msg += fmt.Sprintf("; the entry with kid %q holds this key's public half", other)
			fix = fmt.Sprintf("sign with kid %q, the entry that holds this key", other)
		}
		r.add(CheckKID, StatusFail, msg, fix)
		return
	}
	msg := fmt.Sprintf("kid %q (key %d of the key set) holds the public half of %s", kid, entry.Index, keyName)
	if other != "" {
		msg += fmt.Sprintf("; the entry with kid %q holds it too", other)
	}
	r.add(CheckKID, StatusPass, msg, "")
}

func (r *Report) checkAssertion(in Input) {
	switch {
	case r.priv == nil:
		r.skip(CheckAssertion, "no usable private key (private-key)")
		return
	case r.set == nil:
		r.skip(CheckAssertion, "no key set to look the key up in (key-set)")
		return
	case r.KID == "":
		r.skip(CheckAssertion, "no kid to sign with (kid)")
		return
	case in.ClientID == "":
		r.skip(CheckAssertion, "no client_id")
		return
	}
	prof := in.Profile
	if prof.TokenURL == "" {
		prof.TokenURL = in.TokenURL
	}
	if prof.TokenURL == "" {
		r.add(CheckAssertion, StatusFail, fmt.Sprintf("the %s profile has no token URL to use as aud", prof.Name), "pass --token-url with the token endpoint's URL")
		return
	}
	now := in.Now()
	tok, err := freshAssertion(r.priv, r.alg, r.KID, in.JKU, in.ClientID, prof, now)
	if err != nil {
		r.add(CheckAssertion, StatusFail, "cannot sign an assertion: "+err.Error(), "use an RSA key of at least 2048 bits or an EC P-384 key")
		return
	}
	rep := lint.Lint(lint.Input{Token: tok, Profile: prof, ClientID: in.ClientID, Keys: r.set, Now: now})
	p := rep.Predicted
	r.Predicted = &p
	r.Findings = rep.Findings
	var errs, warns []string
	for _, f := range rep.Findings {
		switch f.Severity {
		case lint.SeverityError:
			errs = append(errs, f.Rule+": "+f.Message)
		case lint.SeverityWarning:
			warns = append(warns, f.Rule+": "+f.Message)
		}
	}
	what := fmt.Sprintf("an %s assertion signed now with kid %q for aud %s", r.alg, r.KID, prof.TokenURL)
	switch {
	case p.Status != 200:
		fix := ""
		for _, f := range rep.Findings {
			if f.Rule == p.Rule {
				fix = f.Fix
			}
		}
		answer := fmt.Sprintf("%d %s", p.Status, p.Error)
		if !p.NoDescription {
			answer += fmt.Sprintf(" %q", p.ErrorDescription)
		}
		r.add(CheckAssertion, StatusFail,
			fmt.Sprintf("%s would be refused: %s (%s)", what, answer, strings.Join(errs, "; ")), fix)
	case !p.Certain:
		r.add(CheckAssertion, StatusFail, what+" could not be fully checked: "+strings.Join(p.Unchecked, ", "), "check the kid and key set")
	case len(errs) > 0:
		r.add(CheckAssertion, StatusFail, what+" would be accepted, but lint finds errors: "+strings.Join(errs, "; "), rep.Findings[0].Fix)
	case len(warns) > 0:
		r.add(CheckAssertion, StatusWarn, what+" would get 200, with warnings: "+strings.Join(warns, "; "), "see clientassert lint for each warning")
	default:
		r.add(CheckAssertion, StatusPass, fmt.Sprintf("%s passes the full lint; the predicted response is 200, verified with kid %q", what, rep.KeyID), "")
	}
}

func (r *Report) checkClock(ctx context.Context, in Input) {
	type reading struct {
		server string
		clock  jwksfetch.Clock
	}
	var readings []reading
	var notes []string
	if r.Fetch != nil {
		readings = append(readings, reading{"the JWKS server", r.Fetch.Clock})
	} else if in.JWKSURL != "" {
		notes = append(notes, "the JWKS server gave no answer to compare with")
	}
	if in.TokenURL != "" {
		p, err := jwksfetch.ProbeDate(ctx, in.TokenURL, in.Fetch)
		if err != nil {
			notes = append(notes, fmt.Sprintf("could not reach the token URL: %s", err))
		} else {
			r.Probe = p
			readings = append(readings, reading{"the token URL", p.Clock})
		}
	}
	tol := in.Profile.Tolerance
	if tol <= 0 {
		tol = 10 * time.Second
	}
	var worst time.Duration
	var worstServer string
	var parts []string
	for _, rd := range readings {
		skew, ok := rd.clock.Skew()
		if !ok {
			notes = append(notes, rd.server+" sent no Date header")
			continue
		}
		r.Skews = append(r.Skews, ClockComparison{Server: rd.server, ServerDate: *rd.clock.ServerDate, SkewSeconds: skew.Seconds()})
		parts = append(parts, describeSkew(rd.server, skew))
		if abs(skew) >= abs(worst) {
			worst, worstServer = skew, rd.server
		}
	}
	if len(r.Skews) == 0 {
		why := "no server Date to compare the local clock with"
		if len(notes) > 0 {
			why = strings.Join(notes, "; ")
		}
		fix := "pass --jwks-url or --token-url so the clock can be compared with a server's Date header"
		if in.JWKSURL != "" || in.TokenURL != "" {
			fix = "make sure the JWKS URL or --token-url answers; any answer with a Date header will do"
		}
		r.add(CheckClock, StatusWarn, "not checked: "+why, fix)
		return
	}
	msg := strings.Join(append(parts, notes...), "; ")
	fix := "synchronise the clock with NTP (e.g. timedatectl set-ntp true, or chronyc makestep)"
	switch {
	case abs(worst) > tol:
		r.add(CheckClock, StatusFail, msg+fmt.Sprintf("; the server tolerates %s", tol)+consequence(worst), fix)
	case abs(worst) > tol/2:
		r.add(CheckClock, StatusWarn, msg+fmt.Sprintf("; the server tolerates %s, and %s is close to it", tol, worstServer)+consequence(worst), fix)
	case len(notes) > 0:
		r.add(CheckClock, StatusWarn, msg, "make sure --token-url answers; any answer with a Date header will do")
	default:
		r.add(CheckClock, StatusPass, msg, "")
	}
}

// describeSkew words a skew (server minus local) from the local clock's
// side. The skew is a lower bound (see jwksfetch.Clock.Skew), hence "at least".
func describeSkew(server string, skew time.Duration) string {
	s := abs(skew).Truncate(time.Second)
	switch {
	case s == 0:
	case skew > 0:
		return fmt.Sprintf("the local clock is at least %s behind %s", s, server)
	case skew < 0:
		return fmt.Sprintf("the local clock is at least %s ahead of %s", s, server)
	}
	return fmt.Sprintf("the local clock agrees with %s to the second", server)
}

func consequence(skew time.Duration) string {
	if skew < 0 {
		return fmt.Sprintf("; assertions signed here carry an iat in the server's future and are refused with %q", catalog.DescIatFuture)
	}
	return "; assertions signed here look old on arrival and expire early on the server"
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func (r *Report) checkJKU(in Input) {
	switch {
	case in.JKU == "":
		r.add(CheckJKU, StatusPass, "no jku is set; the server verifies with the registered key set", "")
	case !strings.HasPrefix(in.JKU, "https://"):
		r.add(CheckJKU, StatusFail, fmt.Sprintf("jku %q is not an https URL", in.JKU), "set jku to the registered https JWKS URL, or leave it out")
	case in.JWKSURL == "":
		r.add(CheckJKU, StatusWarn,
			fmt.Sprintf("jku is %q, but the key set was given as the file %s, so it cannot be compared with the registered URL", in.JKU, in.JWKSName),
			"run doctor with --jwks-url set to the JWKS URL saved in the dashboard, or leave jku out")
	case in.JKU != in.JWKSURL:
		r.add(CheckJKU, StatusFail,
			fmt.Sprintf("jku %q differs from the JWKS URL %q; the jku must match the registered URL exactly", in.JKU, in.JWKSURL),
			fmt.Sprintf("set jku to %s, or leave it out", in.JWKSURL))
	default:
		r.add(CheckJKU, StatusPass, fmt.Sprintf("jku equals the JWKS URL %s", in.JWKSURL), "")
	}
}

// kidList names the keys of a set for a message: kid "a", key 1 without kid.
func kidList(set *keys.Set) string {
	if len(set.Keys) == 0 {
		return "no keys"
	}
	var kids []string
	for _, k := range set.Keys {
		if k.KID == "" {
			kids = append(kids, fmt.Sprintf("key %d without kid", k.Index))
		} else {
			kids = append(kids, fmt.Sprintf("kid %q", k.KID))
		}
	}
	if len(kids) > 8 {
		kids = append(kids[:8], fmt.Sprintf("and %d more", len(kids)-8))
	}
	return strings.Join(kids, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
