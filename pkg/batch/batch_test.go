package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

func options(t testing.TB) Options {
	t.Helper()
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Now: fixtures.Now, Profile: p, Jobs: 1}
}

// outputItem reads both item shapes.
type outputItem struct {
	Line      int       `json:"line"`
	Error     string    `json:"error"`
	Profile   string    `json:"profile"`
	Now       time.Time `json:"now"`
	ClientID  string    `json:"client_id"`
	Predicted struct {
		Status           int    `json:"status"`
		ErrorDescription string `json:"error_description"`
		Rule             string `json:"rule"`
	} `json:"predicted_response"`
	Findings []struct {
		Rule string `json:"rule"`
	} `json:"findings"`
}

func run(t *testing.T, input string, o Options) ([]outputItem, *Totals) {
	t.Helper()
	var out bytes.Buffer
	totals, err := Run(strings.NewReader(input), &out, o)
	if err != nil {
		t.Fatal(err)
	}
	var items []outputItem
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var it outputItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		items = append(items, it)
	}
	return items, totals
}

// Many workers must still write the items in input order; each item must be
// the one for its own line.
func TestOrderWithManyJobs(t *testing.T) {
	names := []string{"valid-rs384", "expired", "no-kid", "alg-none", "valid-es384", "kid-unknown", "two-segments"}
	want := map[string]string{}
	var b strings.Builder
	var lines []string
	for i := 0; i < 5000; i++ {
		name := names[(i*7+i/3)%len(names)]
		lines = append(lines, name)
		b.WriteString(fixtures.ReadToken(t, name) + "\n")
	}
	single, _ := run(t, b.String(), options(t))
	for i, it := range single {
		want[lines[i]] = it.Predicted.ErrorDescription
	}
	if len(want) != len(names) {
		t.Fatalf("only %d distinct tokens seen", len(want))
	}
	for _, jobs := range []int{2, 8, 33} {
		o := options(t)
		o.Jobs = jobs
		items, totals := run(t, b.String(), o)
		if len(items) != len(lines) || totals.Items != len(lines) {
			t.Fatalf("jobs %d: %d items, totals %d, want %d", jobs, len(items), totals.Items, len(lines))
		}
		for i, it := range items {
			if it.Line != i+1 {
				t.Fatalf("jobs %d: item %d has line %d", jobs, i, it.Line)
			}
			if it.Predicted.ErrorDescription != want[lines[i]] {
				t.Fatalf("jobs %d: line %d (%s) predicted %q, want %q", jobs, it.Line, lines[i], it.Predicted.ErrorDescription, want[lines[i]])
			}
		}
	}
}

func TestLongLineIsAnErrorItem(t *testing.T) {
	tok := fixtures.ReadToken(t, "valid-rs384")
	long := strings.Repeat("x", MaxLineBytes+1)
	atCap := tok + " " + strings.Repeat("y", MaxLineBytes-len(tok)-1)
	input := tok + "\n" + long + "\n" + atCap + "\r\n" + strings.Repeat("z", 3*MaxLineBytes) + "\n" + tok
	items, totals := run(t, input, options(t))
	if len(items) != 5 {
		t.Fatalf("%d items, want 5: %+v", len(items), items)
	}
	for i, want := range []string{"", "line is longer than 1 MiB", "", "line is longer than 1 MiB", ""} {
		if items[i].Line != i+1 || items[i].Error != want {
			t.Errorf("item %d: line %d error %q, want line %d error %q", i, items[i].Line, items[i].Error, i+1, want)
		}
	}
	if items[2].Predicted.Status != 200 {
		t.Errorf("a line exactly at the cap was not linted: %+v", items[2])
	}
	if totals.BadLines != 2 || totals.Failed != 2 {
		t.Errorf("totals %+v, want 2 bad lines and 2 failed", totals)
	}
}

func TestBadLinesAreItems(t *testing.T) {
	tok := fixtures.ReadToken(t, "valid-rs384")
	input := strings.Join([]string{
		"this line has no token at all",
		`{"token": 5}`,
		`{"token": "` + tok + `", "now": "yesterday"}`,
		`{"token": "` + tok + `", "profile": "nowhere"}`,
		`{"token": ""}`,
		"",
		"   ",
		tok,
	}, "\n")
	items, totals := run(t, input, options(t))
	want := []struct {
		line int
		err  string
	}{
		{1, "no token in the line"},
		{2, "the token member of the JSON item is not a string"},
		{3, `invalid now "yesterday": use RFC 3339 or Unix seconds`},
		{4, `unknown profile "nowhere"`},
		{5, "the token member is empty"},
		{8, ""},
	}
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d (blank lines skipped): %+v", len(items), len(want), items)
	}
	for i, w := range want {
		if items[i].Line != w.line || items[i].Error != w.err {
			t.Errorf("item %d: line %d %q, want line %d %q", i, items[i].Line, items[i].Error, w.line, w.err)
		}
	}
	if totals.BadLines != 5 || totals.Items != 6 || totals.Failed != 5 {
		t.Errorf("totals %+v", totals)
	}
}

