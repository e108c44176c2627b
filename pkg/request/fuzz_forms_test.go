package request

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// One fuzz target per form that --request accepts. Each wraps the fuzzed
// bytes so that Parse stays inside that form, checks what every parse must
// satisfy, and checks a round trip: a value encoded the way that form
// encodes it must come back byte for byte.
//
//	go test ./pkg/request -run '^$' -fuzz '^FuzzRequestHTTP$' -fuzztime 5m
//	go test ./pkg/request -run '^$' -fuzz '^FuzzRequestFormBody$' -fuzztime 5m
//	go test ./pkg/request -run '^$' -fuzz '^FuzzRequestCurlPOSIX$' -fuzztime 5m
//	go test ./pkg/request -run '^$' -fuzz '^FuzzRequestCurlPowerShell$' -fuzztime 5m
//	go test ./pkg/request -run '^$' -fuzz '^FuzzRequestCurlCmd$' -fuzztime 5m

var formSeeds = []string{
	"",
	"a",
	"a b",
	"eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln",
	"%",
	"%zz%4",
	"+",
	"&=&",
	"'\"\\`^$%",
	"$(x) ${y} %PATH% `n",
	"a\nb",
	"\x00\xff\xfe",
	"\u00e9\U0001F600",
}

// checkParsed holds for the result of Parse on any input.
func checkParsed(t *testing.T, r *Request, err error, wantKind string) {
	t.Helper()
	if err != nil {
		t.Fatalf("a %s request did not parse: %v", wantKind, err)
	}
	if r == nil || r.Form == nil {
		t.Fatalf("Parse returned %+v", r)
	}
	if r.Kind != wantKind {
		t.Fatalf("kind %q, want %q", r.Kind, wantKind)
	}
	checkFormInvariants(t, r.Form)
	for _, n := range r.Notes {
		if n == "" || strings.ContainsAny(n, "\r\n") || strings.HasSuffix(n, ".") {
			t.Fatalf("note %q breaks the note style", n)
		}
	}
	if len(r.Notes) > maxNotes+1 {
		t.Fatalf("%d notes", len(r.Notes))
	}
}

