package request

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// want is what a test expects of a parsed request. Every field is checked;
// notes lists substrings that must each appear in some note, and noNotes
// demands that there be none at all.
type want struct {
	kind        string
	method      string
	url         string
	contentType string
	ctKnown     bool
	ctImplied   bool
	formEncoded bool // IsFormURLEncoded
	body        string
	form        map[string][]string
	order       []string
	dups        []string
	headers     map[string][]string // checked only when not nil
	notes       []string
	noNotes     bool
}

func checkRequest(t *testing.T, r *Request, w want) {
	t.Helper()
	if r.Kind != w.kind {
		t.Errorf("Kind = %q, want %q", r.Kind, w.kind)
	}
	if r.Method != w.method {
		t.Errorf("Method = %q, want %q", r.Method, w.method)
	}
	if r.URL != w.url {
		t.Errorf("URL = %q, want %q", r.URL, w.url)
	}
	if r.ContentType != w.contentType {
		t.Errorf("ContentType = %q, want %q", r.ContentType, w.contentType)
	}
	if r.ContentTypeKnown != w.ctKnown {
		t.Errorf("ContentTypeKnown = %v, want %v", r.ContentTypeKnown, w.ctKnown)
	}
	if r.ContentTypeImplied != w.ctImplied {
		t.Errorf("ContentTypeImplied = %v, want %v", r.ContentTypeImplied, w.ctImplied)
	}
	if got := r.IsFormURLEncoded(); got != w.formEncoded {
		t.Errorf("IsFormURLEncoded() = %v, want %v", got, w.formEncoded)
	}
	if r.Body != w.body {
		t.Errorf("Body = %q, want %q", r.Body, w.body)
	}
	if r.Form == nil {
		t.Fatalf("Form is nil")
	}
	checkForm(t, r.Form, w.form, w.order, w.dups)
	if w.headers != nil && !reflect.DeepEqual(r.Headers, w.headers) {
		t.Errorf("Headers = %v, want %v", r.Headers, w.headers)
	}
	for _, sub := range w.notes {
		if !hasNote(r.Notes, sub) {
			t.Errorf("no note contains %q; notes: %q", sub, r.Notes)
		}
	}
	if w.noNotes && len(r.Notes) > 0 {
		t.Errorf("unexpected notes: %q", r.Notes)
	}
}

func checkForm(t *testing.T, f *Form, values map[string][]string, order, dups []string) {
	t.Helper()
	if values == nil {
		values = map[string][]string{}
	}
	if !reflect.DeepEqual(f.Values, values) {
		t.Errorf("Form.Values = %q, want %q", f.Values, values)
	}
	if len(f.Order) != len(order) || (len(order) > 0 && !reflect.DeepEqual(f.Order, order)) {
		t.Errorf("Form.Order = %q, want %q", f.Order, order)
	}
	if len(f.Duplicates) != len(dups) || (len(dups) > 0 && !reflect.DeepEqual(f.Duplicates, dups)) {
		t.Errorf("Form.Duplicates = %q, want %q", f.Duplicates, dups)
	}
}