// A JSON item's own now, profile and client_id win over the run's defaults.
func TestJSONItemsCarryTheirOwnSettings(t *testing.T) {
	tok := fixtures.ReadToken(t, "valid-rs384")
	o := options(t)
	o.Keys = fixtures.KeySet(t, "jwks.json")
	later := fixtures.Now.Add(24 * time.Hour)
	input := strings.Join([]string{
		tok,
		fmt.Sprintf(`{"token": %q, "now": %q}`, tok, later.Format(time.RFC3339)),
		fmt.Sprintf(`{"token": %q, "now": %d}`, tok, later.Unix()),
		fmt.Sprintf(`{"token": %q, "profile": "redox-ca"}`, tok),
		fmt.Sprintf(`{"token": %q, "client_id": "someone-else"}`, tok),
		fmt.Sprintf(`{"token": %q, "client_id": %q}`, tok, fixtures.ClientID),
	}, "\n")
	items, _ := run(t, input, o)
	if len(items) != 6 {
		t.Fatalf("%d items", len(items))
	}
	if items[0].Predicted.Status != 200 || !items[0].Now.Equal(fixtures.Now) {
		t.Errorf("default item: %+v", items[0])
	}
	for _, it := range items[1:3] {
		if it.Predicted.Rule != "exp-expired" || !it.Now.Equal(later) {
			t.Errorf("item with its own now: %+v", it)
		}
	}
	if items[3].Profile != "redox-ca" || items[3].Predicted.Status != 400 {
		t.Errorf("item with its own profile: %+v", items[3])
	}
	if items[4].ClientID != "someone-else" || items[4].Predicted.Status != 400 {
		t.Errorf("item with another client_id: %+v", items[4])
	}
	if items[5].Predicted.Status != 200 {
		t.Errorf("item with the right client_id: %+v", items[5])
	}
}

func TestSummaryCounts(t *testing.T) {
	counts := map[string]int{"valid-rs384": 7, "expired": 5, "no-kid": 3, "alg-none": 2}
	var b strings.Builder
	for name, n := range counts {
		for range n {
			b.WriteString(fixtures.ReadToken(t, name) + "\n")
		}
	}
	b.WriteString("no token here\n")
	o := options(t)
	o.Summary = true
	o.Jobs = 3
	var out bytes.Buffer
	totals, err := Run(strings.NewReader(b.String()), &out, o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("summary mode wrote items: %q", out.String())
	}
	if totals.Items != 18 || totals.BadLines != 1 || totals.Failed != 11 {
		t.Errorf("totals %+v", totals)
	}
	byResponse := map[string]int{}
	for _, r := range totals.Responses {
		byResponse[fmt.Sprint(r.Status, " ", r.ErrorDescription)] = r.Count
	}
	want := map[string]int{
		"200 ":                                   7,
		`400 "exp" claim timestamp check failed`: 5,
		"400 JWT header kid property is required": 3,
		"400 alg not whitelisted":                 2,
	}
	for k, v := range want {
		if byResponse[k] != v {
			t.Errorf("responses[%s] = %d, want %d (all: %v)", k, byResponse[k], v, byResponse)
		}
	}
	if len(byResponse) != len(want) {
		t.Errorf("responses %v, want %v", byResponse, want)
	}
	if totals.Responses[0].Count != 7 {
		t.Errorf("responses not sorted by count: %+v", totals.Responses)
	}
	byRule := map[string]int{}
	for _, r := range totals.Rules {
		byRule[r.Rule] = r.Count
	}
	if byRule["exp-expired"] != 5 || byRule["kid-missing"] != 3 || byRule["alg-none"] != 2 {
		t.Errorf("rules %v", byRule)
	}
	if len(totals.LineErrs) != 1 || totals.LineErrs[0].Count != 1 {
		t.Errorf("line errors %+v", totals.LineErrs)
	}
}

