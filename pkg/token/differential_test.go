package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/internal/nodeutf8"
)

// trickyJSON seeds the differential target with what a hand-written reader
// tends to get wrong.
var trickyJSON = []string{
	`{}`, `[]`, `{"a":1}`, ` { "a" : [ 1 , { } , [ ] ] } `, "\t\r\n{}\n",
	`{"a":1,"a":2}`, `{"a":1,"b":2,"a":3,"b":4,"a":5}`, `{"a":{"x":1,"x":2},"a":[1]}`,
	`{"a\u0062":1,"ab":2}`, `{"\ud800":1,"\udbff":2}`, `{"":1,"":2}`,
	`{"n":123456789012345678901234567890}`, `{"n":-0.0e-0}`, `{"n":1E+400}`, `[0,-0,1.5,2e3,2E-3]`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `Infinity`, `--1`, `1.e5`,
	`"\ud800"`, `"\udc00"`, `"\ud800\udc00"`, `"\ud800\u0041"`, `"\ud800\ud800\udc00"`, `"\uDBFF\uDFFF"`,
	`"\u0000"`, `"\/\b\f\n\r\t\"\\"`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\tb\"", "\"\x7f\"",
	"\"\xff\"", "\"\xed\xa0\x80\"", "\"\xf0\x9f\x98\"", "\"\xe2\x82x\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"",
	"{\"\xff\":1,\"\xfe\":2}", "\xef\xbb\xbf{}", "{}\x00", "{} x", "{}{}", `{"a":1,}`, `[1,]`, `{,}`,
	`{"a" 1}`, `{"a":}`, `{1:2}`, `{'a':1}`, `tru`, `true`, `truex`, `nul`, `null`, `false `, `[true,false,null]`,
	`"unterminated`, `"`, ``, ` `, "\f{}", "\u00a0{}", `{"a":[[[[[[[[]]]]]]]]}`, `"€𝄞"`,
	`{"__proto__":1,"constructor":2,"toString":3}`, `{"1":1,"01":2,"1.0":3}`,
}

// FuzzReaderMatchesEncodingJSON holds the one-pass reader to encoding/json.
// The reference applies the server's semantics on top of it (see
// referenceJSON): bytes that are not UTF-8 become U+FFFD as Node's decoder
// makes them; numbers stay as their text (json.Number); repeated members
// keep the last value, as JSON.parse does; a lone surrogate escape becomes
// U+FFFD. The whole token is compared too, so segment offsets and reasons
// stay as they were.
func FuzzReaderMatchesEncodingJSON(f *testing.F) {
	for _, s := range trickyJSON {
		f.Add([]byte(s))
	}
	for _, tok := range seedTokens(f) {
		f.Add(DecodeLenient(strings.Split(tok, ".")[0]))
		if parts := strings.Split(tok, "."); len(parts) > 1 {
			f.Add(DecodeLenient(parts[1]))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r jsonReader
		got, dups, ok := r.read(string(data))
		want, _, err := referenceJSON(data)
		if ok != (err == nil) {
			t.Fatalf("reader ok=%v, encoding/json error %v, for %q", ok, err, data)
		}
		if ok {
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("value %#v, encoding/json says %#v, for %q", got, want, data)
			}
			var wantDups []string
			if _, isObject := want.(map[string]any); isObject {
				wantDups = referenceDuplicates(nodeutf8.Bytes(data))
			}
			if !reflect.DeepEqual(dups, wantDups) {
				t.Fatalf("duplicates %q, reference says %q, for %q", dups, wantDups, data)
			}
		}
		seg := base64.RawURLEncoding.EncodeToString(data)
		raw := seg + "." + seg + "." + seg
		compareTokens(t, raw, Parse(raw), referenceParse(raw))
	})
}

func compareTokens(t *testing.T, raw string, got, want *Token) {
	t.Helper()
	same := func(field string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: got %#v, reference %#v, for token %q", field, g, w, raw)
		}
	}
	same("Raw", got.Raw, want.Raw)
	same("Segments", got.Segments, want.Segments)
	same("Header", got.Header, want.Header)
	same("Payload", got.Payload, want.Payload)
	same("HeaderJSON", got.HeaderJSON, want.HeaderJSON)
	same("PayloadJSON", got.PayloadJSON, want.PayloadJSON)
	same("Signature", got.Signature, want.Signature)
	same("HeaderValid", got.HeaderValid, want.HeaderValid)
	same("PayloadValid", got.PayloadValid, want.PayloadValid)
	same("DuplicateHeader", got.DuplicateHeader, want.DuplicateHeader)
	same("DuplicatePayload", got.DuplicatePayload, want.DuplicatePayload)
	errs := func(list []*SegmentError) []SegmentError {
		var out []SegmentError
		for _, e := range list {
			out = append(out, *e)
		}
		return out
	}
	same("Errors", errs(got.Errors), errs(want.Errors))
}