func hasNote(notes []string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

const (
	formCT       = "application/x-www-form-urlencoded"
	assertionTyp = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	assertionEnc = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
	jwt          = "eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJhcHAifQ.c2ln"
	fullBody     = "grant_type=client_credentials&client_assertion_type=" + assertionEnc + "&client_assertion=" + jwt
)

// fullForm is what fullBody parses to.
var (
	fullForm = map[string][]string{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {assertionTyp},
		"client_assertion":      {jwt},
	}
	fullOrder = []string{"grant_type", "client_assertion_type", "client_assertion"}
)

func TestParseHTTP(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want want
	}{
		{
			name: "crlf with content length and odd header case",
			in: "POST /v2/auth/token HTTP/1.1\r\nhOST: auth.example.com\r\ncontent-TYPE: application/x-www-form-urlencoded\r\n" +
				"CONTENT-LENGTH: 29\r\n\r\ngrant_type=client_credentials",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://auth.example.com/v2/auth/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body:  "grant_type=client_credentials",
				form:  map[string][]string{"grant_type": {"client_credentials"}},
				order: []string{"grant_type"},
				headers: map[string][]string{
					"Host": {"auth.example.com"}, "Content-Type": {formCT}, "Content-Length": {"29"},
				},
				noNotes: true,
			},
		},
		{
			name: "lf endings, no trailing newline, no content length",
			in:   "POST /token HTTP/1.1\nHost: h.example\nContent-Type: application/x-www-form-urlencoded\n\n" + fullBody,
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h.example/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body: fullBody, form: fullForm, order: fullOrder,
				notes: []string{"no Content-Length or Transfer-Encoding"},
			},
		},
		{
			name: "leading blank lines and trailing newline beyond content length are paste artefacts",
			in:   "\n\r\n  POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b\r\n\r\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=b", form: map[string][]string{"a": {"b"}}, order: []string{"a"},
				noNotes: true,
			},
		},
		{
			name: "body longer than content length keeps the declared length",
			in:   "POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2&c=3",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body: "a=1&b=2", form: map[string][]string{"a": {"1"}, "b": {"2"}}, order: []string{"a", "b"},
				notes: []string{"body is longer than Content-Length (7 bytes); the 4 bytes after it were dropped"},
			},
		},
		{
			name: "body shorter than content length",
			in:   "POST /token HTTP/1.1\nHost: h\nContent-Length: 10\n\na=1",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				notes: []string{"body is shorter than Content-Length (3 of 10 bytes)"},
			},
		},
		{
			name: "invalid content length is ignored",
			in:   "POST /token HTTP/1.1\nHost: h\nContent-Length: ten\n\na=1\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				notes: []string{`Content-Length "ten" is not a valid length`},
			},
		},
		{
			name: "chunked body with crlf",
			in: "POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"4\r\na=1&\r\n3;ext=1\r\nb=2\r\n0\r\nX-Trailer: 1\r\n\r\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body: "a=1&b=2", form: map[string][]string{"a": {"1"}, "b": {"2"}}, order: []string{"a", "b"},
				noNotes: true,
			},
		},
		{
			name: "chunked body with lf and no final chunk",
			in:   "POST /token HTTP/1.1\nHost: h\nTransfer-Encoding: Chunked\n\n9\na=1&b=2&c\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=1&b=2&c", form: map[string][]string{"a": {"1"}, "b": {"2"}, "c": {""}}, order: []string{"a", "b", "c"},
				notes: []string{"no final zero-size chunk"},
			},
		},
		{
			name: "malformed chunked body is read as it is",
			in:   "POST /token HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nContent-Length: 3\n\na=1&b=2\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=1&b=2", form: map[string][]string{"a": {"1"}, "b": {"2"}}, order: []string{"a", "b"},
				notes: []string{"chunked body is malformed", "both Content-Length and Transfer-Encoding"},
			},
		},
		{
			name: "absolute target",
			in:   "POST https://auth.example.com/token?x=1 HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded;charset=utf-8\r\n\r\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://auth.example.com/token?x=1",
				contentType: "application/x-www-form-urlencoded;charset=utf-8", ctKnown: true, formEncoded: true,
				noNotes: true,
			},
		},
		{
			name: "no host header",
			in:   "POST /token HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
			want: want{
				kind: KindHTTP, method: "POST", url: "/token",
				contentType: "application/json", ctKnown: true,
				body: "{}", form: map[string][]string{"{}": {""}}, order: []string{"{}"},
				notes: []string{"no Host header"},
			},
		},
		{
			name: "missing content type",
			in:   "POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token", ctKnown: true,
				body: "a=b", form: map[string][]string{"a": {"b"}}, order: []string{"a"},
				noNotes: true,
			},
		},
		{
			name: "wrong content type",
			in:   "POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token",
				contentType: "text/plain", ctKnown: true,
				notes: []string{"more than one Content-Type"},
			},
		},
		{
			name: "missing blank line before the body",
			in:   "POST /token HTTP/1.1\nHost: h\nContent-Type: application/x-www-form-urlencoded\ngrant_type=client_credentials&client_assertion_type=urn:ietf\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body:  "grant_type=client_credentials&client_assertion_type=urn:ietf",
				form:  map[string][]string{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf"}},
				order: []string{"grant_type", "client_assertion_type"},
				notes: []string{"no blank line between the headers and the body"},
			},
		},
		{
			name: "folded header, space before colon, junk line, lower-case method",
			in:   "post /token HTTP/1.0\nHost : h\nContent-Type: application/x-www-form-urlencoded;\n  charset=utf-8\njunk line\n\n",
			want: want{
				kind: KindHTTP, method: "post", url: "https://h/token",
				contentType: "application/x-www-form-urlencoded; charset=utf-8", ctKnown: true, formEncoded: true,
				notes: []string{"not upper case", "folded", "spaces before the colon", `"junk line" is not a header`},
			},
		},
		{
			name: "request line without version, as in .http files",
			in:   "POST https://auth.example.com/token\nContent-Type: application/x-www-form-urlencoded\n\na=1",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://auth.example.com/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				notes: []string{"no HTTP version"},
			},
		},
		{
			name: "multipart body",
			in: "POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\r\n" +
				"--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n" +
				"--XyZ\r\nContent-Disposition: form-data; name=\"key\"; filename=\"k.pem\"\r\n\r\nPEM\r\n--XyZ--\r\n",
			want: want{
				kind: KindHTTP, method: "POST", url: "https://h/token",
				contentType: "multipart/form-data; boundary=XyZ", ctKnown: true,
				body: "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n" +
					"--XyZ\r\nContent-Disposition: form-data; name=\"key\"; filename=\"k.pem\"\r\n\r\nPEM\r\n--XyZ--",
				form:  map[string][]string{"grant_type": {"client_credentials"}},
				order: []string{"grant_type"},
				notes: []string{"body but no Content-Length", `field "key" is a file`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRequest(t, r, tt.want)
		})
	}
}

