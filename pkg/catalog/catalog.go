// Package catalog is the registry of error_description strings the token
// endpoint sends. Each wire string is reproduced byte for byte; everything
// else in an entry is clientassert's own explanation.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Source says where a wire string is known from.
type Source string

const (
	// Documented strings appear in the server's troubleshooting table.
	Documented Source = "documented"
	// Library strings are messages of the validating library (panva/jose 2.x)
	// that the server passes through but does not list.
	Library Source = "library"
)

// Stage is the step of the server's validation that produces an entry.
type Stage string

const (
	StageRequest   Stage = "request"
	StageDecode    Stage = "decode"
	StageKey       Stage = "key"
	StageSignature Stage = "signature"
	StageClaims    Stage = "claims"
	StageTime      Stage = "time"
	StageUnknown   Stage = "unknown"
)

// Entry is one kind of server answer.
type Entry struct {
	ID string `json:"id"`
	// Descriptions are the exact error_description strings of this entry.
	Descriptions []string `json:"error_descriptions"`
	// DocumentedAs is how the troubleshooting table writes it, when it
	// differs from the wire (templates such as "Unexpected X claim value").
	DocumentedAs string   `json:"documented_as,omitempty"`
	Source       Source   `json:"source"`
	Stage        Stage    `json:"stage"`
	Checked      string   `json:"checked"`
	Causes       []string `json:"causes"`
	Fix          []string `json:"fix"`
	// Rules are the lint rules that predict this entry.
	Rules []string `json:"rules"`
	// Templates are the library's message patterns this entry belongs to,
	// with %s where the server puts a claim, header or algorithm name. They
	// let explain recognise a name the catalog does not list by itself.
	Templates []string `json:"templates,omitempty"`
}

// Anchor is the entry's heading anchor in docs/errors.md.
func (e Entry) Anchor() string { return e.ID }

// DocURL is the relative link to the entry's documentation.
func (e Entry) DocURL() string { return DocsBase + "errors.md#" + e.Anchor() }

// DocsBase is where the generated reference lives, so a link printed by an
// installed binary still leads somewhere.
const DocsBase = "https://github.com/clientassert/clientassert/blob/main/docs/"

// All returns every entry in server order.
func All() []Entry { return entries }

// ByID looks an entry up by ID.
func ByID(id string) (Entry, bool) {
	e, ok := index().byID[id]
	return e, ok
}

// ByDescription finds the entry that sends exactly this wire string.
func ByDescription(desc string) (Entry, bool) {
	e, ok := index().byDescription[desc]
	return e, ok
}

