package token

import (
	"encoding/base64"
	"encoding/json"
	"testing"
)

// TestObjectInsideArrayAfterValues: an object that closes inside an array
// which already holds values must leave those values on the reader's stack
// (it once truncated them, and the array then panicked).
func TestObjectInsideArrayAfterValues(t *testing.T) {
	for _, payload := range []string{`[{},{},[{"":[]}]]`, `[{},{},[{"":[]}]`, `{"a":[1,2,{"b":3}],"c":[[{"d":[4]}],5]}`} {
		tok := Parse(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS384"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln")
		if tok.PayloadValid != json.Valid([]byte(payload)) {
			t.Errorf("%s: valid=%v, encoding/json says %v", payload, tok.PayloadValid, json.Valid([]byte(payload)))
		}
	}
	tok := Parse(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS384"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"a":[1,2,{"b":3}],"c":[[{"d":[4]}],5]}`)) + ".c2ln")
	got, _ := json.Marshal(tok.Payload)
	if string(got) != `{"a":[1,2,{"b":3}],"c":[[{"d":[4]}],5]}` {
		t.Errorf("payload read as %s", got)
	}
}