func TestParseFormBody(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want want
	}{
		{
			name: "surrounding whitespace and newlines",
			in:   "\n\t  " + fullBody + "  \r\n\n",
			want: want{kind: KindForm, body: fullBody, form: fullForm, order: fullOrder, noNotes: true},
		},
		{
			name: "duplicates, plus as space, lenient escapes",
			in:   "grant_type=client_credentials&scope=a+b%20c&client_assertion=x%zz&client_assertion=y%2&grant_type=other",
			want: want{
				kind: KindForm,
				body: "grant_type=client_credentials&scope=a+b%20c&client_assertion=x%zz&client_assertion=y%2&grant_type=other",
				form: map[string][]string{
					"grant_type":       {"client_credentials", "other"},
					"scope":            {"a b c"},
					"client_assertion": {"x%zz", "y%2"},
				},
				order: []string{"grant_type", "scope", "client_assertion"},
				dups:  []string{"client_assertion", "grant_type"},
				notes: []string{"invalid percent escapes"},
			},
		},
		{
			name: "a single pair",
			in:   "client_assertion=" + jwt,
			want: want{
				kind: KindForm, body: "client_assertion=" + jwt,
				form: map[string][]string{"client_assertion": {jwt}}, order: []string{"client_assertion"},
				noNotes: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRequest(t, r, tt.want)
		})
	}
}