func TestParseLine(t *testing.T) {
	tok := fixtures.ReadToken(t, "valid-rs384")
	escaped := strings.ReplaceAll(tok, ".", "%2E")
	cases := []struct {
		name, line, want, err string
	}{
		{"bare", tok, tok, ""},
		{"quoted bearer", `"Bearer ` + tok + `"`, tok, ""},
		{"log line", `2026-11-27T12:00:01Z WARN rejected assertion=` + tok + ` from 10.0.0.1`, tok, ""},
		{"form in a log", `body="grant_type=client_credentials&client_assertion=` + escaped + `&client_id=x"`, tok, ""},
		{"url query", `GET /token?client_assertion_type=urn%3Ax&client_assertion=` + tok + ` HTTP/1.1`, tok, ""},
		{"json log with a token member in another case", `{"level":"warn","TOKEN":"` + tok + `"}`, tok, ""},
		{"json log with a client_id that is not a string", `{"client_id":5,"jwt":"` + tok + `"}`, "", "the client_id member of the JSON item is not a string"},
		{"json log without token member", `{"level":"warn","msg":"rejected","jwt":"` + tok + `"}`, tok, ""},
		{"not a jwt", "user eyJhbGci logged in", "", "no token in the line"},
		{"garbage word", "garbage", "garbage", ""},
		{"token then text", tok + " rejected", tok, ""},
		{"padded token", "  " + tok + "\t", tok, ""},
		{"token with a bad character", tok[:20] + "!" + tok[20:], tok[:20] + "!" + tok[20:], ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := parseLine([]byte(c.line))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.Token != c.want {
				t.Fatalf("token %q, want %q", src.Token, c.want)
			}
		})
	}
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	return 0, io.ErrClosedPipe
}

// A failed write ends the run with an error, on one worker and on many.
func TestWriteErrorStopsTheRun(t *testing.T) {
	input := strings.Repeat(fixtures.ReadToken(t, "valid-rs384")+"\n", 3*groupLines)
	for _, jobs := range []int{1, 2} {
		o := options(t)
		o.Jobs = jobs
		w := &failingWriter{}
		_, err := Run(strings.NewReader(input), w, o)
		if err == nil || !strings.Contains(err.Error(), "cannot write the output") {
			t.Errorf("jobs %d: err %v", jobs, err)
		}
		if w.writes != 1 {
			t.Errorf("jobs %d: %d writes after the first failed", jobs, w.writes-1)
		}
	}
}

