package iostreams

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestColorWanted(t *testing.T) {
	for _, c := range []struct {
		name string
		tty  bool
		env  map[string]string
		want bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"NO_COLOR=1", true, map[string]string{"NO_COLOR": "1"}, false},
		{"NO_COLOR set but empty keeps colour", true, map[string]string{"NO_COLOR": ""}, true},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := colorWanted(c.tty, func(k string) string { return c.env[k] }); got != c.want {
				t.Errorf("colorWanted = %v, want %v", got, c.want)
			}
		})
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestJSONColours(t *testing.T) {
	in := "{\n  \"kid\": \"a\\\"b: c\",\n  \"n\": -1.5e3,\n  \"ok\": [true, false, null]\n}"
	if got := NewColorScheme(false).JSON(in); got != in {
		t.Errorf("without colour the text changed:\n%s", got)
	}
	got := NewColorScheme(true).JSON(in)
	if plain := ansi.ReplaceAllString(got, ""); plain != in {
		t.Errorf("colouring changed the text:\n%q\nwant\n%q", plain, in)
	}
	for _, want := range []string{
		"\x1b[34;1m\"kid\"\x1b[0;22m",  // member name
		"\x1b[32m\"a\\\"b: c\"\x1b[0m", // string value with an escaped quote and a colon
		"\x1b[36m-1.5e3\x1b[0m",
		"\x1b[33mtrue\x1b[0m", "\x1b[33mfalse\x1b[0m", "\x1b[33mnull\x1b[0m",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%q", want, got)
		}
	}
	var v any
	if err := json.Unmarshal([]byte(ansi.ReplaceAllString(got, "")), &v); err != nil {
		t.Error(err)
	}
}
