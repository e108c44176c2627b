package request

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const assertionTypeEnc = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"

// curl reads -d @file relative to where it runs; for a saved request that is
// the request file's folder.
func TestParseCurlReadsFilesFromTheBaseDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("body.txt", "grant_type=client_credentials&\r\nclient_assertion_type="+assertionTypeEnc+"\n&client_assertion=a.b.c\n")
	write("raw.bin", "x=1\n")
	write("headers.txt", "Content-Type: application/x-www-form-urlencoded\r\nX-Trace: 7\n")
	write("token.txt", "a b")
	opts := Options{ReadFile: os.ReadFile, BaseDir: dir}

	r, err := ParseWith([]byte("curl https://h/t -d @body.txt"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := "grant_type=client_credentials&client_assertion_type=" + assertionTypeEnc + "&client_assertion=a.b.c"; r.Body != want {
		t.Errorf("body %q, want %q (curl drops CR and LF from -d @file)", r.Body, want)
	}
	if got, _ := r.Form.Get("client_assertion"); got != "a.b.c" {
		t.Errorf("client_assertion %q", got)
	}
	if len(r.Skipped) != 0 {
		t.Errorf("skipped %q, want nothing", r.Skipped)
	}

	r, _ = ParseWith([]byte("curl https://h/t --data-binary @raw.bin -H @headers.txt --data-urlencode t@token.txt"), opts)
	if want := "x=1\n&t=a%20b"; r.Body != want {
		t.Errorf("body %q, want %q (--data-binary keeps line ends)", r.Body, want)
	}
	if r.Headers["X-Trace"] == nil || r.ContentType != "application/x-www-form-urlencoded" || r.ContentTypeImplied {
		t.Errorf("headers from -H @file not read: %v, content type %q", r.Headers, r.ContentType)
	}

	// A relative name is not looked up in the working folder when the base
	// folder is another.
	r, _ = ParseWith([]byte("curl https://h/t -d @body.txt"), Options{ReadFile: os.ReadFile, BaseDir: t.TempDir()})
	if r.Body != "" || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0], "is not there") {
		t.Errorf("missing file: body %q, skipped %q", r.Body, r.Skipped)
	}
}

// What cannot be read makes the request incomplete, and Skipped says what.
func TestParseSkipped(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"curl https://h/t -d @body.txt", `-d @"body.txt" reads a file`},
		{"curl https://h/t --data-binary @-", "--data-binary @- reads stdin"},
		{"curl https://h/t -d client_assertion=$TOKEN", "$TOKEN was not expanded"},
		{"curl https://h/t -d \"client_assertion=$(cat t)\"", "$(...) was not run"},
		{"curl https://h/t -F key=@k.pem", `field "key" uploads a file`},
		{"curl https://h/t -K opts.txt -d a=1", "config file"},
		{"curl https://h/t -H @h.txt -d a=1", `-H @"h.txt" reads a file`},
		{"curl ^\"https://h/t^\" --data-raw ^\"client_assertion=%TOKEN%^\"", "%TOKEN% was not expanded"},
	} {
		r, err := Parse([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !slices.ContainsFunc(r.Skipped, func(s string) bool { return strings.Contains(s, c.want) }) {
			t.Errorf("%s: skipped %q, want one containing %q", c.in, r.Skipped, c.want)
		}
		if !slices.ContainsFunc(r.Notes, func(s string) bool { return strings.Contains(s, c.want) }) {
			t.Errorf("%s: notes %q lack the skipped item", c.in, r.Notes)
		}
	}
	r, _ := Parse([]byte("curl https://h/t -d a=1 -H 'X: 1'"))
	if len(r.Skipped) != 0 {
		t.Errorf("nothing unread, but skipped %q", r.Skipped)
	}
}

// A browser's "Copy as cURL (cmd)" escapes quotes, & and % with ^, on one
// line or several.
func TestParseCmdCaretEscapes(t *testing.T) {
	const tok = "eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln"
	body := `grant_type=client_credentials^&client_assertion_type=urn^%3Aietf^%3Aparams^%3Aoauth^%3Aclient-assertion-type^%3Ajwt-bearer^&client_assertion=` + tok
	for name, in := range map[string]string{
		"several lines": "curl ^\"https://api.redoxengine.com/v2/auth/token^\" ^\r\n  -H ^\"content-type: application/x-www-form-urlencoded^\" ^\r\n  --data-raw ^\"" + body + "^\"\r\n",
		"one line":      "curl ^\"https://api.redoxengine.com/v2/auth/token^\" -H ^\"content-type: application/x-www-form-urlencoded^\" --data-raw ^\"" + body + "^\"",
		"cmd quotes":    `curl.exe "https://api.redoxengine.com/v2/auth/token" -H "content-type: application/x-www-form-urlencoded" --data-raw "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=` + tok + `" ^` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if r.URL != "https://api.redoxengine.com/v2/auth/token" {
				t.Errorf("URL %q", r.URL)
			}
			if !r.IsFormURLEncoded() {
				t.Errorf("content type %q", r.ContentType)
			}
			get := func(name string) string { v, _ := r.Form.Get(name); return v }
			if get("grant_type") != "client_credentials" || get("client_assertion") != tok ||
				get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
				t.Errorf("form read wrongly from body %q", r.Body)
			}
			if len(r.Skipped) != 0 {
				t.Errorf("skipped %q", r.Skipped)
			}
		})
	}
}
