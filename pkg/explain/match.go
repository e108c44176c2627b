package explain

import (
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/clientassert/clientassert/pkg/catalog"
)

// Kind says how an input matched an entry, strongest first.
type Kind string

const (
	KindExact    Kind = "exact"
	KindFold     Kind = "case-insensitive"
	KindTemplate Kind = "template"
	KindClose    Kind = "close"
	// KindNearest marks suggestions for text that matched nothing.
	KindNearest Kind = "nearest"
)

// Thresholds of the similarity score (0..1) used for close matches.
const (
	closeScore   = 0.75
	closeSpread  = 0.04 // keep runners-up this close to the best
	nearestCount = 3
	// fuzzyLimit bounds the text compared by edit distance; longer input is
	// not a mistyped error_description.
	fuzzyLimit = 400
)

type found struct {
	entry catalog.Entry
	// desc is the wire string the input matched or stands for.
	desc  string
	kind  Kind
	score float64
	name  string
	note  string
}

// find runs the matching stages in order and stops at the first that finds
// something. When nothing matches, nearest holds the best suggestions.
func find(text string) (matches, nearest []found) {
	if m := exact(text); m != nil {
		return m, nil
	}
	if m := folded(text); m != nil {
		return m, nil
	}
	if m := templated(text); m != nil {
		return m, nil
	}
	scored := similar(text)
	if len(scored) > 0 && scored[0].score >= closeScore {
		for _, s := range scored {
			if s.score < closeScore || s.score < scored[0].score-closeSpread {
				break
			}
			s.kind = KindClose
			matches = append(matches, s)
		}
		return matches, nil
	}
	for i, s := range scored {
		if i == nearestCount || s.score <= 0 {
			break
		}
		s.kind = KindNearest
		nearest = append(nearest, s)
	}
	return nil, nearest
}

func exact(text string) []found {
	for _, t := range []string{text, strings.TrimSpace(text)} {
		if e, ok := catalog.ByDescription(t); ok {
			return []found{{entry: e, desc: t, kind: KindExact, score: 1}}
		}
	}
	return nil
}

// folded compares case-insensitively, with whitespace, curly quotes and a
// trailing period normalised; then without the quotes around names; then
// against the documented forms, which may stand for several entries.
func folded(text string) []found {
	norm := normalize(text)
	if norm == "" {
		return nil
	}
	for _, loose := range []bool{false, true} {
		want := norm
		if loose {
			want = unquote(norm)
		}
		for _, d := range catalog.Descriptions() {
			have := normalize(d)
			if loose {
				have = unquote(have)
			}
			if have == want {
				e, _ := catalog.ByDescription(d)
				return []found{{entry: e, desc: d, kind: KindFold, score: 1}}
			}
		}
	}
	var out []found
	for _, e := range catalog.All() {
		if e.DocumentedAs != "" && normalize(e.DocumentedAs) == norm {
			out = append(out, found{entry: e, desc: e.Descriptions[0], kind: KindFold, score: 1,
				note: "this is the documentation's form; the server names the " + subject(e) + ", so the exact text narrows it down"})
		}
	}
	return out
}

// templated matches the library's message patterns and resolves the name
// they carry. A name no entry lists yields the whole family.
func templated(text string) []found {
	var out []found
	seen := map[string]bool{}
	for _, t := range catalog.Templates() {
		name, ok := t.Match(text)
		if !ok {
			continue
		}
		var named []found
		for _, e := range t.Entries {
			if desc, ok := namedIn(t, e, name); ok {
				named = append(named, found{entry: e, desc: desc, kind: KindTemplate, score: 1, name: name})
			}
		}
		if len(named) == 0 {
			for _, e := range t.Entries {
				named = append(named, found{entry: e, desc: t.Render(name), kind: KindTemplate, score: 1, name: name,
					note: "the catalog lists no check of " + quoteName(name) + " by itself; this is the entry for the same message about another " + subject(e)})
			}
		}
		for _, f := range named {
			if !seen[f.entry.ID] {
				seen[f.entry.ID] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// namedIn reports whether entry lists a message of template t with name,
// and returns its wire string.
func namedIn(t *catalog.Template, e catalog.Entry, name string) (string, bool) {
	for _, d := range append(append([]string(nil), e.Descriptions...), e.DocumentedAs) {
		if n, ok := t.Match(d); ok && strings.EqualFold(n, name) {
			if d == e.DocumentedAs {
				return t.Render(name), true
			}
			return d, true
		}
	}
	return "", false
}

// similar scores every entry by its best wire string or documented form,
// best first, for truncated or mistyped text.
func similar(text string) []found {
	norm := normalize(text)
	if norm == "" {
		return nil
	}
	if r := []rune(norm); len(r) > fuzzyLimit {
		norm = string(r[:fuzzyLimit])
	}
	var out []found
	for _, e := range catalog.All() {
		best := found{entry: e}
		for _, d := range append(append([]string(nil), e.Descriptions...), e.DocumentedAs) {
			if d == "" {
				continue
			}
			if s := similarity(norm, normalize(d)); s > best.score {
				best.score, best.desc = s, d
				if d == e.DocumentedAs {
					best.desc = e.Descriptions[0]
				}
			}
		}
		if best.desc != "" {
			best.score = math.Round(best.score*100) / 100
			out = append(out, best)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// similarity of two normalised strings, 0..1: the best of edit distance,
// a cut-off prefix (with typos), text inside a wire string or a wire string
// inside text, and shared words.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	la, lb := float64(len(ra)), float64(len(rb))
	score := 1 - float64(levenshtein(ra, rb))/math.Max(la, lb)
	if len(ra) >= 10 && len(ra) < len(rb) {
		prefix := 1 - float64(levenshtein(ra, rb[:len(ra)]))/la
		score = math.Max(score, prefix*(0.85+0.15*la/lb))
	}
	if len(ra) >= 12 && strings.Contains(b, a) {
		score = math.Max(score, 0.8+0.15*la/lb)
	}
	if len(rb) >= 10 && strings.Contains(a, b) {
		score = math.Max(score, 0.8+0.15*lb/la)
	}
	return math.Max(score, 0.9*wordOverlap(a, b))
}

// wordOverlap is the Jaccard index of the two word sets.
func wordOverlap(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	shared := 0
	for w := range wa {
		if wb[w] {
			shared++
		}
	}
	return float64(shared) / float64(len(wa)+len(wb)-shared)
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' }) {
		out[w] = true
	}
	return out
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var quoteFolder = sync.OnceValue(func() *strings.Replacer {
	return strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u2018", "'", "\u2019", "'", "`", `"`)
})

func normalize(s string) string {
	s = quoteFolder().Replace(s)
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRight(s, ".")
}

func unquote(s string) string { return strings.ReplaceAll(s, `"`, "") }

func quoteName(name string) string { return `"` + strings.Trim(name, `"`) + `"` }

// subject names what an entry's message is about, for notes.
func subject(e catalog.Entry) string {
	switch {
	case strings.Contains(e.Descriptions[0], "header"):
		return "header parameter"
	case strings.Contains(e.Descriptions[0], "algorithm"):
		return "algorithm"
	case strings.Contains(e.Descriptions[0], "critical"):
		return "header parameter"
	}
	return "claim"
}
