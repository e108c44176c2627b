package difftest

import (
	"bytes"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"strings"
)

// scenario breaks (or keeps) a valid case in one way. Scenarios marked mix
// are also combined at random, two or three on one case, so that the order
// in which the server's checks fire is exercised too.
type scenario struct {
	name string
	fn   func(g *gen, b *build)
	mix  bool
}

func (b *build) claim(name string, v any) { b.payload.set(name, v) }
func (b *build) drop(name string)         { b.payload.del(name) }
func (b *build) hdr(name string, v any)   { b.header.set(name, v) }
func (b *build) ct(s string)              { b.contentType = strp(s) }

// iatOffset sets iat relative to now, and exp relative to now when
// expOffset is not nil (nil deletes exp).
func (b *build) times(iatOffset int64, expOffset *int64) {
	b.claim("iat", b.now+iatOffset)
	if expOffset == nil {
		b.drop("exp")
	} else {
		b.claim("exp", b.now+*expOffset)
	}
}

func i64(v int64) *int64 { return &v }

// rawNum writes a number member as the given JSON text.
func rawNum(format string, args ...any) raw { return raw(fmt.Sprintf(format, args...)) }

// withFields builds a body from the usual fields with changes: each change
// is name=value to replace, -name to drop, +name=value to append.
func withFields(changes ...string) func(tok string) []field {
	return func(tok string) []field {
		fs := stdFields(tok)
		for _, ch := range changes {
			switch {
			case strings.HasPrefix(ch, "-"):
				out := fs[:0]
				for _, f := range fs {
					if f.name != ch[1:] {
						out = append(out, f)
					}
				}
				fs = out
			case strings.HasPrefix(ch, "+"):
				n, v, _ := strings.Cut(ch[1:], "=")
				fs = append(fs, field{n, strings.ReplaceAll(v, "$TOKEN", tok)})
			case strings.HasPrefix(ch, "^"): // prepend
				n, v, _ := strings.Cut(ch[1:], "=")
				fs = append([]field{{n, strings.ReplaceAll(v, "$TOKEN", tok)}}, fs...)
			default:
				n, v, _ := strings.Cut(ch, "=")
				for i := range fs {
					if fs[i].name == n {
						fs[i].value = strings.ReplaceAll(v, "$TOKEN", tok)
					}
				}
			}
		}
		return fs
	}
}

// replaceSegment swaps part i of the finished token.
func replaceSegment(i int, with func(string) string) func(string) string {
	return func(tok string) string {
		parts := strings.Split(tok, ".")
		if i < len(parts) {
			parts[i] = with(parts[i])
		}
		return strings.Join(parts, ".")
	}
}

func insertAt(s string, at int, what string) string {
	if at > len(s) {
		at = len(s)
	}
	return s[:at] + what + s[at:]
}

