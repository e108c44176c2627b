package assertion

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/token"
)

// FuzzSignInput feeds sign arbitrary input: it must never panic, refuse bad
// input with an *Error, and turn anything it accepts into a token whose
// header and payload are JSON objects.
func FuzzSignInput(f *testing.F) {
	for _, s := range []string{
		"", "{}", "[]", "null", `{"iss":"c"}`, `{"header":{},"claims":{}}`,
		`{"header":{"alg":"HS384","kid":7},"claims":{"a":[1,{"b":null}]},"x-clientassert-omit":["typ","kid"]}`,
		`{"header":{"alg":1},"claims":{}}`, `{"claims":{"\u0000":"\ud800"}}`, `{"a":1}{"b":2}`, "\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s))
	}
	key := SecretKey([]byte(strings.Repeat("k", 48)))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseInput(data)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("ParseInput error %T %v is not an *Error", err, err)
			}
			return
		}
		tok, err := Sign(a, key, "", "HS384")
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("Sign error %T %v is not an *Error", err, err)
			}
			return
		}
		parsed := token.Parse(tok)
		if parsed.Header == nil || parsed.Payload == nil {
			t.Fatalf("Sign made %q from %q: header or payload is not a JSON object", tok, data)
		}
	})
}

// FuzzBuildFrom re-creates arbitrary tokens: never a panic, errors are
// *Error, and output is valid JSON.
func FuzzBuildFrom(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "tokens", "*.jwt"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("a.b.c")
	f.Add("..")
	prof, _ := profileGet("redox")
	f.Fuzz(func(t *testing.T, from string) {
		if from == "" {
			return
		}
		a, _, err := Build(BuildOptions{Profile: prof, From: from, Now: testNow})
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("Build error %T %v is not an *Error", err, err)
			}
			return
		}
		out, err := json.Marshal(a)
		if err != nil || !json.Valid(out) {
			t.Fatalf("build output is not JSON: %v %q", err, out)
		}
	})
}
