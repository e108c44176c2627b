package doctor

import "testing"

func TestWorkflowCommandEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"100% sure":         "100%25 sure",
		"line one\nline 2":  "line one%0Aline 2",
		"crlf\r\n":          "crlf%0D%0A",
		"a: b, c":           "a: b, c",
		"%0A stays literal": "%250A stays literal",
	} {
		if got := escapeData(in); got != want {
			t.Errorf("escapeData(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"clientassert doctor: kid": "clientassert doctor%3A kid",
		"a,b":                      "a%2Cb",
		"50%\n":                    "50%25%0A",
	} {
		if got := escapeProperty(in); got != want {
			t.Errorf("escapeProperty(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileURI(t *testing.T) {
	for in, want := range map[string]string{
		"deploy/jwks.json":  "deploy/jwks.json",
		"./jwks.json":       "jwks.json",
		"/tmp/key file.pem": "file:///tmp/key%20file.pem",
		"-":                 "stdin",
	} {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}