func scenarios() []scenario {
	var s []scenario
	add := func(name string, mix bool, fn func(g *gen, b *build)) {
		s = append(s, scenario{name: name, fn: fn, mix: mix})
	}
	rs := func(b *build) { b.useRS() }
	es := func(b *build) { b.useES() }

	// Fully valid tokens.
	for i := range 6 {
		add(fmt.Sprintf("valid RS384 #%d", i+1), false, func(g *gen, b *build) { rs(b) })
		add(fmt.Sprintf("valid ES384 #%d", i+1), false, func(g *gen, b *build) { es(b) })
	}
	add("valid, minimal claims (iss, aud, iat only)", false, func(g *gen, b *build) {
		b.drop("sub")
		b.drop("jti")
		b.drop("exp")
		b.header.del("typ")
	})
	add("valid, extra header members jwk/x5c/jku/cty", false, func(g *gen, b *build) {
		b.hdr("jku", "http://example.com/jwks")
		b.hdr("x5c", []any{"AAAA"})
		b.hdr("jwk", map[string]any{"kty": "RSA"})
		b.hdr("cty", "JWT")
	})
	add("valid, typ at+jwt", false, func(g *gen, b *build) { b.hdr("typ", "at+jwt") })
	add("valid, b64 false without crit", false, func(g *gen, b *build) { b.hdr("b64", false) })
	add("valid, sub differs from iss", true, func(g *gen, b *build) { b.claim("sub", "someone-else") })
	add("valid, extra claims", false, func(g *gen, b *build) {
		b.claim("scope", "system/*.read")
		b.claim("nested", map[string]any{"a": []any{1, 2}})
	})

	// Content type.
	add("content-type missing", true, func(g *gen, b *build) { b.contentType = nil })
	add("content-type application/json with JSON body", false, func(g *gen, b *build) {
		b.ct("application/json")
		b.body = func(tok string) string {
			return fmt.Sprintf(`{"grant_type":"client_credentials","client_assertion_type":%q,"client_assertion":%q}`, assertionURN, tok)
		}
	})
	add("content-type multipart with multipart body", false, func(g *gen, b *build) {
		const boundary = "XyZzY0123"
		b.ct("multipart/form-data; boundary=" + boundary)
		b.body = func(tok string) string {
			var sb strings.Builder
			for _, f := range stdFields(tok) {
				fmt.Fprintf(&sb, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, f.name, f.value)
			}
			fmt.Fprintf(&sb, "--%s--\r\n", boundary)
			return sb.String()
		}
	})
	add("content-type text/plain", true, func(g *gen, b *build) { b.ct("text/plain") })
	add("content-type multipart without boundary, form body", false, func(g *gen, b *build) { b.ct("multipart/form-data") })
	add("content-type with a comma list", false, func(g *gen, b *build) { b.ct(formType + ", text/plain") })
	add("content-type with suffix", false, func(g *gen, b *build) { b.ct(formType + "x") })
	add("content-type upper case with charset", false, func(g *gen, b *build) { b.ct("APPLICATION/X-WWW-FORM-URLENCODED; CHARSET=UTF-8") })
	add("content-type with space before semicolon", false, func(g *gen, b *build) { b.ct(formType + " ;charset=utf-8") })
	add("content-type form with boundary parameter", false, func(g *gen, b *build) { b.ct(formType + "; boundary=x") })

	// Form parameters.
	add("grant_type missing", true, func(g *gen, b *build) { b.fields = withFields("-grant_type") })
	add("grant_type password", true, func(g *gen, b *build) { b.fields = withFields("grant_type=password") })
	add("grant_type empty", false, func(g *gen, b *build) { b.fields = withFields("grant_type=") })
	add("grant_type wrong case", false, func(g *gen, b *build) { b.fields = withFields("grant_type=Client_Credentials") })
	add("grant_type duplicated, wrong first", false, func(g *gen, b *build) {
		b.fields = withFields("^grant_type=authorization_code")
	})
	add("grant_type duplicated, right first", false, func(g *gen, b *build) {
		b.fields = withFields("+grant_type=authorization_code")
	})
	add("client_assertion_type missing", true, func(g *gen, b *build) { b.fields = withFields("-client_assertion_type") })
	add("client_assertion_type saml2", true, func(g *gen, b *build) {
		b.fields = withFields("client_assertion_type=urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
	})
	add("client_assertion_type duplicated, wrong first", false, func(g *gen, b *build) {
		b.fields = withFields("^client_assertion_type=jwt-bearer")
	})
	add("client_assertion_type with trailing space", false, func(g *gen, b *build) {
		b.fields = withFields("client_assertion_type=" + assertionURN + " ")
	})
	add("client_assertion missing", true, func(g *gen, b *build) { b.fields = withFields("-client_assertion") })
	add("client_assertion empty", true, func(g *gen, b *build) { b.fields = withFields("client_assertion=") })
	add("client_assertion duplicated, empty first", false, func(g *gen, b *build) {
		b.fields = withFields("^client_assertion=")
	})
	add("client_assertion duplicated, valid first, garbage second", false, func(g *gen, b *build) {
		b.fields = withFields("+client_assertion=garbage")
	})
	add("client_assertion duplicated, garbage first", false, func(g *gen, b *build) {
		b.fields = withFields("^client_assertion=a.b")
	})
	add("parameters in reverse order with extras", false, func(g *gen, b *build) {
		b.fields = func(tok string) []field {
			fs := stdFields(tok)
			return []field{fs[2], {"client_id", b.clientID}, fs[1], {"scope", "system/Patient.read"}, fs[0]}
		}
	})
	add("body with percent-encoded names and values", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant%5Ftype=client%5Fcredentials&client%5Fassertion%5Ftype=" +
				strings.ReplaceAll(strings.ReplaceAll(assertionURN, ":", "%3A"), "-", "%2d") +
				"&client_assertion=" + strings.ReplaceAll(tok, ".", "%2E")
		}
	})
	add("grant_type with plus for space", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant_type=client+credentials&client_assertion_type=" + assertionURN + "&client_assertion=" + tok
		}
	})
	add("grant_type with invalid percent escape", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant_type=client_credentials%&client_assertion_type=" + assertionURN + "&client_assertion=" + tok
		}
	})
	add("client_assertion_type with invalid escape %zz", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant_type=client_credentials&client_assertion_type=%zz&client_assertion=" + tok
		}
	})
	add("body with empty pairs and a bare name", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "&&grant_type=client_credentials&&flag&client_assertion_type=" + assertionURN + "&client_assertion=" + tok + "&"
		}
	})
	add("grant_type without '='", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant_type&client_assertion_type=" + assertionURN + "&client_assertion=" + tok
		}
	})
	add("body empty", false, func(g *gen, b *build) { b.body = func(string) string { return "" } })
	add("body starts with '?'", false, func(g *gen, b *build) {
		b.body = func(tok string) string { return "?" + formBody(stdFields(tok)) }
	})
	add("client_assertion with literal '+' for '-'", false, func(g *gen, b *build) {
		b.body = func(tok string) string {
			return "grant_type=client_credentials&client_assertion_type=" + assertionURN + "&client_assertion=" +
				strings.ReplaceAll(tok, "-", "+")
		}
	})
	add("client_assertion with %FF byte appended", false, func(g *gen, b *build) {
		b.body = func(tok string) string { return formBody(stdFields(tok)) + "%FF" }
	})

	// Token structure.
	add("two parts", true, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return tok[:strings.LastIndexByte(tok, '.')] }
	})
	add("four parts", true, func(g *gen, b *build) { b.afterSign = func(tok string) string { return tok + ".e30" } })
	add("five parts (JWE shape)", true, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return tok + ".AAAA.BBBB" }
	})
	add("one part", false, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return strings.ReplaceAll(tok, ".", "") }
	})
	add("only dots", false, func(g *gen, b *build) { b.afterSign = func(string) string { return ".." } })
	add("four dots", false, func(g *gen, b *build) { b.afterSign = func(string) string { return "...." } })
	add("trailing dot (four parts, last empty)", false, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return tok + "." }
	})
	add("empty header segment", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return "", p }
	})
	add("empty payload segment", true, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return h, "" }
	})
	add("empty signature segment", true, func(g *gen, b *build) { b.how = "empty" })
	add("header segment not base64", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return "!!!!****", p }
	})
	add("header segment base64 of plain text", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return b64([]byte("hello world")), p }
	})
	add("header JSON unterminated", true, func(g *gen, b *build) {
		t := strings.TrimSuffix(b.header.String(), "}")
		b.rawHeader = &t
	})
	add("payload JSON trailing comma", true, func(g *gen, b *build) {
		t := strings.TrimSuffix(b.payload.String(), "}") + ",}"
		b.rawPayload = &t
	})
	add("payload JSON single quotes", false, func(g *gen, b *build) {
		t := strings.ReplaceAll(b.payload.String(), `"`, `'`)
		b.rawPayload = &t
	})
	add("payload JSON followed by garbage", false, func(g *gen, b *build) {
		t := b.payload.String() + "x"
		b.rawPayload = &t
	})
	add("header JSON with a BOM", false, func(g *gen, b *build) {
		t := "\uFEFF" + b.header.String()
		b.rawHeader = &t
	})
	add("header and payload JSON with whitespace around", false, func(g *gen, b *build) {
		h := " \n" + b.header.String() + "\r\n\t"
		p := "\t" + b.payload.String() + " "
		b.rawHeader, b.rawPayload = &h, &p
	})
	add("header JSON null", true, func(g *gen, b *build) { t := "null"; b.rawHeader = &t })
	add("payload JSON null, header has kid", true, func(g *gen, b *build) { t := "null"; b.rawPayload = &t })
	add("payload JSON null, header without kid", false, func(g *gen, b *build) {
		t := "null"
		b.rawPayload = &t
		b.header.del("kid")
	})
	add("payload JSON null, header kid 0", false, func(g *gen, b *build) {
		t := " null "
		b.rawPayload = &t
		b.hdr("kid", 0)
	})
	add("header JSON null, payload null", false, func(g *gen, b *build) {
		t := "null"
		b.rawHeader, b.rawPayload = &t, &t
	})
	add("header JSON array", false, func(g *gen, b *build) { t := `["RS384","rsa-main"]`; b.rawHeader = &t })
	add("header JSON number", false, func(g *gen, b *build) { t := `123`; b.rawHeader = &t })
	add("header JSON string", false, func(g *gen, b *build) { t := `"rsa-main"`; b.rawHeader = &t })
	add("header JSON true", false, func(g *gen, b *build) { t := `true`; b.rawHeader = &t })
	add("payload JSON array", false, func(g *gen, b *build) { t := `[1,2,3]`; b.rawPayload = &t })
	add("payload JSON number", false, func(g *gen, b *build) { t := `42`; b.rawPayload = &t })
	add("payload JSON string", false, func(g *gen, b *build) { t := `"claims"`; b.rawPayload = &t })
	add("payload JSON false, header without kid", false, func(g *gen, b *build) {
		t := `false`
		b.rawPayload = &t
		b.header.del("kid")
	})
	add("header kid written with a unicode escape", false, func(g *gen, b *build) {
		kid, _ := b.header.get("kid")
		b.hdr("kid", raw(`"`+strings.Replace(kid.(string), "-", `\u002d`, 1)+`"`))
	})
	add("stray '!' in header segment, signed over", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return insertAt(h, 8, "!"), p }
	})
	add("stray '!' in payload segment, added after signing", false, func(g *gen, b *build) {
		b.afterSign = replaceSegment(1, func(p string) string { return insertAt(p, 12, "!") })
	})
	add("header segment padded with '='", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) {
			for len(h)%4 != 0 {
				h += "="
			}
			return h, p
		}
	})
	add("payload segment in standard base64 alphabet", false, func(g *gen, b *build) {
		b.claim("x", "???>>>~~~")
		b.segments = func(h, p string) (string, string) {
			return h, strings.NewReplacer("-", "+", "_", "/").Replace(p)
		}
	})
	add("'=' inside payload segment, signed over", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return h, p + "=" + b64([]byte(`,"x":1}`)) }
	})
	add("'=' inside header segment, drops the end", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return insertAt(h, 12, "="), p }
	})
	add("signature segment padded with '='", false, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return tok + "==" }
	})
	add("signature segment in standard base64 alphabet", false, func(g *gen, b *build) {
		b.afterSign = replaceSegment(2, func(sig string) string { return strings.NewReplacer("-", "+", "_", "/").Replace(sig) })
	})
	add("header segment with a space inside", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return insertAt(h, 4, " "), p }
	})

	// Duplicate members.
	add("header kid twice, unknown then right", false, func(g *gen, b *build) {
		kid, _ := b.header.get("kid")
		b.hdr("kid", "nope")
		b.header.add("kid", kid)
	})
	add("header kid twice, right then unknown", true, func(g *gen, b *build) { b.header.add("kid", "nope") })
	add("header alg twice, none then right", false, func(g *gen, b *build) {
		alg, _ := b.header.get("alg")
		b.hdr("alg", "none")
		b.header.add("alg", alg)
	})
	add("payload iss twice, other then client", false, func(g *gen, b *build) {
		b.claim("iss", "other-client")
		b.payload.add("iss", b.clientID)
	})
	add("payload exp twice, valid then expired", true, func(g *gen, b *build) { b.payload.add("exp", b.now-3600) })
	add("payload aud twice, right then wrong", false, func(g *gen, b *build) { b.payload.add("aud", "https://example.com") })

	// kid.
	for _, v := range []struct {
		name string
		kid  any
		mix  bool
	}{
		{"empty string", "", true}, {"0", 0, false}, {"7", 7, true}, {"null", nil, false}, {"false", false, false},
		{"true", true, false}, {"[]", []any{}, false}, {"{}", map[string]any{}, false}, {"unknown", "unknown-kid", true},
		{`"0"`, "0", false}, {"-0", raw("-0"), false}, {"1e-400 (zero)", raw("1e-400"), false},
		{"1e400 (infinity)", raw("1e400"), false}, {"0.0", raw("0.0"), false}, {"upper case", "RSA-MAIN", false},
		{"with a leading space", " rsa-main", false}, {"array holding the kid", []any{"rsa-main"}, false},
	} {
		add("kid "+v.name, v.mix, func(g *gen, b *build) { b.hdr("kid", v.kid) })
	}
	add("kid missing", true, func(g *gen, b *build) { b.header.del("kid") })

	// iss.
	for _, v := range []struct {
		name string
		iss  func(b *build) any
		mix  bool
	}{
		{"number", func(*build) any { return 123 }, true},
		{"null", func(*build) any { return nil }, false},
		{"empty", func(*build) any { return "" }, false},
		{"unknown client", func(*build) any { return "4f6c1a2e-0000-4000-a000-000000000000" }, true},
		{"array of the client", func(b *build) any { return []any{b.clientID} }, false},
		{"upper case client", func(b *build) any { return strings.ToUpper(b.clientID) }, false},
		{"client with a trailing space", func(b *build) any { return b.clientID + " " }, false},
		{"object", func(b *build) any { return map[string]any{"id": b.clientID} }, false},
		{"constructor", func(*build) any { return "constructor" }, false},
		{"__proto__", func(*build) any { return "__proto__" }, false},
	} {
		add("iss "+v.name, v.mix, func(g *gen, b *build) { b.claim("iss", v.iss(b)) })
	}
	add("iss missing", true, func(g *gen, b *build) { b.drop("iss") })
	add("iss names another client", false, func(g *gen, b *build) {
		other := g.clientID()
		b.claim("iss", other)
		b.claim("sub", other)
	})
	add("client_id constructor", false, func(g *gen, b *build) {
		b.clientID = "constructor"
		b.claim("iss", "constructor")
		b.claim("sub", "constructor")
	})
	add("kid missing and iss missing", false, func(g *gen, b *build) {
		b.header.del("kid")
		b.drop("iss")
	})

	// Key sets.
	add("key set holds only the signing key", false, func(g *gen, b *build) {
		b.keys = []*keyPair{g.signerFor(b)}
	})
	add("key set empty", false, func(g *gen, b *build) { b.keys = nil })
	add("key set: stranger key under the same kid first", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{g.kr.rsaStranger, g.kr.rsaMain, g.kr.ecMain}
	})
	add("key set: right key first, stranger under the same kid second", false, func(g *gen, b *build) {
		es(b)
		b.keys = []*keyPair{g.kr.rsaMain, g.kr.ecMain, g.kr.ecStranger}
	})
	add("key set with an oct key, RS384 token", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{g.kr.hmac, g.kr.rsaMain}
	})
	add("key set with an oct key, HS256 token with its kid", false, func(g *gen, b *build) {
		b.setKey("HS256", "hmac", "HS256")
		b.keys = []*keyPair{g.kr.hmac, g.kr.rsaMain}
	})
	add("key set: the key has no kid", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"kid": nil}), g.kr.ecMain}
	})
	add("key set: kid matches only with different case", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"kid": "RSA-Main"})}
	})
	add("key set: use enc with key_ops verify", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"use": "enc", "key_ops": []any{"verify"}})}
	})
	add("key set: use sig with key_ops verify", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"use": "sig", "key_ops": []any{"verify"}})}
	})
	add("key set: key_ops verify and sign", false, func(g *gen, b *build) {
		es(b)
		b.keys = []*keyPair{withJWK(g.kr.ecMain, map[string]any{"key_ops": []any{"verify", "sign"}})}
	})

	// alg and key fit.
	for _, v := range []struct {
		name string
		alg  any
		mix  bool
	}{
		{"missing", nil, true}, {"empty", "", false}, {"null", raw("null"), false}, {"0", 0, false},
		{"1", 1, false}, {"none", "none", true}, {"NONE", "NONE", false}, {"rs384 lower case", "rs384", false},
		{"array", []any{"RS384"}, false}, {"RS384 with a space", "RS384 ", false},
	} {
		add("alg "+v.name, v.mix, func(g *gen, b *build) {
			if v.alg == nil {
				b.header.del("alg")
			} else {
				b.hdr("alg", v.alg)
			}
		})
	}
	add("alg none, unsigned", false, func(g *gen, b *build) {
		b.hdr("alg", "none")
		b.how = "none"
	})
	add("alg HS256 with the RSA kid, HMAC over the secret", true, func(g *gen, b *build) {
		b.hdr("alg", "HS256")
		b.hdr("kid", "rsa-main")
		b.how = "HS256"
	})
	add("alg RS256 with the main RSA key", true, func(g *gen, b *build) { b.setKey("RS256", "rsa-main", "RS256") })
	add("alg RS256 with the RS256 key", false, func(g *gen, b *build) { b.setKey("RS256", "rsa-rs256", "RS256") })
	add("alg RS512", false, func(g *gen, b *build) { b.setKey("RS512", "rsa-main", "RS512") })
	add("alg PS384", false, func(g *gen, b *build) { b.setKey("PS384", "rsa-main", "PS384") })
	add("alg ES256 with the P-256 key", true, func(g *gen, b *build) { b.setKey("ES256", "ec-256", "ES256") })
	add("alg ES512 with the P-521 key", false, func(g *gen, b *build) { b.setKey("ES512", "ec-521", "ES512") })
	add("alg ES384 with the RSA key's kid", true, func(g *gen, b *build) { b.setKey("ES384", "rsa-main", "ES384") })
	add("alg RS384 with the EC key's kid", true, func(g *gen, b *build) { b.setKey("RS384", "ec-main", "RS384") })
	add("alg ES384 with the P-256 key", false, func(g *gen, b *build) { b.setKey("ES384", "ec-256", "ES384") })
	add("alg ES384 with the P-521 key", false, func(g *gen, b *build) { b.setKey("ES384", "ec-521", "ES384") })
	add("alg RS384 with the key whose JWK alg is RS256", true, func(g *gen, b *build) { b.setKey("RS384", "rsa-rs256", "RS384") })
	add("alg RS384 with the use=enc key", true, func(g *gen, b *build) { b.setKey("RS384", "rsa-enc", "RS384") })
	add("alg RS384 with the key_ops=[sign] key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-ops", "RS384") })
	add("alg RS384 with the key_ops=[verify] key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-verify", "RS384") })
	add("alg RS384 with the use=sig alg=RS384 key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-sig", "RS384") })
	add("alg RS384 with the 1024-bit key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-1024", "RS384") })
	add("alg ES384 with the use=sig alg=ES384 key", false, func(g *gen, b *build) { b.setKey("ES384", "ec-alg", "ES384") })
	add("alg ES384 with the P-384 key whose JWK alg is ES256", false, func(g *gen, b *build) {
		b.setKey("ES384", "ec-alg256", "ES384")
	})

	// crit.
	for _, v := range []struct {
		name string
		crit any
		mix  bool
	}{
		{`["b64"]`, []any{"b64"}, true}, {`["alg"]`, []any{"alg"}, false}, {`[]`, []any{}, true}, {`"x"`, "x", false},
		{`["x"]`, []any{"x"}, false}, {`[""]`, []any{""}, false}, {`[1]`, []any{1}, false}, {`null`, raw("null"), false},
		{`["kid"]`, []any{"kid"}, false}, {`["exp"]`, []any{"exp"}, false}, {`["x","alg"]`, []any{"x", "alg"}, false},
		{`["alg",""]`, []any{"alg", ""}, false}, {`{}`, map[string]any{}, false},
	} {
		add("crit "+v.name, v.mix, func(g *gen, b *build) {
			b.hdr("crit", v.crit)
			if v.name == `["b64"]` {
				b.hdr("b64", false)
			}
		})
	}
	add("crit with alg missing", false, func(g *gen, b *build) {
		b.hdr("crit", []any{"exp"})
		b.header.del("alg")
	})

	// Signature.
	add("signed by a stranger RSA key", true, func(g *gen, b *build) { rs(b); b.signer = g.kr.rsaStranger })
	add("signed by a stranger EC key", false, func(g *gen, b *build) { es(b); b.signer = g.kr.ecStranger })
	add("signed by another registered key", false, func(g *gen, b *build) { rs(b); b.signer = g.kr.rsaSig })
	add("payload tampered after signing", true, func(g *gen, b *build) {
		b.afterSign = replaceSegment(1, func(string) string {
			p := b.payload.clone()
			p.set("sub", "admin")
			return b64([]byte(p.String()))
		})
	})
	add("header tampered after signing", false, func(g *gen, b *build) {
		b.afterSign = replaceSegment(0, func(string) string {
			h := b.header.clone()
			h.set("typ", "jwt")
			return b64([]byte(h.String()))
		})
	})
	add("ES384 DER-encoded signature", true, func(g *gen, b *build) { es(b); b.how = "ES384-DER" })
	add("ES384 signature one byte short", false, func(g *gen, b *build) { es(b); b.how = "ES384-short" })
	add("ES384 signature one byte long", false, func(g *gen, b *build) { es(b); b.how = "ES384-long" })
	add("ES384 signature all zero", false, func(g *gen, b *build) { es(b); b.how = "ES384-zero" })
	add("RS384 signature truncated", false, func(g *gen, b *build) {
		rs(b)
		b.afterSign = replaceSegment(2, func(sig string) string { return sig[:len(sig)-10] })
	})
	add("garbage signature", false, func(g *gen, b *build) { b.how = "garbage" })
	add("RS384 header, RS256 signature", false, func(g *gen, b *build) { rs(b); b.how = "RS256" })
	add("RS384 header, PS384 signature", false, func(g *gen, b *build) { rs(b); b.how = "PS384" })
	add("ES384 header, signature by the P-256 key", false, func(g *gen, b *build) {
		es(b)
		b.signer = g.kr.ec256
		b.how = "ES256"
	})

	// Signatures that no key verifies: lint must reject them without keys.
	p384 := elliptic.P384().Params().N
	ecSig := func(edit func(sig []byte)) func(string) string {
		return func(seg string) string {
			sig, err := base64.RawURLEncoding.DecodeString(seg)
			if err != nil || len(sig) != 96 {
				return seg
			}
			edit(sig)
			return base64.RawURLEncoding.EncodeToString(sig)
		}
	}
	for _, v := range []struct {
		name string
		edit func(b *build)
	}{
		{"empty signature segment", func(b *build) { b.how = "empty" }},
		{"ES384 signature r zero", func(b *build) { es(b); b.afterSign = replaceSegment(2, ecSig(func(s []byte) { clear(s[:48]) })) }},
		{"ES384 signature s zero", func(b *build) { es(b); b.afterSign = replaceSegment(2, ecSig(func(s []byte) { clear(s[48:]) })) }},
		{"ES384 signature r and s zero (CVE-2022-21449)", func(b *build) { es(b); b.how = "ES384-zero" }},
		{"ES384 signature r the curve order", func(b *build) {
			es(b)
			b.afterSign = replaceSegment(2, ecSig(func(s []byte) { p384.FillBytes(s[:48]) }))
		}},
		{"ES384 signature 95 bytes", func(b *build) { es(b); b.how = "ES384-short" }},
		{"ES384 signature DER-encoded", func(b *build) { es(b); b.how = "ES384-DER" }},
		{"RS384 signature 77 bytes", func(b *build) {
			rs(b)
			b.afterSign = replaceSegment(2, func(string) string { return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 77)) })
		}},
		{"RS384 signature 2049 bytes", func(b *build) {
			rs(b)
			b.afterSign = replaceSegment(2, func(string) string { return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 2049)) })
		}},
		{"kid number 7", func(b *build) { b.hdr("kid", 7) }},
		{"kid object", func(b *build) { b.hdr("kid", map[string]any{"kid": "rsa-main"}) }},
	} {
		add("no key can pass: "+v.name, false, func(g *gen, b *build) { v.edit(b); b.keylessReject = true })
	}

	// Claim types.
	for _, v := range []struct {
		claim string
		name  string
		value any
		mix   bool
	}{
		{"iat", "number in a string", "NOW", true}, {"iat", "date string", "2026-11-27T12:00:00Z", false},
		{"iat", "null", raw("null"), false}, {"iat", "array", []any{1}, false}, {"iat", "true", true, false},
		{"iat", "object", map[string]any{}, false},
		{"exp", "number in a string", "NOW+300", true}, {"exp", "null", raw("null"), false}, {"exp", "array", []any{}, false},
		{"exp", "false", false, false},
		{"nbf", "number in a string", "NOW", true}, {"nbf", "null", raw("null"), false}, {"nbf", "empty string", "", false},
		{"jti", "number", 12345, true}, {"jti", "empty", "", false}, {"jti", "null", raw("null"), false},
		{"jti", "array", []any{"a"}, false},
		{"sub", "number", 42, true}, {"sub", "empty", "", false}, {"sub", "array", []any{"CLIENT"}, false},
		{"sub", "null", raw("null"), false},
		{"aud", "number", 5, true}, {"aud", "empty array", []any{}, false}, {"aud", "array with a number", []any{"URL", 5}, false},
		{"aud", "empty string", "", false}, {"aud", "array with an empty string", []any{"URL", ""}, false},
		{"aud", "null", raw("null"), false}, {"aud", "object", map[string]any{"url": "URL"}, false},
	} {
		add(v.claim+" "+v.name, v.mix, func(g *gen, b *build) {
			val := v.value
			subst := func(x any) any {
				s, ok := x.(string)
				if !ok {
					return x
				}
				switch s {
				case "NOW":
					return fmt.Sprint(b.now)
				case "NOW+300":
					return fmt.Sprint(b.now + 300)
				case "URL":
					return b.tokenURL
				case "CLIENT":
					return b.clientID
				}
				return s
			}
			if list, ok := val.([]any); ok {
				out := make([]any, len(list))
				for i, x := range list {
					out[i] = subst(x)
				}
				val = out
			} else {
				val = subst(val)
			}
			b.claim(v.claim, val)
		})
	}
	add("iat missing", true, func(g *gen, b *build) { b.drop("iat") })
	add("iat and exp missing", false, func(g *gen, b *build) { b.drop("iat"); b.drop("exp") })
	add("aud missing", true, func(g *gen, b *build) { b.drop("aud") })
	add("typ number", true, func(g *gen, b *build) { b.hdr("typ", 1) })
	add("typ empty", false, func(g *gen, b *build) { b.hdr("typ", "") })
	add("typ null", false, func(g *gen, b *build) { b.hdr("typ", raw("null")) })
	add("typ array", false, func(g *gen, b *build) { b.hdr("typ", []any{"JWT"}) })
	add("iat string and exp string", false, func(g *gen, b *build) {
		b.claim("iat", fmt.Sprint(b.now))
		b.claim("exp", fmt.Sprint(b.now+300))
	})
	add("jti number and aud missing", false, func(g *gen, b *build) { b.claim("jti", 1); b.drop("aud") })
	add("sub number and typ number", false, func(g *gen, b *build) { b.claim("sub", 1); b.hdr("typ", 1) })
	add("aud wrong and exp string", false, func(g *gen, b *build) {
		b.claim("aud", "https://example.com")
		b.claim("exp", "soon")
	})
	add("exp expired and aud wrong", false, func(g *gen, b *build) {
		b.claim("exp", b.now-3600)
		b.claim("aud", "https://example.com")
	})
	add("exp expired and aud missing", false, func(g *gen, b *build) { b.claim("exp", b.now-3600); b.drop("aud") })
	add("typ number and aud wrong", false, func(g *gen, b *build) {
		b.hdr("typ", 1)
		b.claim("aud", "https://example.com")
	})

	// aud values.
	add("aud array containing the token URL", false, func(g *gen, b *build) {
		b.claim("aud", []any{"https://example.com", b.tokenURL})
	})
	add("aud array with the token URL twice", false, func(g *gen, b *build) { b.claim("aud", []any{b.tokenURL, b.tokenURL}) })
	add("aud other region", true, func(g *gen, b *build) {
		if b.tokenURL == tokenURLUS {
			b.claim("aud", tokenURLCA)
		} else {
			b.claim("aud", tokenURLUS)
		}
	})
	add("aud trailing slash", true, func(g *gen, b *build) { b.claim("aud", b.tokenURL+"/") })
	add("aud FHIR base URL", false, func(g *gen, b *build) {
		b.claim("aud", strings.Replace(b.tokenURL, "/v2/auth/token", "/fhir/R4", 1))
	})
	add("aud upper case", false, func(g *gen, b *build) { b.claim("aud", strings.ToUpper(b.tokenURL)) })
	add("aud array without the token URL", false, func(g *gen, b *build) {
		b.claim("aud", []any{"https://example.com", b.tokenURL + "/"})
	})
	add("aud http scheme", false, func(g *gen, b *build) {
		b.claim("aud", strings.Replace(b.tokenURL, "https://", "http://", 1))
	})

	// Times around every boundary.
	for _, age := range []int64{309, 310, 311} {
		add(fmt.Sprintf("iat %ds old, exp now+60", age), age == 311, func(g *gen, b *build) { b.times(-age, i64(60)) })
		add(fmt.Sprintf("iat %ds old, no exp", age), false, func(g *gen, b *build) { b.times(-age, nil) })
		add(fmt.Sprintf("iat %ds old, exp iat+300", age), false, func(g *gen, b *build) { b.times(-age, i64(300-age)) })
	}
	for _, ahead := range []int64{9, 10, 11} {
		add(fmt.Sprintf("iat %ds ahead, no exp", ahead), ahead == 11, func(g *gen, b *build) { b.times(ahead, nil) })
		add(fmt.Sprintf("iat %ds ahead, exp iat+300", ahead), ahead == 11, func(g *gen, b *build) { b.times(ahead, i64(ahead+300)) })
	}
	add("nbf now+10", false, func(g *gen, b *build) { b.claim("nbf", b.now+10) })
	add("nbf now+11", true, func(g *gen, b *build) { b.claim("nbf", b.now+11) })
	add("nbf an hour ago", false, func(g *gen, b *build) { b.claim("nbf", b.now-3600) })
	add("exp now-10", true, func(g *gen, b *build) { b.times(-100, i64(-10)) })
	add("exp now-9", false, func(g *gen, b *build) { b.times(-100, i64(-9)) })
	add("exp now", false, func(g *gen, b *build) { b.times(-100, i64(0)) })
	add("exp a year ahead", false, func(g *gen, b *build) { b.times(0, i64(365*86400)) })
	add("iat in milliseconds, exp in seconds", true, func(g *gen, b *build) {
		b.claim("iat", b.now*1000)
		b.claim("exp", b.now+300)
	})
	add("iat in milliseconds, no exp", false, func(g *gen, b *build) { b.claim("iat", b.now*1000); b.drop("exp") })
	add("iat and exp in milliseconds", false, func(g *gen, b *build) {
		b.claim("iat", b.now*1000)
		b.claim("exp", (b.now+300)*1000)
	})
	add("exp in milliseconds", false, func(g *gen, b *build) { b.claim("exp", (b.now+300)*1000) })
	add("nbf in milliseconds", false, func(g *gen, b *build) { b.claim("nbf", b.now*1000) })
	add("iat 310.5s old", false, func(g *gen, b *build) {
		b.claim("iat", rawNum("%d.5", b.now-311))
		b.claim("exp", b.now+60)
	})
	add("iat 309.5s old", false, func(g *gen, b *build) {
		b.claim("iat", rawNum("%d.5", b.now-310))
		b.claim("exp", b.now+60)
	})
	add("exp now-9.5", false, func(g *gen, b *build) { b.times(-100, nil); b.claim("exp", rawNum("%d.5", b.now-10)) })
	add("exp now-10.5", false, func(g *gen, b *build) { b.times(-100, nil); b.claim("exp", rawNum("%d.5", b.now-11)) })
	add("nbf now+10.5", false, func(g *gen, b *build) { b.claim("nbf", rawNum("%d.5", b.now+10)) })
	add("iat 10.5s ahead, no exp", false, func(g *gen, b *build) { b.times(0, nil); b.claim("iat", rawNum("%d.5", b.now+10)) })
	add("iat 1e400 (infinity), with exp", false, func(g *gen, b *build) { b.claim("iat", raw("1e400")) })
	add("iat -1e400", false, func(g *gen, b *build) { b.claim("iat", raw("-1e400")) })
	add("exp 1e400", false, func(g *gen, b *build) { b.claim("exp", raw("1e400")) })
	add("iat 0", false, func(g *gen, b *build) { b.claim("iat", 0) })
	add("iat negative", false, func(g *gen, b *build) { b.claim("iat", -5) })
	add("iat in exponent notation", false, func(g *gen, b *build) { b.claim("iat", rawNum("%de0", b.now-5)) })
	add("exp with a tiny fraction", false, func(g *gen, b *build) { b.claim("exp", rawNum("%d.0000000001", b.now-10)) })
	add("iat 300s old with a fraction below tolerance", false, func(g *gen, b *build) {
		b.claim("iat", rawNum("%d.999", b.now-311))
		b.claim("exp", b.now+60)
	})
	add("nbf ahead and exp expired", false, func(g *gen, b *build) {
		b.claim("nbf", b.now+60)
		b.claim("exp", b.now-60)
		b.claim("iat", b.now-100)
	})
	add("exp expired and iat too old", false, func(g *gen, b *build) { b.times(-1000, i64(-700)) })
	add("iat ahead without exp and nbf ahead", false, func(g *gen, b *build) {
		b.times(60, nil)
		b.claim("nbf", b.now+60)
	})
	add("iat ahead with exp and nbf ahead", false, func(g *gen, b *build) {
		b.times(60, i64(360))
		b.claim("nbf", b.now+60)
	})
	add("nbf ahead and aud wrong", false, func(g *gen, b *build) {
		b.claim("nbf", b.now+60)
		b.claim("aud", "https://example.com")
	})

	// Found while probing: more of the same classes.
	add("alg RS384 with the 512-bit key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-512", "RS256") })
	add("alg RS384 with the 640-bit key", false, func(g *gen, b *build) { b.setKey("RS384", "rsa-640", "RS384") })
	add("alg ES384 with the oct key's kid", false, func(g *gen, b *build) {
		b.setKey("ES384", "hmac", "ES384")
		b.keys = []*keyPair{g.kr.hmac, g.kr.ecMain}
	})
	add("alg RS384 with the oct key's kid", false, func(g *gen, b *build) {
		b.setKey("RS384", "hmac", "RS384")
		b.keys = []*keyPair{g.kr.rsaMain, g.kr.hmac}
	})
	add("payload JSON followed by '}'", false, func(g *gen, b *build) {
		t := b.payload.String() + "}"
		b.rawPayload = &t
	})
	add("header JSON followed by ']'", false, func(g *gen, b *build) {
		t := b.header.String() + "]"
		b.rawHeader = &t
	})
	add("header JSON followed by a comma", false, func(g *gen, b *build) {
		t := b.header.String() + ","
		b.rawHeader = &t
	})
	add("payload JSON followed by a second object", false, func(g *gen, b *build) {
		t := b.payload.String() + "{}"
		b.rawPayload = &t
	})
	add("payload JSON followed by a number", false, func(g *gen, b *build) {
		t := b.payload.String() + " 1"
		b.rawPayload = &t
	})
	add("payload JSON null followed by garbage", false, func(g *gen, b *build) {
		t := "null x"
		b.rawPayload = &t
	})
	for _, v := range []struct {
		name    string
		changes map[string]any
	}{
		{"use foo", map[string]any{"use": "foo"}},
		{"alg empty", map[string]any{"alg": ""}},
		{"key_ops empty", map[string]any{"key_ops": []any{}}},
		{"key_ops with an unknown op", map[string]any{"key_ops": []any{"verify", "frobnicate"}}},
		{"key_ops only unknown ops", map[string]any{"key_ops": []any{"frobnicate"}}},
		{"use sig with key_ops encrypt and verify", map[string]any{"use": "sig", "key_ops": []any{"encrypt", "verify"}}},
		{"use enc with key_ops encrypt", map[string]any{"use": "enc", "key_ops": []any{"encrypt"}}},
		{"x5c not a certificate", map[string]any{"x5c": []any{"AAAA"}}},
		{"x5t present", map[string]any{"x5t": "AAAA"}},
	} {
		add("registered JWK "+v.name, false, func(g *gen, b *build) {
			rs(b)
			b.keys = []*keyPair{withJWK(g.kr.rsaMain, v.changes), g.kr.ecMain}
		})
	}
	add("registered JWK x5c holding its own certificate", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"x5c": []any{selfSignedCert(g.kr.rsaMain)}}), g.kr.ecMain}
	})
	add("registered JWK x5c holding another key's certificate", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"x5c": []any{selfSignedCert(g.kr.rsaRS256)}}), g.kr.ecMain}
	})
	add("registered JWK x5c own certificate, then one that is not", false, func(g *gen, b *build) {
		rs(b)
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"x5c": []any{selfSignedCert(g.kr.rsaMain), "AAAA"}}), g.kr.ecMain}
	})
	add("kid with a lone surrogate escape, JWKS kid U+FFFD", false, func(g *gen, b *build) {
		rs(b)
		b.hdr("kid", raw(`"rsa-main\ud800"`))
		b.keys = []*keyPair{withJWK(g.kr.rsaMain, map[string]any{"kid": "rsa-main\uFFFD"})}
	})
	add("kid twice, second spelled with an escape", false, func(g *gen, b *build) {
		kid, _ := b.header.get("kid")
		b.hdr("kid", "nope")
		b.header.add(`k\u0069d`, kid)
		h := strings.Replace(b.header.String(), `"k\\u0069d"`, `"k\u0069d"`, 1)
		b.rawHeader = &h
	})
	add("content-type empty", false, func(g *gen, b *build) { b.ct("") })
	add("client_assertion with a leading space", false, func(g *gen, b *build) {
		b.afterSign = func(tok string) string { return " " + tok }
	})
	add("client_assertion with a newline inside, signed over", false, func(g *gen, b *build) {
		b.segments = func(h, p string) (string, string) { return h, insertAt(p, 20, "\n") }
	})
	add("iss with one invalid UTF-8 byte, client_id with U+FFFD", false, func(g *gen, b *build) {
		b.clientID += "\uFFFD"
		b.claim("iss", "ISS")
		t := strings.Replace(b.payload.String(), `"ISS"`, `"`+strings.TrimSuffix(b.clientID, "\uFFFD")+"\xff\"", 1)
		b.rawPayload = &t
	})
	add("iss with two invalid UTF-8 bytes, client_id with two U+FFFD", false, func(g *gen, b *build) {
		b.clientID += "\uFFFD\uFFFD"
		b.claim("iss", "ISS")
		t := strings.Replace(b.payload.String(), `"ISS"`, `"`+strings.TrimSuffix(b.clientID, "\uFFFD\uFFFD")+"\xff\xff\"", 1)
		b.rawPayload = &t
	})
	return s
}

// generate builds every scenario once, then random combinations of the
// mixable ones.
func (g *gen) generate(mixed int) {
	all := scenarios()
	var mixable []scenario
	for _, sc := range all {
		b := g.std(sc.name)
		sc.fn(g, b)
		g.finish(b)
		if sc.mix {
			mixable = append(mixable, sc)
		}
	}
	for range mixed {
		n := 2 + g.rng.IntN(2)
		b := g.std("mix")
		b.name = nil
		for range n {
			sc := mixable[g.rng.IntN(len(mixable))]
			b.name = append(b.name, sc.name)
			sc.fn(g, b)
		}
		b.name[0] = "mix: " + b.name[0]
		g.finish(b)
	}
}