func FuzzRequestHTTP(f *testing.F) {
	for _, s := range formSeeds {
		f.Add("Host: h\r\nContent-Type: application/x-www-form-urlencoded", []byte(s), uint8(3))
	}
	f.Add("Transfer-Encoding: chunked", []byte("0\r\n\r\n"), uint8(1))
	f.Add("Content-Length: 5\r\n folded", []byte("a=b&c"), uint8(0))
	f.Add("X: y\nHost : h", []byte("grant_type=x"), uint8(200))
	f.Fuzz(func(t *testing.T, headers string, body []byte, chunk uint8) {
		// Any header block and body: a request line fixes the form.
		r, err := Parse([]byte("POST /token HTTP/1.1\r\n" + headers + "\r\n\r\n" + string(body)))
		checkParsed(t, r, err, KindHTTP)
		if r.Method != "POST" {
			t.Fatalf("method %q", r.Method)
		}

		// Framed by Content-Length, the body comes back exactly.
		framed := "POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + string(body)
		r, err = Parse([]byte(framed))
		checkParsed(t, r, err, KindHTTP)
		if r.Body != string(body) {
			t.Fatalf("Content-Length body %q, want %q", r.Body, body)
		}
		if r.URL != "https://h/token" || !r.IsFormURLEncoded() {
			t.Fatalf("URL %q, content type %q", r.URL, r.ContentType)
		}

		// Chunked in pieces of chunk bytes, it comes back exactly too.
		size := int(chunk)%16 + 1
		var b strings.Builder
		b.WriteString("POST /token HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
		for rest := body; len(rest) > 0; {
			n := min(size, len(rest))
			b.WriteString(strconv.FormatInt(int64(n), 16) + "\r\n")
			b.Write(rest[:n])
			b.WriteString("\r\n")
			rest = rest[n:]
		}
		b.WriteString("0\r\n\r\n")
		r, err = Parse([]byte(b.String()))
		checkParsed(t, r, err, KindHTTP)
		if r.Body != string(body) {
			t.Fatalf("chunked body %q, want %q", r.Body, body)
		}
	})
}

func FuzzRequestFormBody(f *testing.F) {
	for _, s := range formSeeds {
		f.Add(s, s)
	}
	f.Add("client_assertion", "eyJ.eyJ.sig")
	f.Add("a%", "%%41")
	f.Fuzz(func(t *testing.T, name, value string) {
		// Whatever is parsed as a bare form body is read as ParseForm reads
		// it, and carries no request metadata.
		raw := name + "=" + value
		if r, err := Parse([]byte(raw)); err == nil && r.Kind == KindForm {
			checkParsed(t, r, err, KindForm)
			if r.Method != "" || r.URL != "" || r.Headers != nil || r.ContentTypeKnown {
				t.Fatalf("form body with request metadata: %+v", r)
			}
			want := ParseForm(strings.TrimSpace(strings.TrimPrefix(raw, "\uFEFF")))
			if len(want.Order) != len(r.Form.Order) {
				t.Fatalf("Parse read %d names, ParseForm %d", len(r.Form.Order), len(want.Order))
			}
		}

		// A pair encoded as an HTML form encodes it decodes to itself.
		if name == "" || name == "grant_type" || !utf8.ValidString(name) || !utf8.ValidString(value) {
			return
		}
		body := "grant_type=client_credentials&" + url.QueryEscape(name) + "=" + url.QueryEscape(value)
		r, err := Parse([]byte(body))
		checkParsed(t, r, err, KindForm)
		got, ok := r.Form.Get(name)
		if !ok || got != value {
			t.Fatalf("%q decoded to %q (present %v), want %q", body, got, ok, value)
		}
	})
}

// fuzzCurl checks a curl command line whose dialect is fixed by the first
// line's continuation character, and the round trip of one --data-raw word
// quoted for that shell.
func fuzzCurl(t *testing.T, prefix, free, word string, quote func(string) (string, bool)) {
	r, err := Parse([]byte(prefix + "https://h/token " + free))
	checkParsed(t, r, err, KindCurl)
	if r.Method == "" || !r.ContentTypeKnown {
		t.Fatalf("method %q, content type known %v", r.Method, r.ContentTypeKnown)
	}

	quoted, ok := quote(word)
	if !ok {
		return
	}
	cmd := prefix + "https://h/token --data-raw " + quoted
	r, err = Parse([]byte(cmd))
	checkParsed(t, r, err, KindCurl)
	if r.Body != word {
		t.Fatalf("%q: body %q, want %q", cmd, r.Body, word)
	}
	if r.Method != "POST" || r.URL != "https://h/token" || !r.IsFormURLEncoded() {
		t.Fatalf("%q: method %q, URL %q, content type %q", cmd, r.Method, r.URL, r.ContentType)
	}
}

func addCurlSeeds(f *testing.F) {
	for _, s := range formSeeds {
		f.Add(s, s)
	}
	f.Add("-d @file -H 'Content-Type: text/plain'", "grant_type=client_credentials&client_assertion=eyJ.eyJ.s")
	f.Add("-sSXPOST --json '{}' 2>&1 | jq", "a'b\"c")
	f.Add("-F a=@f --form-string b=<c -G", `\"\\`)
}

// A CRLF pair becomes LF before any dialect reads the line, so a word that
// holds one cannot come back unchanged; neither can a NUL in a shell word.
func quotable(word string) bool {
	return !strings.Contains(word, "\r") && !strings.Contains(word, "\x00")
}

func FuzzRequestCurlPOSIX(f *testing.F) {
	addCurlSeeds(f)
	f.Fuzz(func(t *testing.T, free, word string) {
		fuzzCurl(t, "curl \\\n  ", free, word, func(w string) (string, bool) {
			return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'", quotable(w)
		})
	})
}

func FuzzRequestCurlPowerShell(f *testing.F) {
	addCurlSeeds(f)
	f.Fuzz(func(t *testing.T, free, word string) {
		fuzzCurl(t, "curl.exe `\n  ", free, word, func(w string) (string, bool) {
			return "'" + strings.ReplaceAll(w, "'", "''") + "'", quotable(w)
		})
	})
}

func FuzzRequestCurlCmd(f *testing.F) {
	addCurlSeeds(f)
	f.Fuzz(func(t *testing.T, free, word string) {
		fuzzCurl(t, "curl.exe ^\n  ", free, word, func(w string) (string, bool) {
			// cmd.exe ends a command at a line break and expands %NAME%
			// even inside quotes, so such words have no quoted form.
			if !quotable(w) || strings.ContainsAny(w, "\n%") {
				return "", false
			}
			return cmdQuote(w), true
		})
	})
}

// cmdQuote quotes w for curl.exe's C runtime inside cmd.exe: a quote is
// doubled, and backslashes are doubled where they come before a quote.
func cmdQuote(w string) string {
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes))
			slashes = 0
			b.WriteString(`""`)
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
			slashes = 0
			b.WriteByte(c)
		}
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}
