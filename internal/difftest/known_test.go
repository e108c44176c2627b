package difftest

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Known mismatches: classes of input on which clientassert's prediction is
// known to differ from jose 2.0.7, each reported to the owners of the Go
// package at fault. knownMismatch recognises a case of each class from the
// case itself, so that random combinations that hit one are recognised too.
// A case in a known class whose answers differ is logged instead of failing
// the test; remove a class here once its bug is fixed.
const (
	knownQueryPrefix = "pkg/request: ParseForm keeps a leading '?' as part of the first name; " +
		"URLSearchParams drops it"
	knownTrailingJSON = "pkg/token: decodeJSON accepts a JSON value followed by bytes that do not " +
		"start another JSON token; JSON.parse rejects them (JWT is malformed)"
	knownNullPayload = "pkg/lint: checkStructure answers blank for a null payload before the kid check; " +
		"the server checks header.kid first"
	knownTyp = "pkg/lint: checkClaimTypes does not check that typ, when present, is a non-empty string " +
		"(\"typ\" header parameter must be a string)"
	knownJWKImport = "pkg/lint/pkg/keys: a registered JWK that jose's JWK.asKey rejects " +
		"(use not sig/enc, empty alg, empty key_ops, use inconsistent with key_ops, bad x5c) is not predicted"
	knownInvalidUTF8 = "pkg/token: decodeJSON replaces a run of invalid UTF-8 bytes with one U+FFFD " +
		"(bytes.ToValidUTF8); Node's decoder writes one U+FFFD per invalid byte, so string comparisons differ"
	knownLoneSurrogate = "pkg/token: encoding/json turns a lone surrogate escape into U+FFFD; " +
		"JSON.parse keeps it, so string comparisons differ"
)

func knownMismatch(c *tcase) string {
	var notes []string
	if strings.HasPrefix(c.Body, "?") {
		notes = append(notes, knownQueryPrefix)
	}
	tok, ok := firstParam(c.Body, "client_assertion")
	if !ok {
		return strings.Join(notes, "; ")
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return strings.Join(notes, "; ")
	}
	headerText, payloadText := lenientBase64(parts[0]), lenientBase64(parts[1])
	if trailingGarbage(headerText) || trailingGarbage(payloadText) {
		notes = append(notes, knownTrailingJSON)
	}
	if utf8RunsDiffer(headerText) || utf8RunsDiffer(payloadText) {
		notes = append(notes, knownInvalidUTF8)
	}
	if loneSurrogate.Match(headerText) || loneSurrogate.Match(payloadText) {
		notes = append(notes, knownLoneSurrogate)
	}
	var header any
	if !json.Valid(headerText) || !json.Valid(payloadText) {
		return strings.Join(notes, "; ")
	}
	dec := json.NewDecoder(bytes.NewReader(headerText))
	dec.UseNumber()
	_ = dec.Decode(&header)
	obj, _ := header.(map[string]any)
	if strings.TrimSpace(string(payloadText)) == "null" && header != nil && !jsTruthy(obj["kid"]) {
		notes = append(notes, knownNullPayload)
	}
	if typ, has := obj["typ"]; has {
		if s, isString := typ.(string); !isString || s == "" {
			notes = append(notes, knownTyp)
		}
	}
	if kid, isString := obj["kid"].(string); isString {
		if list, _ := c.JWKS["keys"].([]any); list != nil {
			for _, k := range list {
				jwk, _ := k.(map[string]any)
				if jwk["kid"] == kid {
					if joseRejectsJWK(jwk) {
						notes = append(notes, knownJWKImport)
					}
					break
				}
			}
		}
	}
	return strings.Join(notes, "; ")
}

// utf8RunsDiffer reports text whose invalid bytes come in runs, which
// bytes.ToValidUTF8 replaces differently from a per-byte decoder.
func utf8RunsDiffer(text []byte) bool {
	if utf8.Valid(text) {
		return false
	}
	var perByte []byte
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size == 1 {
			perByte = utf8.AppendRune(perByte, utf8.RuneError)
		} else {
			perByte = append(perByte, text[i:i+size]...)
		}
		i += size
	}
	return !bytes.Equal(perByte, bytes.ToValidUTF8(text, []byte("\uFFFD")))
}

var loneSurrogate = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// firstParam returns the first value of name in a form body, decoded the
// way URLSearchParams does.
func firstParam(body, name string) (string, bool) {
	body = strings.TrimPrefix(body, "?")
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		n, v, _ := strings.Cut(pair, "=")
		if formDecode(n) == name {
			return formDecode(v), true
		}
	}
	return "", false
}

func formDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b = append(b, hexVal(s[i+1])<<4|hexVal(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHexDigit(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// lenientBase64 decodes like Node's Buffer.from(s, "base64"): both
// alphabets, other characters skipped, stop at '='.
func lenientBase64(s string) []byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var bits, n uint
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		switch c {
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		v := strings.IndexByte(alphabet, c)
		if v < 0 {
			continue
		}
		bits = bits<<6 | uint(v)
		n += 6
		if n >= 8 {
			n -= 8
			out = append(out, byte(bits>>n))
			bits &= 1<<n - 1
		}
	}
	return out
}

// trailingGarbage reports a JSON value followed by something that is not.
func trailingGarbage(text []byte) bool {
	if json.Valid(text) {
		return false
	}
	var v any
	return json.NewDecoder(bytes.NewReader(text)).Decode(&v) == nil
}

func jsTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || (f != 0 && !math.IsNaN(f))
	}
	return true
}

// joseRejectsJWK mirrors the member checks of jose 2.0.7's Key constructor.
func joseRejectsJWK(jwk map[string]any) bool {
	use, hasUse := jwk["use"]
	if hasUse && use != "sig" && use != "enc" {
		return true
	}
	if alg, has := jwk["alg"]; has {
		if s, ok := alg.(string); !ok || s == "" {
			return true
		}
	}
	if ops, has := jwk["key_ops"]; has {
		list, ok := ops.([]any)
		if !ok || len(list) == 0 {
			return true
		}
		for _, o := range list {
			s, ok := o.(string)
			if !ok {
				return true
			}
			sigOp := s == "sign" || s == "verify"
			encOp := s == "encrypt" || s == "decrypt" || s == "wrapKey" || s == "unwrapKey" || s == "deriveKey"
			if (use == "enc" && sigOp) || (use == "sig" && encOp) {
				return true
			}
		}
	}
	_, hasX5C := jwk["x5c"]
	return hasX5C
}
