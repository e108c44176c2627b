package assertion

import (
	"strings"
	"testing"
)

func TestParseObjectKeepsOrderAndRepeats(t *testing.T) {
	obj, err := ParseObject([]byte(` { "b": 1, "a": [1, 2], "b": {"x": "<&>"} } `))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(obj.AppendCompact(nil)); got != `{"b":1,"a":[1,2],"b":{"x":"<&>"}}` {
		t.Errorf("compact = %s", got)
	}
	if v, _ := obj.Get("b"); string(v) != `{"x":"<&>"}` {
		t.Errorf("Get returns %s, want the last value as JSON.parse keeps it", v)
	}
	obj.Set("b", jsonInt(7))
	if got := string(obj.AppendCompact(nil)); got != `{"b":7,"a":[1,2],"b":7}` {
		t.Errorf("after Set: %s", got)
	}
	obj.SetAt(0, "z", jsonString("first"))
	obj.SetAt(99, "y", jsonString("last"))
	if !obj.Delete("b") || obj.Delete("b") {
		t.Error("Delete should report the first removal only")
	}
	if got := string(obj.AppendCompact(nil)); got != `{"z":"first","a":[1,2],"y":"last"}` {
		t.Errorf("after SetAt/Delete: %s", got)
	}
}

func TestParseObjectErrors(t *testing.T) {
	for in, want := range map[string]string{
		``:           "unexpected end",
		`[1]`:        "JSON array, not an object",
		`"s"`:        "JSON string, not an object",
		`{"a":1}{}`:  "unexpected data after",
		`{"a":1`:     "unexpected end",
		`{"a":tru}`:  "invalid JSON",
		`{"a":1,}`:   "invalid JSON",
		`null`:       "JSON null, not an object",
		`{"a":1} x`:  "unexpected data after",
		"\x00\x01{}": "invalid JSON",
	} {
		_, err := ParseObject([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseObject(%q) error = %v, want it to mention %q", in, err, want)
		}
	}
}

func TestParseValue(t *testing.T) {
	for in, want := range map[string]string{
		"3":                       `3`,
		"3.50":                    `3.50`,
		"12345678901234567890123": `12345678901234567890123`,
		"true":                    `true`,
		"null":                    `null`,
		`["a", "b"]`:              `["a","b"]`,
		`{"x": 1}`:                `{"x":1}`,
		`"quoted"`:                `"quoted"`,
		"":                        `""`,
		"abc":                     `"abc"`,
		"https://a/b?c=1&d":       `"https://a/b?c=1&d"`,
		"3 4":                     `"3 4"`,
		"[1,":                     `"[1,"`,
		`a"b`:                     `"a\"b"`,
		"\u00e9":                  `"é"`,
	} {
		if got := string(ParseValue(in)); got != want {
			t.Errorf("ParseValue(%q) = %s, want %s", in, got, want)
		}
	}
}