func TestParseCurl(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want want
	}{
		{
			name: "multi-line with prompt, explicit content type, pipe",
			in: "$ curl -X POST https://auth.example.com/token \\\n" +
				"  -H 'Content-Type: application/x-www-form-urlencoded' \\\n" +
				"  -d 'grant_type=client_credentials' \\\n" +
				"  --data-urlencode 'client_assertion_type=" + assertionTyp + "' \\\n" +
				"  --data \"client_assertion=" + jwt + "\" | jq .\n",
			want: want{
				kind: KindCurl, method: "POST", url: "https://auth.example.com/token",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body: fullBody, form: fullForm, order: fullOrder,
				headers: map[string][]string{"Content-Type": {formCT}},
				notes:   []string{"text after the curl command was ignored"},
			},
		},
		{
			name: "curl default content type is implied",
			in:   "curl https://h/token -d grant_type=client_credentials",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/token",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "grant_type=client_credentials", form: map[string][]string{"grant_type": {"client_credentials"}},
				order: []string{"grant_type"}, noNotes: true,
			},
		},
		{
			name: "no data means GET and no content type",
			in:   "curl https://h/.well-known/openid-configuration",
			want: want{
				kind: KindCurl, method: "GET", url: "https://h/.well-known/openid-configuration", ctKnown: true,
				noNotes: true,
			},
		},
		{
			name: "data-urlencode forms",
			in: `curl https://h/t --data-urlencode 'a b&c' --data-urlencode '=x=y z' --data-urlencode 'n=v/+~' ` +
				`--data-urlencode @file.txt --data-urlencode name@file.txt --data-urlencode 'e='`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body:  "a%20b%26c&x%3Dy%20z&n=v%2F%2B~&e=",
				form:  map[string][]string{"a b&c": {""}, "x=y z": {""}, "n": {"v/+~"}, "e": {""}},
				order: []string{"a b&c", "x=y z", "n", "e"},
				notes: []string{`"@file.txt" reads a file`, `"name@file.txt" reads a file`},
			},
		},
		{
			name: "all data options joined with &, files skipped, data-raw keeps @",
			in: `curl -d a=1 --data b=2 --data-ascii c=3 --data-binary 'd=4' --data-raw '@e=5' -d @body.txt ` +
				`--data-binary @- https://h/t`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body:  "a=1&b=2&c=3&d=4&@e=5",
				form:  map[string][]string{"a": {"1"}, "b": {"2"}, "c": {"3"}, "d": {"4"}, "@e": {"5"}},
				order: []string{"a", "b", "c", "d", "@e"},
				notes: []string{`-d @"body.txt" reads a file`, "--data-binary @- reads stdin"},
			},
		},
		{
			name: "glued short options, cluster and --request, --url, -u",
			in:   `curl -sSXPUT -HContent-Type:application/x-www-form-urlencoded\;charset=UTF-8 -H'accept: */*' -u id:secret --url https://h/t -da=1`,
			want: want{
				kind: KindCurl, method: "PUT", url: "https://h/t",
				contentType: "application/x-www-form-urlencoded;charset=UTF-8", ctKnown: true, formEncoded: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"}, "Accept": {"*/*"}},
				notes:   []string{"-u sends basic authentication credentials"},
			},
		},
		{
			name: "--header and --request long forms, wrong content type",
			in:   `curl --request POST --header "Content-Type: application/json" --data '{"grant_type":"client_credentials"}' https://h/t`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: "application/json", ctKnown: true,
				body:    `{"grant_type":"client_credentials"}`,
				form:    map[string][]string{`{"grant_type":"client_credentials"}`: {""}},
				order:   []string{`{"grant_type":"client_credentials"}`},
				noNotes: true,
			},
		},
		{
			name: "--json sets application/json and concatenates",
			in:   `curl --json '{"a":' --json '1}' https://h/t`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: "application/json", ctKnown: true, ctImplied: true,
				body: `{"a":1}`, form: map[string][]string{`{"a":1}`: {""}}, order: []string{`{"a":1}`},
				noNotes: true,
			},
		},
		{
			name: "-F makes a multipart body",
			in:   `curl -F grant_type=client_credentials -F 'client_assertion="` + jwt + `"' --form 'note=x;type=text/plain' -F key=@key.pem https://h/t`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: "multipart/form-data; boundary=" + multipartBoundaryText, ctKnown: true, ctImplied: true,
				body: "--" + multipartBoundaryText + "\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n" +
					"--" + multipartBoundaryText + "\r\nContent-Disposition: form-data; name=\"client_assertion\"\r\n\r\n" + jwt + "\r\n" +
					"--" + multipartBoundaryText + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n" +
					"--" + multipartBoundaryText + "--\r\n",
				form:  map[string][]string{"grant_type": {"client_credentials"}, "client_assertion": {jwt}, "note": {"x"}},
				order: []string{"grant_type", "client_assertion", "note"},
				notes: []string{`field "key" uploads a file`},
			},
		},
		{
			name: "-G puts data in the query",
			in:   `curl -G https://h/t?x=1 -d a=1 --data-urlencode 'b=c d'`,
			want: want{
				kind: KindCurl, method: "GET", url: "https://h/t?x=1&a=1&b=c%20d", ctKnown: true,
				notes: []string{"-G sends the data in the URL query string"},
			},
		},
		{
			name: "double quotes with escapes and unexpanded variable",
			in:   `curl https://h/t -d "a=\"q\"&b=\\&c=\$HOME&d=\x&e=$JWT&f=${TOKEN}"`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body:  `a="q"&b=\&c=$HOME&d=\x&e=$JWT&f=${TOKEN}`,
				form:  map[string][]string{"a": {`"q"`}, "b": {`\`}, "c": {"$HOME"}, "d": {`\x`}, "e": {"$JWT"}, "f": {"${TOKEN}"}},
				order: []string{"a", "b", "c", "d", "e", "f"},
				notes: []string{"shell variable $JWT was not expanded", "shell variable $TOKEN was not expanded"},
			},
		},
		{
			name: "ANSI-C quotes",
			in:   `curl $'https://h/t\x3fq=1' -d $'a=\'b\'\tc\u00e9\101\n'`,
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t?q=1",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a='b'\tcéA\n", form: map[string][]string{"a": {"'b'\tcéA\n"}}, order: []string{"a"},
				noNotes: true,
			},
		},
		{
			name: "single quotes span lines, unquoted backslash escapes",
			in:   "curl https://h/t -d 'a=1\nb=2' -d c\\&d=\\ 3",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a=1\nb=2&c&d= 3", form: map[string][]string{"a": {"1\nb=2"}, "c": {""}, "d": {" 3"}},
				order: []string{"a", "c", "d"}, noNotes: true,
			},
		},
		{
			name: "crlf continuations, backslash before trailing spaces, lost continuation",
			in:   "curl https://h/t \\\r\n  -d a=1 \\   \r\n  -d b=2\r\n  -d c=3\r\n",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a=1&b=2&c=3", form: map[string][]string{"a": {"1"}, "b": {"2"}, "c": {"3"}},
				order: []string{"a", "b", "c"},
				notes: []string{"backslash is followed by spaces", "line break has no continuation character"},
			},
		},
		{
			name: "windows cmd caret continuation and msvc quoting",
			in: "curl.exe -X POST \"https://h/t\" ^\r\n  -H \"Content-Type: application/x-www-form-urlencoded\" ^\r\n" +
				"  -d \"a=\\\"q\\\"\" ^\r\n  -d b=x^&y ^\r\n  -d \"c=%JWT%&d=%3A\"\r\n",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body:  `a="q"&b=x&y&c=%JWT%&d=%3A`,
				form:  map[string][]string{"a": {`"q"`}, "b": {"x"}, "y": {""}, "c": {"%JWT%"}, "d": {":"}},
				order: []string{"a", "b", "y", "c", "d"},
				notes: []string{"environment variable %JWT% was not expanded", "invalid percent escapes"},
			},
		},
		{
			name: "powershell backtick continuation",
			in: "curl.exe https://h/t `\n  -H 'Content-Type: application/x-www-form-urlencoded' `\n" +
				"  -d 'a=it''s' `\n  -d \"b=`\"q`\"&c=$token\"\n",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, formEncoded: true,
				body:  `a=it's&b="q"&c=$token`,
				form:  map[string][]string{"a": {"it's"}, "b": {`"q"`}, "c": {"$token"}},
				order: []string{"a", "b", "c"},
				notes: []string{"variable $token was not expanded"},
			},
		},
		{
			name: "path to curl, empty content type header removes it",
			in:   "/usr/bin/curl -H 'Content-Type:' -d a=1 https://h/t",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t", ctKnown: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				notes: []string{`"Content-Type:" with no value`},
			},
		},
		{
			name: "empty header with semicolon, --opt=value, no scheme, unknown option",
			in:   "curl --data=a=1 -H 'Content-Type;' --frobnicate h.example/t",
			want: want{
				kind: KindCurl, method: "POST", url: "http://h.example/t", ctKnown: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				headers: map[string][]string{"Content-Type": {""}},
				notes:   []string{"curl does not accept", "URL has no scheme", `unknown curl option "--frobnicate"`},
			},
		},
		{
			name: "unquoted ampersand, redirection, comment, end of options",
			in:   "curl -s -o /dev/null 2>&1 -d a=1&b=2 -- https://h/t # get a token\n",
			want: want{
				kind: KindCurl, method: "POST", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a=1&b=2", form: map[string][]string{"a": {"1"}, "b": {"2"}}, order: []string{"a", "b"},
				notes: []string{"unquoted & would end the command"},
			},
		},
		{
			name: "unterminated quote and more than one URL",
			in:   "curl https://a/t https://b/t -d 'a=1",
			want: want{
				kind: KindCurl, method: "POST", url: "https://a/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				notes: []string{"unterminated single quote", "more than one URL"},
			},
		},
		{
			// Found by FuzzParse: "-H:0" gave a header with an empty name.
			name: "header with an empty name is skipped",
			in:   "Curl -H:0 -H 'bad name: x' h",
			want: want{
				kind: KindCurl, method: "GET", url: "http://h", ctKnown: true,
				notes: []string{`header ":0" has an invalid name`, `header "bad name: x" has an invalid name`},
			},
		},
		{
			// Found by FuzzParse: a -F field name that is not valid UTF-8.
			name: "form field name that is not UTF-8",
			in:   "Curl -F\xdf= h",
			want: want{
				kind: KindCurl, method: "POST", url: "http://h", ctKnown: true, ctImplied: true,
				contentType: "multipart/form-data; boundary=" + multipartBoundaryText,
				body:        "--" + multipartBoundaryText + "\r\nContent-Disposition: form-data; name=\"\xdf\"\r\n\r\n\r\n--" + multipartBoundaryText + "--\r\n",
				form:        map[string][]string{"\uFFFD": {""}}, order: []string{"\uFFFD"},
			},
		},
		{
			name: "semicolon ends the command, --url-query, -I",
			in:   "curl -I --url-query 'a=b c' --url-query +x=%41 https://h/t; echo done",
			want: want{
				kind: KindCurl, method: "HEAD", url: "https://h/t?a=b%20c&x=%41", ctKnown: true,
				notes: []string{"text after the curl command was ignored"},
			},
		},
		{
			name: "head and explicit GET with data",
			in:   "curl -X GET -d a=1 https://h/t",
			want: want{
				kind: KindCurl, method: "GET", url: "https://h/t",
				contentType: formCT, ctKnown: true, ctImplied: true, formEncoded: true,
				body: "a=1", form: map[string][]string{"a": {"1"}}, order: []string{"a"},
				noNotes: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRequest(t, r, tt.want)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"empty", "", "request is empty"},
		{"whitespace", " \r\n\t\n", "request is empty"},
		{"bom only", "\uFEFF\n", "request is empty"},
		{"binary", "\x00\x01\x02\xff\xfe", "request is binary data, not an HTTP request, a form body or a curl command"},
		{"invalid utf-8", "\xff\xfe\xfd", "request is binary data, not an HTTP request, a form body or a curl command"},
		{"random text", "hello there, this is not a request", "request is not an HTTP request, a form body or a curl command"},
		{"text with equals and spaces", "a = b", "request is not an HTTP request, a form body or a curl command"},
		{"word without equals", "grant_type", "request is not an HTTP request, a form body or a curl command"},
		{"json", `{"grant_type": "client_credentials"}`, "request is JSON, not an HTTP request, a form body or a curl command"},
		{"jwt", jwt, "request is a bare JWT, not an HTTP request, a form body or a curl command"},
		{"url", "https://auth.example.com/token", "request is a URL, not an HTTP request, a form body or a curl command"},
		{"url with query", "https://h/token?grant_type=client_credentials&a=b", "request is a URL, not an HTTP request, a form body or a curl command"},
		{"wget", "wget --post-data a=b https://h/t", "request is not an HTTP request, a form body or a curl command"},
		{"curl-like word", "curling=fun", ""}, // a form body, not an error
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.in))
			if tt.err == "" {
				if err != nil || r.Kind != KindForm {
					t.Fatalf("Parse = %+v, %v; want a form body", r, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", r, tt.err)
			}
			if r != nil {
				t.Errorf("Parse returned a request with its error")
			}
			if err.Error() != tt.err {
				t.Errorf("error = %q, want %q", err, tt.err)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		in     string
		values map[string][]string
		order  []string
		dups   []string
	}{
		{"", nil, nil, nil},
		{"&&&", nil, nil, nil},
		{"a=1", map[string][]string{"a": {"1"}}, []string{"a"}, nil},
		{"a", map[string][]string{"a": {""}}, []string{"a"}, nil},
		{"=x", map[string][]string{"": {"x"}}, []string{""}, nil},
		{"a=b=c", map[string][]string{"a": {"b=c"}}, []string{"a"}, nil},
		{"a=1&&b=2&", map[string][]string{"a": {"1"}, "b": {"2"}}, []string{"a", "b"}, nil},
		{"a+b=c+d", map[string][]string{"a b": {"c d"}}, []string{"a b"}, nil},
		{"a=%2B%2b%20", map[string][]string{"a": {"++ "}}, []string{"a"}, nil},
		{"a=%", map[string][]string{"a": {"%"}}, []string{"a"}, nil},
		{"a=%4", map[string][]string{"a": {"%4"}}, []string{"a"}, nil},
		{"a=%G1%41", map[string][]string{"a": {"%G1A"}}, []string{"a"}, nil},
		{"a=%%41", map[string][]string{"a": {"%A"}}, []string{"a"}, nil},
		{"a=%C3%A9", map[string][]string{"a": {"é"}}, []string{"a"}, nil},
		{"a=%FF", map[string][]string{"a": {"\uFFFD"}}, []string{"a"}, nil},
		{"a=\xff", map[string][]string{"a": {"\uFFFD"}}, []string{"a"}, nil},
		{"x[y]=1", map[string][]string{"x[y]": {"1"}}, []string{"x[y]"}, nil},
		{"b=1&a=2&b=3&a=4&b=5&c=6", map[string][]string{"b": {"1", "3", "5"}, "a": {"2", "4"}, "c": {"6"}}, []string{"b", "a", "c"}, []string{"b", "a"}},
		{"a%3Db=c%26d", map[string][]string{"a=b": {"c&d"}}, []string{"a=b"}, nil},
		// Quirks of Node's querystring, checked against Node 20.
		{"a=é%zz", map[string][]string{"a": {"é%zz"}}, []string{"a"}, nil},
		{"%C3%A9=é%zz", map[string][]string{"é": {"\uFFFD%zz"}}, []string{"é"}, nil},
		{"%41%42=é%", map[string][]string{"AB": {"\uFFFD%"}}, []string{"AB"}, nil},
		{"a=é%4+1", map[string][]string{"a": {"\uFFFD%4 1"}}, []string{"a"}, nil},
		{"a=%F0%9F%98%80", map[string][]string{"a": {"😀"}}, []string{"a"}, nil},
		{"a=😀%zz%41", map[string][]string{"a": {"=\x00%zzA"}}, []string{"a"}, nil},
		{"a=%E2%82", map[string][]string{"a": {"\uFFFD"}}, []string{"a"}, nil},
		{"a=%E2%82%41", map[string][]string{"a": {"\uFFFDA"}}, []string{"a"}, nil},
		{"a=%ED%A0%80", map[string][]string{"a": {"\uFFFD\uFFFD\uFFFD"}}, []string{"a"}, nil},
		{"a=\xe2\x82b", map[string][]string{"a": {"\uFFFDb"}}, []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkForm(t, ParseForm(tt.in), tt.values, tt.order, tt.dups)
		})
	}
}

func TestFormGet(t *testing.T) {
	f := ParseForm("a=1&a=2&b=&c")
	for _, tt := range []struct {
		name, value string
		present     bool
	}{
		{"a", "1", true},
		{"b", "", true},
		{"c", "", true},
		{"d", "", false},
	} {
		v, ok := f.Get(tt.name)
		if v != tt.value || ok != tt.present {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.name, v, ok, tt.value, tt.present)
		}
	}
	var nilForm *Form
	if v, ok := nilForm.Get("a"); v != "" || ok {
		t.Errorf("nil Form Get = %q, %v", v, ok)
	}
}

func TestIsFormURLEncoded(t *testing.T) {
	for _, tt := range []struct {
		ct   string
		want bool
	}{
		{"application/x-www-form-urlencoded", true},
		{"Application/X-WWW-Form-URLEncoded", true},
		{"  application/x-www-form-urlencoded  ", true},
		{"application/x-www-form-urlencoded; charset=UTF-8", true},
		{"application/x-www-form-urlencoded ;charset=utf-8;foo=bar", true},
		{"application/x-www-form-urlencoded;", true},
		{"", false},
		{"application/json", false},
		{"multipart/form-data; boundary=x", false},
		{"application/x-www-form-urlencodedx", false},
		{"text/plain; x=application/x-www-form-urlencoded", false},
	} {
		r := &Request{ContentType: tt.ct, ContentTypeKnown: true}
		if got := r.IsFormURLEncoded(); got != tt.want {
			t.Errorf("IsFormURLEncoded(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
	var nilReq *Request
	if nilReq.IsFormURLEncoded() {
		t.Error("nil request is form-encoded")
	}
}

// TestSeeds parses every seed file and checks what each one holds.
func TestSeeds(t *testing.T) {
	type seedWant struct {
		kind, method, url, contentType string
		implied                        bool
		get                            map[string]string
		notes                          []string
	}
	seeds := map[string]seedWant{
		"http_crlf.txt": {kind: KindHTTP, method: "POST", url: "https://auth.example.com/v2/auth/token",
			contentType: "application/x-www-form-urlencoded; charset=UTF-8",
			get:         map[string]string{"grant_type": "client_credentials", "client_assertion_type": assertionTyp, "scope": "system/Observation.rs"}},
		"http_lf.txt": {kind: KindHTTP, method: "post", url: "https://fhir.example.org/oauth2/token", contentType: formCT,
			get:   map[string]string{"client_assertion_type": assertionTyp},
			notes: []string{"not upper case"}},
		"http_chunked.txt": {kind: KindHTTP, method: "POST", url: "https://auth.example.com/token", contentType: formCT,
			get: map[string]string{"grant_type": "client_credentials", "client_assertion": "e"}},
		"form.txt": {kind: KindForm, get: map[string]string{"client_assertion_type": assertionTyp, "scope": "system/*.read launch/patient"}},
		"curl_multiline.sh": {kind: KindCurl, method: "POST", url: "https://auth.example.com/v2/auth/token", contentType: formCT,
			get:   map[string]string{"scope": "system/Patient.rs", "client_assertion_type": assertionTyp},
			notes: []string{"text after the curl command was ignored"}},
		"curl_urlencode.sh": {kind: KindCurl, method: "POST", url: "https://auth.example.com/oauth2/token", contentType: formCT,
			get:   map[string]string{"client_assertion_type": assertionTyp, "client_assertion": "${CLIENT_ASSERTION}", "scope=system/*.read": ""},
			notes: []string{"$CLIENT_ASSERTION was not expanded", `"client_id@client_id.txt" reads a file`}},
		"curl_windows.cmd": {kind: KindCurl, method: "POST", url: "https://auth.example.com/v2/auth/token", contentType: formCT,
			get: map[string]string{"client_assertion": jwt, "client_assertion_type": assertionTyp}},
		"curl_powershell.ps1": {kind: KindCurl, method: "POST", url: "https://auth.example.com/v2/auth/token", contentType: formCT,
			get:   map[string]string{"client_assertion": "$assertion", "grant_type": "client_credentials"},
			notes: []string{"variable $assertion was not expanded"}},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, file := range files {
		if st, err := os.Stat(file); err != nil || st.IsDir() {
			continue
		}
		name := filepath.Base(file)
		w, ok := seeds[name]
		if !ok {
			t.Errorf("seed %s has no expectations in TestSeeds", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if r.Kind != w.kind || r.Method != w.method || r.URL != w.url || r.ContentType != w.contentType || r.ContentTypeImplied != w.implied {
				t.Errorf("got kind %q method %q url %q content type %q implied %v; want %q %q %q %q %v",
					r.Kind, r.Method, r.URL, r.ContentType, r.ContentTypeImplied, w.kind, w.method, w.url, w.contentType, w.implied)
			}
			if w.kind != KindForm && !r.IsFormURLEncoded() {
				t.Errorf("IsFormURLEncoded() = false")
			}
			for k, v := range w.get {
				if got, ok := r.Form.Get(k); !ok || got != v {
					t.Errorf("Form.Get(%q) = %q, %v; want %q", k, got, ok, v)
				}
			}
			for _, sub := range w.notes {
				if !hasNote(r.Notes, sub) {
					t.Errorf("no note contains %q; notes: %q", sub, r.Notes)
				}
			}
			if len(w.notes) == 0 && len(r.Notes) > 0 {
				t.Errorf("unexpected notes: %q", r.Notes)
			}
		})
	}
	if seen != len(seeds) {
		t.Errorf("found %d of %d seed files", seen, len(seeds))
	}
}

func TestJSONFieldNames(t *testing.T) {
	r, err := Parse([]byte("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"form","content_type":"","content_type_known":false,"body":"a=1"}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestNotesAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("POST /t HTTP/1.1\n")
	for i := range 200 {
		fmt.Fprintf(&b, "junk %d\n", i)
	}
	r, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != maxNotes+1 || r.Notes[maxNotes] != "further notes were left out" {
		t.Errorf("got %d notes, last %q", len(r.Notes), r.Notes[len(r.Notes)-1])
	}
}

func TestMultipartFieldCap(t *testing.T) {
	in := "curl https://h/t" + strings.Repeat(" -F a=b", maxMultipartFields+5)
	r, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Form.Values["a"]); got != maxMultipartFields {
		t.Errorf("read %d fields, want %d", got, maxMultipartFields)
	}
	if !hasNote(r.Notes, "only the first 1000 multipart fields were read") {
		t.Errorf("notes: %q", r.Notes)
	}
}