// Descriptions lists every wire string in the catalog, sorted.
func Descriptions() []string {
	out := make([]string, 0, len(index().byDescription))
	for d := range index().byDescription {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// index is built on first use: most runs never look an entry up.
var index = sync.OnceValue(func() *catalogIndex {
	ix := &catalogIndex{byID: map[string]Entry{}, byDescription: map[string]Entry{}}
	for _, e := range entries {
		if _, dup := ix.byID[e.ID]; dup {
			panic("catalog: duplicate id " + e.ID)
		}
		ix.byID[e.ID] = e
		for _, d := range e.Descriptions {
			if _, dup := ix.byDescription[d]; dup {
				panic("catalog: duplicate description " + d)
			}
			ix.byDescription[d] = e
		}
		for _, pattern := range e.Templates {
			t := ix.templateFor(pattern)
			t.Entries = append(t.Entries, e)
		}
	}
	return ix
})

type catalogIndex struct {
	byID          map[string]Entry
	byDescription map[string]Entry
	templates     []*Template
}

// Template is one message pattern of the validating library and the
// entries that use it.
type Template struct {
	Pattern string
	Entries []Entry
	// The regexp is compiled on first use: most runs never match a
	// template, and compiling them all would slow every process start.
	compile sync.Once
	re      *regexp.Regexp
}

func (ix *catalogIndex) templateFor(pattern string) *Template {
	for _, t := range ix.templates {
		if t.Pattern == pattern {
			return t
		}
	}
	t := &Template{Pattern: pattern}
	ix.templates = append(ix.templates, t)
	return t
}

// templateRegexp turns a pattern into a case-insensitive regexp. The quotes
// around the name are optional and the name may be a documentation
// placeholder (X, <alg>), because people paste the documented form too.
func templateRegexp(pattern string) *regexp.Regexp {
	before, after, _ := strings.Cut(pattern, "%s")
	quoted := strings.HasSuffix(before, `"`) && strings.HasPrefix(after, `"`)
	if quoted {
		before, after = before[:len(before)-1], after[1:]
	}
	words := func(s string) string {
		return strings.Join(strings.Split(regexp.QuoteMeta(s), " "), `\s+`)
	}
	name := `([^\s"]+)`
	if quoted {
		name = `"?([^\s"]+)"?`
	}
	return regexp.MustCompile(`(?i)^\s*` + words(before) + name + words(after) + `\s*$`)
}

// Templates lists every message pattern, in catalog order.
func Templates() []*Template { return index().templates }

// Match reports whether text is an instance of the template and returns the
// name it carries.
func (t *Template) Match(text string) (name string, ok bool) {
	t.compile.Do(func() { t.re = templateRegexp(t.Pattern) })
	m := t.re.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// Render fills the template with a name.
func (t *Template) Render(name string) string { return strings.Replace(t.Pattern, "%s", name, 1) }

// Claim-specific wire strings are built from the library's templates.
func UnexpectedClaim(claim string) string { return `unexpected "` + claim + `" claim value` }
func NotNumeric(claim string) string      { return `"` + claim + `" claim must be a JSON numeric value` }
func NotStringOrArray(claim string) string {
	return `"` + claim + `" claim must be a string or array of strings`
}
func NotString(claim string) string { return `"` + claim + `" claim must be a string` }
func KeyDoesNotSupport(alg string) string {
	return "the key does not support " + alg + " verify algorithm"
}

// Wire strings referenced by the lint engine.
const (
	DescBlank              = ""
	DescContentType        = "x-www-form-urlencoded content-type required"
	DescGrantTypeMissing   = "Missing grant_type parameter"
	DescGrantTypeInvalid   = "The grant_type parameter should equal 'client_credentials'"
	DescAssertionTypeMiss  = "Missing client assertion type"
	DescAssertionTypeBad   = "Invalid client assertion type"
	DescAssertionMissing   = "Missing client assertion"
	DescThreeComponents    = "JWTs must have three components"
	DescMalformed          = "JWT is malformed"
	DescKidRequired        = "JWT header kid property is required"
	DescPublicKeyNotFound  = "Public key not found, check client_id, kid and Redox dashboard settings"
	DescAlgMissing         = "missing JWS signature algorithm"
	DescAlgNotWhitelisted  = "alg not whitelisted"
	DescSignatureFailed    = "signature verification failed"
	DescIatMissing         = `"iat" claim is missing`
	DescExpFailed          = `"exp" claim timestamp check failed`
	DescNbfFailed          = `"nbf" claim timestamp check failed`
	DescIatFuture          = `"iat" claim timestamp check failed (it should be in the past)`
	DescIatTooOld          = `"iat" claim timestamp check failed (too far in the past)`
	DescTypUnexpected      = `unexpected "typ" JWT header value`
	DescCritNotArray       = `"crit" Header Parameter MUST be an array of non-empty strings when present`
	DescJWKInconsistentUse = `inconsistent JWK "use" and "key_ops"`
	DescTypNotString       = `"typ" header parameter must be a string`
)

// X5CNotCertificate is the library's message for a bad x5c entry.
func X5CNotCertificate(i int) string {
	return fmt.Sprintf("`x5c` member at index %d is not a valid base64-encoded DER PKIX certificate", i)
}

// CritNotUnderstood and CritDefined are the library's crit templates.
func CritNotUnderstood(name string) string { return `critical "` + name + `" is not understood` }
func CritDefined(name string) string {
	return "The critical list contains a non-extension Header Parameter " + name
}

// Lookup matches text case-insensitively and by template; it returns the
// entry and whether the match was exact. A template instance whose name no
// entry lists resolves to the template's first entry.
func Lookup(text string) (Entry, bool) {
	if e, ok := index().byDescription[text]; ok {
		return e, true
	}
	lower := strings.ToLower(strings.TrimSpace(text))
	for _, d := range Descriptions() {
		if strings.ToLower(d) == lower {
			return index().byDescription[d], false
		}
	}
	for _, t := range index().templates {
		name, ok := t.Match(text)
		if !ok {
			continue
		}
		for _, e := range t.Entries {
			for _, d := range e.Descriptions {
				if strings.EqualFold(d, t.Render(name)) {
					return e, false
				}
			}
		}
		return t.Entries[0], false
	}
	return Entry{}, false
}
