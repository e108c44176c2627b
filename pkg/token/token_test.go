package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

func TestDecodeLenientMatchesNode(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"eyJhIjoxfQ", `{"a":1}`},
		{"eyJhIjoxfQ==", `{"a":1}`},
		{"eyJh!Ijox fQ", `{"a":1}`}, // stray characters are skipped
		{"eyJhIjoxfQ=garbage", `{"a":1}`},
		{"+/+/", "\xfb\xff\xbf"},
		{"-_-_", "\xfb\xff\xbf"},
		{"QQ", "A"},
		{"QUI", "AB"},
		{"Q", ""}, // a lone trailing character decodes to nothing
		{"", ""},
	}
	for _, c := range cases {
		if got := DecodeLenient(c.in); string(got) != c.want {
			t.Errorf("DecodeLenient(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tok := Parse(b(`{"alg":"RS384","kid":"k"}`) + "." + b(`{"iss":"a","iss":"b"}`) + ".c2ln")
	if !tok.Decodable() || tok.Header["kid"] != "k" || tok.Payload["iss"] != "b" {
		t.Fatalf("parse: %+v", tok)
	}
	if len(tok.DuplicatePayload) != 1 || tok.DuplicatePayload[0] != "iss" {
		t.Errorf("duplicates %v", tok.DuplicatePayload)
	}
	if string(tok.Signature) != "sig" || tok.SigningInput() == "" {
		t.Errorf("signature %q", tok.Signature)
	}

	bad := Parse(b(`{"alg":`) + "." + b(`{}`) + ".")
	if bad.HeaderValid || !bad.PayloadValid || len(bad.Errors) != 1 || bad.Errors[0].Segment != "header" {
		t.Errorf("broken header: %+v", bad.Errors)
	}
	arr := Parse(b(`[1]`) + "." + b(`null`) + ".")
	if !arr.HeaderValid || arr.Header != nil || !arr.PayloadValid || arr.Payload != nil {
		t.Errorf("non-object parts should be valid JSON but not objects: %+v", arr)
	}
	if n := len(Parse("a.b").Segments); n != 2 {
		t.Errorf("segments %d", n)
	}
	stray := Parse("ey!J9." + b(`{}`) + ".")
	if len(stray.Errors) == 0 || stray.Errors[0].Offset != 2 {
		t.Errorf("stray character offset: %+v", stray.Errors)
	}
}

func TestExtract(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  a.b.c \n", "a.b.c"},
		{`"a.b.c"`, "a.b.c"},
		{"'Bearer a.b.c'", "a.b.c"},
		{"bearer a.b.c", "a.b.c"},
		{"grant_type=client_credentials&client_assertion=a.b.c&x=y", "a.b.c"},
		{"client_assertion=a%2Eb%2Ec", "a.b.c"},
	}
	for _, c := range cases {
		if got, _ := Extract(c.in); got != c.want {
			t.Errorf("Extract(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzParse checks the token reader never panics, keeps its invariants and
// reads every token as the multi-pass reference does.
func FuzzParse(f *testing.F) {
	for _, seed := range seedTokens(f) {
		f.Add(seed)
	}
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add("bnVsbA.bnVsbA.")
	f.Fuzz(func(t *testing.T, raw string) {
		tok := Parse(raw)
		compareTokens(t, raw, tok, referenceParse(raw))
		if len(tok.Segments) != 3 {
			if tok.Header != nil || tok.Payload != nil {
				t.Fatal("decoded parts of a token without three segments")
			}
			return
		}
		if tok.Header != nil && !tok.HeaderValid || tok.Payload != nil && !tok.PayloadValid {
			t.Fatal("object decoded from invalid JSON")
		}
		for _, e := range tok.Errors {
			if e.Offset < 0 || e.Offset > len(raw) {
				t.Fatalf("offset %d outside token of %d bytes", e.Offset, len(raw))
			}
		}
		if tok.Decodable() && !bytes.Equal(DecodeLenient(tok.Segments[0]), tok.HeaderJSON) {
			t.Fatal("header bytes differ from a fresh decode")
		}
		if tok.Payload != nil {
			if got, want := tok.DuplicatePayload, referenceDuplicates(nodeutf8.Bytes(tok.PayloadJSON)); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("duplicates %q, reference says %q", got, want)
			}
		}
		Extract(raw)
	})
}

func TestDuplicateMembers(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`{"a":1,"b":2}`, nil},
		{`{"a":1,"a":2}`, []string{"a"}},
		{` { "a" : {"a":1,"a":2} , "b":[1,{"b":"}"}], "a\u0062":"x", "ab" : true } `, []string{"ab"}},
		{`{"x":"\"","x":null,"x":-1.5e3}`, []string{"x"}},
		{`{}`, nil},
	}
	for _, c := range cases {
		var r jsonReader
		_, got, ok := r.read(c.in)
		if !ok || strings.Join(got, "\x00") != strings.Join(c.want, "\x00") {
			t.Errorf("read(%s) duplicates = %q (ok %v), want %q", c.in, got, ok, c.want)
		}
	}
}

// referenceDuplicates is the slow, obviously right version of the
// reader's duplicate detection, built on encoding/json's tokenizer.
func referenceDuplicates(text []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return dups
		}
		name := tok.(string)
		if seen[name] {
			dups = appendOnce(dups, name)
		}
		seen[name] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return dups
		}
	}
	return dups
}

func TestTruthy(t *testing.T) {
	for _, c := range []struct {
		json string
		want bool
	}{{`null`, false}, {`false`, false}, {`""`, false}, {`0`, false}, {`-0`, false}, {`0.0`, false},
		{`true`, true}, {`"0"`, true}, {`1`, true}, {`[]`, true}, {`{}`, true}, {`1e-400`, false}} {
		dec := json.NewDecoder(strings.NewReader(c.json))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if got := Truthy(v); got != c.want {
			t.Errorf("Truthy(%s) = %v, want %v", c.json, got, c.want)
		}
	}
}

func TestIsCanonicalBase64URLMatchesRoundTrip(t *testing.T) {
	roundTrip := func(s string) bool {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		return err == nil && base64.RawURLEncoding.EncodeToString(b) == s
	}
	inputs := []string{"", "A", "AA", "AB", "AAA", "AAB", "AAE", "AAAA", "eyJhbGciOiJSUzM4NCJ9", "eyJ=", "ab+/", "ab\n", "a.b", "____", "-_-_A", "QQ", "QR", "QUE", "QUF"}
	for c := 0; c < 256; c++ {
		inputs = append(inputs, "QU"+string(rune(c)), "Q"+string([]byte{byte(c)}), string([]byte{byte(c)})+"AAA")
	}
	for _, s := range inputs {
		if got, want := IsCanonicalBase64URL(s), roundTrip(s); got != want {
			t.Errorf("IsCanonicalBase64URL(%q) = %v, the decode and encode round trip says %v", s, got, want)
		}
	}
}

func FuzzIsCanonicalBase64URL(f *testing.F) {
	f.Add("eyJhbGciOiJSUzM4NCJ9")
	f.Add("QUF")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		want := err == nil && base64.RawURLEncoding.EncodeToString(b) == s
		if got := IsCanonicalBase64URL(s); got != want {
			t.Errorf("IsCanonicalBase64URL(%q) = %v, want %v", s, got, want)
		}
	})
}