// Progress comes in input order, ends with every item and every input byte.
func TestProgress(t *testing.T) {
	tok := fixtures.ReadToken(t, "valid-rs384")
	input := strings.Repeat(tok+"\n\n", 1000) + "no token"
	for _, jobs := range []int{1, 3} {
		o := options(t)
		o.Jobs = jobs
		o.Summary = true
		var seen []Progress
		o.Progress = func(p Progress) { seen = append(seen, p) }
		totals, err := Run(strings.NewReader(input), io.Discard, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) < 2 {
			t.Fatalf("jobs %d: %d progress calls", jobs, len(seen))
		}
		for i := 1; i < len(seen); i++ {
			if seen[i].Items <= seen[i-1].Items || seen[i].Bytes <= seen[i-1].Bytes {
				t.Fatalf("jobs %d: progress went back: %+v after %+v", jobs, seen[i], seen[i-1])
			}
		}
		last := seen[len(seen)-1]
		if last.Items != totals.Items || totals.Items != 1001 || last.Bytes != int64(len(input)) {
			t.Errorf("jobs %d: last progress %+v, totals %d items, input %d bytes", jobs, last, totals.Items, len(input))
		}
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"token":"eyJ.eyJ.x","now":1}`))
	f.Add([]byte(`x client_assertion=eyJ%2Ea.b&y`))
	f.Add([]byte(`eyJhbGciOiJub25lIn0.e30.`))
	f.Add([]byte(`{"token":5}`))
	f.Add([]byte(`eyJ.x.`))
	f.Add([]byte(`{"level":"warn","jwt":"eyJhbGciOiJub25lIn0.e30."}`))
	f.Add([]byte(`{"TOKEN":"x"}`))
	f.Add([]byte(`{"Client_ID":5,"jwt":"eyJa.b.c"}`))
	f.Add([]byte(`{"to\u006ben":"x"}`))
	f.Add([]byte("{\"to\u212aen\":\"x\"}"))
	f.Add([]byte(`{"profilex":1,"tok":2}`))
	f.Add([]byte(`{"a":":","token":"x"}`))
	f.Add([]byte("{\"ToKeN\"\t :\n5}"))
	f.Add([]byte(`{"a":"b:c","profile" :[]}`))
	f.Add([]byte(`{":":1,"client_id":{}}`))
	f.Add([]byte(`eyJa.b.c d`))
	f.Add([]byte(`xeyJa.b.c`))
	f.Fuzz(func(t *testing.T, line []byte) {
		src, err := parseLine(line)
		if err == nil && strings.TrimSpace(src.Token) == "" {
			t.Fatalf("no error and no token for %q", line)
		}
		// Skipping the decode of an object must lose neither an item nor
		// an error.
		if obj := bytes.TrimSpace(line); len(obj) > 0 && obj[0] == '{' && !mayNameItemMember(obj) {
			var item jsonItem
			err := json.Unmarshal(obj, &item)
			var typeErr *json.UnmarshalTypeError
			if item.Token != nil || errors.As(err, &typeErr) {
				t.Fatalf("%q: decode skipped, but it gives token %v, error %v", line, item.Token, err)
			}
		}
		// The bare-token shortcut must agree with the general search.
		trimmed := string(bytes.TrimSpace(line))
		if isWholeJWT([]byte(trimmed)) {
			if _, ok := formAssertion(trimmed); ok {
				t.Fatalf("%q: shortcut taken over a client_assertion parameter", line)
			}
			if tok, ok := findJWT(trimmed); !ok || tok != trimmed {
				t.Fatalf("%q: shortcut took the whole line, findJWT found %q", line, tok)
			}
		} else if tok, ok := findJWT(trimmed); ok && tok == trimmed && !strings.Contains(trimmed, "client_assertion=") {
			t.Fatalf("%q: findJWT takes the whole line but the shortcut did not", line)
		}
	})
}

// BenchmarkLintAlone is lint.Lint by itself on the token and settings
// BenchmarkRunSummary uses: the difference is the batch pipeline's cost.
func BenchmarkLintAlone(b *testing.B) {
	tok := fixtures.ReadToken(b, "valid-rs384")
	o := options(b)
	b.ReportAllocs()
	for b.Loop() {
		lint.Lint(lint.Input{Token: tok, Profile: o.Profile, Now: o.Now})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/token")
}

// repeatReader reads as n copies of line.
type repeatReader struct {
	line []byte
	n    int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && r.n > 0 {
		c := copy(p, r.line[r.off:])
		p, total, r.off = p[c:], total+c, r.off+c
		if r.off == len(r.line) {
			r.off = 0
			r.n--
		}
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

// BenchmarkRunSummary is the batch pipeline over valid tokens without a key,
// one worker, b.N tokens; compare it with BenchmarkLintAlone.
func BenchmarkRunSummary(b *testing.B) {
	tok := fixtures.ReadToken(b, "valid-rs384")
	o := options(b)
	o.Summary = true
	b.ReportAllocs()
	b.ResetTimer()
	totals, err := Run(&repeatReader{line: []byte(tok + "\n"), n: b.N}, io.Discard, o)
	if err != nil {
		b.Fatal(err)
	}
	if totals.Items != b.N {
		b.Fatalf("%d items, want %d", totals.Items, b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/token")
}

// BenchmarkRunSummaryKey verifies every token, on as many workers as
// GOMAXPROCS: run it with -cpu 1,2 to see how the work spreads over cores.
func BenchmarkRunSummaryKey(b *testing.B) {
	tok := fixtures.ReadToken(b, "valid-rs384")
	o := options(b)
	o.Summary = true
	o.Keys = fixtures.KeySet(b, "jwks.json")
	o.ClientID = fixtures.ClientID
	o.Jobs = 0
	b.ReportAllocs()
	b.ResetTimer()
	totals, err := Run(&repeatReader{line: []byte(tok + "\n"), n: b.N}, io.Discard, o)
	if err != nil {
		b.Fatal(err)
	}
	if totals.Items != b.N || totals.Failed != 0 {
		b.Fatalf("%d items, %d failed, want %d items passing", totals.Items, totals.Failed, b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/token")
}

// BenchmarkParseLine is the cost of finding the token in each kind of line.
func BenchmarkParseLine(b *testing.B) {
	tok := fixtures.ReadToken(b, "valid-rs384")
	for _, c := range []struct{ name, line string }{
		{"bare", tok},
		{"log", `2026-11-27T12:00:01Z WARN 10.0.0.1 POST /v2/auth/token 400 rejected assertion=` + tok + ` ua="curl/8.5" took=12ms`},
		{"form", `2026-11-27T12:00:01Z body=grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=` + tok + `&client_id=x`},
		{"json item", `{"token":"` + tok + `","now":"2026-11-27T12:00:00Z"}`},
		{"json log", `{"time":"2026-11-27T12:00:01Z","level":"warn","msg":"assertion rejected","jwt":"` + tok + `","remote":"10.0.0.1"}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			line := []byte(c.line)
			for b.Loop() {
				parseLine(line)
			}
		})
	}
}