// TestReaderServerSemantics pins the jose 2.x behaviours the reader keeps,
// independently of the reference.
func TestReaderServerSemantics(t *testing.T) {
	cases := []struct {
		in   string
		want any
		dups []string
	}{
		{`{"a":1,"a":{"b":true}}`, map[string]any{"a": map[string]any{"b": true}}, []string{"a"}},
		{`{"b":1,"a":1,"b":2,"a":2,"b":3}`, map[string]any{"a": json.Number("2"), "b": json.Number("3")}, []string{"b", "a"}},
		{`{"a":{"x":1,"x":2}}`, map[string]any{"a": map[string]any{"x": json.Number("2")}}, nil},
		{`{"a\u0062":1,"ab":2}`, map[string]any{"ab": json.Number("2")}, []string{"ab"}},
		{`[123456789012345678901234567890,-0.0,1E+400]`, []any{json.Number("123456789012345678901234567890"), json.Number("-0.0"), json.Number("1E+400")}, nil},
		{`"\ud800x"`, "\ufffdx", nil},
		{`"\udc00\ud83d\ude00"`, "\ufffd😀", nil},
		{`"\ud800\ud800\udc00"`, "\ufffd\U00010000", nil},
		{"\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd", nil}, // an encoded surrogate: one U+FFFD per byte
		{"\"\xf0\x9f\x98!\"", "\ufffd!", nil},           // a truncated sequence: one U+FFFD
		{"{\"\xff\":1,\"\xfe\":2}", map[string]any{"\ufffd": json.Number("2")}, []string{"\ufffd"}},
		{` [ ] `, []any{}, nil},
		{`null`, nil, nil},
	}
	for _, c := range cases {
		var r jsonReader
		got, dups, ok := r.read(c.in)
		if !ok || !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(dups, c.dups) {
			t.Errorf("read(%q) = %#v, %q, %v; want %#v, %q", c.in, got, dups, ok, c.want, c.dups)
		}
	}
	for _, bad := range []string{``, ` `, `{} x`, `{}{}`, "\xef\xbb\xbf{}", `01`, `1.`, `"\u12"`, "\"a\x01\"", `{"a":1,}`, `truex`} {
		var r jsonReader
		if _, _, ok := r.read(bad); ok {
			t.Errorf("read(%q) accepted what JSON.parse rejects", bad)
		}
	}
}

func TestReaderDepthLimit(t *testing.T) {
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		text := strings.Repeat(`{"a":[`, depth/2) + strings.Repeat("[", depth%2) + "1" +
			strings.Repeat("]", depth%2) + strings.Repeat(`]}`, depth/2)
		var r jsonReader
		_, _, ok := r.read(text)
		_, _, err := referenceJSON([]byte(text))
		if ok != (err == nil) || ok != (depth <= maxDepth) {
			t.Errorf("depth %d: reader ok=%v, encoding/json error %v", depth, ok, err)
		}
	}
}

// TestManyMembersLinear is the regression test for the quadratic duplicate
// scan: 250k members took minutes before.
func TestManyMembersLinear(t *testing.T) {
	tok := Parse(manyMembers(250_000))
	if !tok.HeaderValid || len(tok.Header) != 250_001 || !reflect.DeepEqual(tok.DuplicateHeader, []string{"m0"}) {
		t.Fatalf("valid %v, %d members, duplicates %q", tok.HeaderValid, len(tok.Header), tok.DuplicateHeader)
	}
	if tok.Header["m0"] != json.Number("2") {
		t.Errorf("m0 = %v, want the last value", tok.Header["m0"])
	}
	// Many distinct names, each repeated: the list of duplicates must not be
	// built by a scan over itself either.
	var sb strings.Builder
	var want []string
	sb.WriteString("{")
	for i := range 20_000 {
		name := "d" + strconv.Itoa(i)
		want = append(want, name)
		sb.WriteString(`"` + name + `":1,"` + name + `":2,`)
	}
	sb.WriteString(`"end":0}`)
	seg := base64.RawURLEncoding.EncodeToString([]byte(sb.String()))
	if many := Parse("e30." + seg + "."); !reflect.DeepEqual(many.DuplicatePayload, want) {
		t.Errorf("repeated names: %d duplicates, want %d", len(many.DuplicatePayload), len(want))
	}
}

func TestParseMatchesReferenceOnFixtures(t *testing.T) {
	for _, raw := range seedTokens(t) {
		compareTokens(t, raw, Parse(raw), referenceParse(raw))
	}
	for _, raw := range []string{"", ".", "..", "...", "a.b", "a..b", "e30.e30.", "ey!J9.e30.", "e30=x.e30.+/-_",
		"Q.QQ.QUI", " e30 . e30 . ", "e3\n0.e30.", "e30.e30.e30.e30"} {
		compareTokens(t, raw, Parse(raw), referenceParse(raw))
	}
}

func TestDecodeLenientMatchesReference(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{string(all), "A=B", "AB==CD", "AB\r\nCD", "ABC", "ABCDE", "+/+/-_"} {
		if got, want := DecodeLenient(s), referenceDecodeLenient(s); !bytes.Equal(got, want) {
			t.Errorf("DecodeLenient(%q) = %x, want %x", s, got, want)
		}
	}
}

func FuzzDecodeLenient(f *testing.F) {
	f.Add("eyJhbGciOiJSUzM4NCJ9")
	f.Add("ab+/cd-_ef==gh")
	f.Add("YWJjZGVmZ2hpamtsbW5vcA.x")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := DecodeLenient(s), referenceDecodeLenient(s); !bytes.Equal(got, want) {
			t.Errorf("DecodeLenient(%q) = %x, want %x", s, got, want)
		}
	})
}
