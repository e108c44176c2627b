package profile

import "testing"

func TestEncodeStyles(t *testing.T) {
	for _, c := range []struct {
		style JSONStyle
		want  string
	}{
		{JSONCompact, `{"error":"invalid_request","error_description":"\"iat\" <é>"}`},
		{JSONCompactNewline, "{\"error\":\"invalid_request\",\"error_description\":\"\\\"iat\\\" <é>\"}\n"},
		{JSONPython, `{"error": "invalid_request", "error_description": "\"iat\" <\u00e9>"}`},
	} {
		p := Profile{Wire: Wire{Style: c.style, Headers: map[string]string{"Cache-Control": "no-store"}}}
		h, body := p.Encode(p.ErrorAnswer(400, "invalid_request", `"iat" <é>`, true))
		if string(body) != c.want {
			t.Errorf("style %d: got %s, want %s", c.style, body, c.want)
		}
		if h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("style %d: headers %v", c.style, h)
		}
	}
}

func TestSuccessAnswerShape(t *testing.T) {
	p, _ := Get("redox", "")
	_, body := p.Encode(p.SuccessAnswer("abc", "system/*.read"))
	want := `{"access_token":"abc","expires_in":300,"scope":"system/*.read","token_type":"Bearer"}`
	if string(body) != want {
		t.Errorf("got %s, want %s", body, want)
	}
	if p.Wire.Path != "/v2/auth/token" {
		t.Errorf("path %q", p.Wire.Path)
	}
}
