package request

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// inlineSeeds are small inputs that reach the odd corners of each form.
var inlineSeeds = []string{
	"",
	"\x00",
	"a=b",
	"=",
	"&",
	"%",
	"a=%zz&a=%4&b=+%2B&&c",
	"POST / HTTP/1.1",
	"POST / HTTP/1.1\r\n\r\n",
	"POST /t HTTP/1.1\nHost: h\nContent-Length: 99999999999999999999\n\nx",
	"POST /t HTTP/1.1\nTransfer-Encoding: chunked\n\nffffffffffffffff\nx\n",
	"POST /t HTTP/1.1\nTransfer-Encoding: chunked\n\n1;a\r\nx\r\n0\r\n\r\n",
	"POST /t HTTP/1.1\nContent-Type: multipart/form-data; boundary=b\n\n--b\nContent-Disposition: form-data; name=a\n\n1\n--b--",
	"POST https://h/t\n a: b\nc=d",
	"curl",
	"curl -",
	"$ curl -d",
	"curl -X",
	"curl --data=",
	`curl "`,
	`curl '`,
	`curl $'\x`,
	`curl $'\u`,
	`curl $'\c`,
	`curl $'\777\U110000\uD800'`,
	"curl \\",
	"curl a\\   \n-d x",
	"curl.exe ^\n-d \"a\\\\\\\"b\" ^",
	"curl.exe `\n-d \"`",
	"curl.exe `\n-d 'a''b' $(x) ${y}",
	"curl -F a=@f -F 'b=\"x\\\"' -F c -F 'd=<e' --form-string 'e=@f' https://h",
	"curl -G --url-query +a=b --url-query c=d e --json @f --json '{}'",
	"curl -H 'Content-Type: multipart/form-data' -F a=b h",
	"curl -sSfLX POST 2>&1 > out < in h -d 'x' && echo done",
	"curl --expand-data '{{x}}' --variable x=1 --next -d b",
	"curl %JWT% -H Content-Type; -H @file -H x",
	"\uFEFFPOST /t HTTP/1.1\n",
	"eyJ.eyJ.x",
	`{"a":1}`,
}

// addSeeds adds every file under testdata and the inline seeds.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, file := range files {
		if st, err := os.Stat(file); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		n++
	}
	if n == 0 {
		f.Fatal("no seed files in testdata")
	}
	for _, s := range inlineSeeds {
		f.Add([]byte(s))
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			if r != nil {
				t.Fatalf("Parse returned both a request and error %q", err)
			}
			msg := err.Error()
			if msg == "" || strings.ContainsAny(msg, "\r\n") || strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] {
				t.Fatalf("error %q breaks the message style", msg)
			}
			return
		}
		if r == nil {
			t.Fatal("Parse returned neither a request nor an error")
		}
		switch r.Kind {
		case KindHTTP, KindCurl:
			if !r.ContentTypeKnown {
				t.Fatalf("%s request with ContentTypeKnown false", r.Kind)
			}
			if r.Method == "" {
				t.Fatalf("%s request without a method", r.Kind)
			}
		case KindForm:
			if r.ContentTypeKnown || r.ContentType != "" || r.Method != "" || r.URL != "" || r.Headers != nil {
				t.Fatalf("form body with request metadata: %+v", r)
			}
			if r.Body == "" || r.Body != strings.TrimSpace(r.Body) {
				t.Fatalf("form body %q is empty or not trimmed", r.Body)
			}
		default:
			t.Fatalf("unknown Kind %q", r.Kind)
		}
		if r.ContentTypeImplied && (r.Kind != KindCurl || r.ContentType == "") {
			t.Fatalf("implied content type %q on a %s request", r.ContentType, r.Kind)
		}
		if r.Form == nil {
			t.Fatal("Form is nil")
		}
		checkFormInvariants(t, r.Form)
		for name := range r.Headers {
			if name == "" {
				t.Fatal("empty header name")
			}
		}
		if len(r.Notes) > maxNotes+1 {
			t.Fatalf("%d notes", len(r.Notes))
		}
		for _, n := range r.Notes {
			if n == "" || strings.HasSuffix(n, ".") || strings.ContainsAny(n, "\r\n") {
				t.Fatalf("note %q breaks the note style", n)
			}
		}
		// IsFormURLEncoded must agree with its definition.
		mt, _, _ := strings.Cut(r.ContentType, ";")
		if got, want := r.IsFormURLEncoded(), strings.EqualFold(strings.TrimSpace(mt), formCT); got != want {
			t.Fatalf("IsFormURLEncoded(%q) = %v", r.ContentType, got)
		}
	})
}

func FuzzParseForm(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		body := string(data)
		form := ParseForm(body)
		checkFormInvariants(t, form)
		// Every pair is accounted for: the number of values equals the
		// number of non-empty segments between '&'.
		pairs := 0
		for seg := range strings.SplitSeq(body, "&") {
			if seg != "" {
				pairs++
			}
		}
		total := 0
		for _, vs := range form.Values {
			total += len(vs)
		}
		if total != pairs {
			t.Fatalf("%d values for %d pairs", total, pairs)
		}
		// A body without escapes or '+' decodes to itself.
		if !strings.ContainsAny(body, "%+") && utf8.ValidString(body) {
			for name, vs := range form.Values {
				for _, v := range vs {
					if !strings.Contains(body, name) || !strings.Contains(body, v) {
						t.Fatalf("name %q or value %q is not in the body", name, v)
					}
				}
			}
		}
		// Re-parsing is deterministic.
		again := ParseForm(body)
		if len(again.Order) != len(form.Order) || len(again.Duplicates) != len(form.Duplicates) {
			t.Fatal("ParseForm is not deterministic")
		}
	})
}

// checkFormInvariants checks what every Form must satisfy: Order has no
// duplicates and matches the keys of Values, every value is valid UTF-8,
// and Duplicates are exactly the names with more than one value.
func checkFormInvariants(t *testing.T, f *Form) {
	t.Helper()
	if f.Values == nil {
		t.Fatal("Values is nil")
	}
	seen := make(map[string]bool, len(f.Order))
	for _, name := range f.Order {
		if seen[name] {
			t.Fatalf("Order has %q twice", name)
		}
		seen[name] = true
		vs, ok := f.Values[name]
		if !ok || len(vs) == 0 {
			t.Fatalf("Order name %q has no values", name)
		}
		if !utf8.ValidString(name) {
			t.Fatalf("name %q is not valid UTF-8", name)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				t.Fatalf("value %q is not valid UTF-8", v)
			}
		}
		if v, present := f.Get(name); !present || v != vs[0] {
			t.Fatalf("Get(%q) = %q, %v", name, v, present)
		}
	}
	if len(seen) != len(f.Values) {
		t.Fatalf("Values has %d names, Order %d", len(f.Values), len(seen))
	}
	dups := make(map[string]bool, len(f.Duplicates))
	for _, name := range f.Duplicates {
		if dups[name] {
			t.Fatalf("Duplicates has %q twice", name)
		}
		dups[name] = true
		if len(f.Values[name]) < 2 {
			t.Fatalf("duplicate %q has %d values", name, len(f.Values[name]))
		}
	}
	for name, vs := range f.Values {
		if len(vs) > 1 && !dups[name] {
			t.Fatalf("%q has %d values but is not in Duplicates", name, len(vs))
		}
	}
}
