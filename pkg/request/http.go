package request

import (
	"net/textproto"
	"strconv"
	"strings"
)

// reqLine is a parsed HTTP request line.
type reqLine struct {
	method, target, version string
	end                     int // offset just past the line, including its line ending
}

// knownMethod reports whether m may start a request line that lacks the
// HTTP version, as in the .http files of editor REST clients.
func knownMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// requestLine reports whether s starts with "METHOD target HTTP/x.y" (or a
// well-known upper-case method and an absolute target without a version).
func requestLine(s string) (reqLine, bool) {
	line, end := s, len(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		line, end = s[:i], i+1
	}
	const maxLine = 64 << 10
	if len(line) > maxLine {
		return reqLine{}, false
	}
	fields := strings.Fields(line)
	switch len(fields) {
	case 3:
		if !isMethod(fields[0]) || !isVersion(fields[2]) {
			return reqLine{}, false
		}
		return reqLine{method: fields[0], target: fields[1], version: fields[2], end: end}, true
	case 2:
		t := fields[1]
		if knownMethod(fields[0]) && (strings.HasPrefix(t, "/") || hasPrefixFold(t, "http://") || hasPrefixFold(t, "https://")) {
			return reqLine{method: fields[0], target: t, end: end}, true
		}
	}
	return reqLine{}, false
}

func isMethod(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isVersion matches HTTP/d or HTTP/d.d, case-insensitively.
func isVersion(s string) bool {
	if !hasPrefixFold(s, "HTTP/") {
		return false
	}
	v := s[5:]
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	switch len(v) {
	case 1:
		return isDigit(v[0])
	case 3:
		return isDigit(v[0]) && v[1] == '.' && isDigit(v[2])
	}
	return false
}

// isToken reports whether s is a non-empty RFC 9110 token (a valid header
// name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// parseHTTP reads a raw HTTP/1.x request whose request line rl has already
// been recognised at the start of s.
func parseHTTP(s string, rl reqLine) *Request {
	var n notes
	r := &Request{Kind: KindHTTP, Method: rl.method, ContentTypeKnown: true}
	if rl.version == "" {
		n.add("request line has no HTTP version")
	} else if !strings.HasPrefix(rl.version, "HTTP/1.") {
		n.add("request line says %s; it was read as HTTP/1.1", quoteNote(rl.version))
	}
	if strings.ToUpper(rl.method) != rl.method {
		n.add("method %s is not upper case; methods are case-sensitive", quoteNote(rl.method))
	}

	// Header lines run up to the first blank line. A line that cannot be a
	// header but looks like a form body is taken as the start of a body
	// that lost its blank line.
	var hdr []header
	rest := s[rl.end:]
	body := ""
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			// A line of only spaces ends the headers for a lenient
			// reader; strict servers reject it.
			if line != "" {
				n.add("the line ending the headers has spaces in it")
			}
			body = after
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(hdr) > 0 {
			n.add("header %s is folded over several lines", quoteNote(hdr[len(hdr)-1].name))
			hdr[len(hdr)-1].value += " " + strings.TrimSpace(line)
			rest = after
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if ok && isToken(strings.TrimRight(name, " \t")) {
			if strings.TrimRight(name, " \t") != name {
				n.add("header %s has spaces before the colon", quoteNote(strings.TrimSpace(name)))
				name = strings.TrimRight(name, " \t")
			}
			hdr = append(hdr, header{name: textproto.CanonicalMIMEHeaderKey(name), value: strings.Trim(value, " \t")})
			rest = after
			continue
		}
		if strings.Contains(line, "=") {
			n.add("no blank line between the headers and the body")
			body = rest
			break
		}
		n.add("line %s is not a header; it was ignored", quoteNote(line))
		rest = after
	}
	r.Headers = headerMap(hdr)

	// URL: an absolute target stands alone; otherwise the Host header gives
	// the authority. Token endpoints are HTTPS, so that is the scheme used.
	hosts := r.Headers["Host"]
	switch {
	case hasPrefixFold(rl.target, "http://") || hasPrefixFold(rl.target, "https://"):
		r.URL = rl.target
	case len(hosts) > 0 && hosts[0] != "":
		target := rl.target
		if !strings.HasPrefix(target, "/") && target != "*" {
			target = "/" + target
		}
		r.URL = "https://" + hosts[0] + target
	default:
		r.URL = rl.target
		n.add("request has no Host header, so the URL is only the path")
	}
	if len(hosts) > 1 {
		n.add("request has more than one Host header")
	}

	if cts := r.Headers["Content-Type"]; len(cts) > 0 {
		r.ContentType = cts[0]
		if len(cts) > 1 {
			n.add("request has more than one Content-Type header; the first was used")
		}
	}

	r.Body = httpBody(body, r.Headers, &n)
	finishBody(r, &n)
	r.Notes = n.list
	return r
}

type header struct{ name, value string }

func headerMap(hdr []header) map[string][]string {
	if len(hdr) == 0 {
		return nil
	}
	m := make(map[string][]string, len(hdr))
	for _, h := range hdr {
		m[h.name] = append(m[h.name], h.value)
	}
	return m
}

// httpBody frames the text after the headers as the server would: by
// Transfer-Encoding: chunked, else by Content-Length. A trailing line ending
// beyond the framed length is a paste artefact and is dropped silently.
func httpBody(rest string, h map[string][]string, n *notes) string {
	te := strings.ToLower(strings.Join(h["Transfer-Encoding"], ","))
	cls := h["Content-Length"]
	if te != "" {
		codings := strings.Split(te, ",")
		last := strings.TrimSpace(codings[len(codings)-1])
		if len(cls) > 0 {
			n.add("request has both Content-Length and Transfer-Encoding; Content-Length was ignored")
		}
		if last == "chunked" {
			if len(codings) > 1 {
				n.add("transfer codings other than chunked were not decoded")
			}
			return dechunk(rest, n)
		}
		n.add("transfer encoding %s is not chunked; the body was read as it is", quoteNote(te))
		return strings.TrimRight(rest, "\r\n")
	}
	if len(cls) > 0 {
		length, ok := contentLength(cls)
		if !ok {
			n.add("Content-Length %s is not a valid length; it was ignored", quoteNote(strings.Join(cls, ", ")))
		} else {
			switch {
			case len(rest) > length:
				extra := rest[length:]
				if strings.TrimSpace(extra) != "" {
					n.add("body is longer than Content-Length (%d bytes); the %s after it were dropped", length, plural(len(extra), "byte"))
				}
				return rest[:length]
			case len(rest) < length:
				n.add("body is shorter than Content-Length (%d of %s)", len(rest), plural(length, "byte"))
			}
			return rest
		}
	}
	body := strings.TrimRight(rest, "\r\n")
	if body != "" {
		n.add("request has a body but no Content-Length or Transfer-Encoding header")
	}
	return body
}

// contentLength reads one or more Content-Length values (repeated headers
// or a comma list), which must all be the same decimal number.
func contentLength(values []string) (int, bool) {
	length := -1
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" || len(part) > 15 || strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
				return 0, false
			}
			x, err := strconv.Atoi(part)
			if err != nil || (length >= 0 && x != length) {
				return 0, false
			}
			length = x
		}
	}
	return length, length >= 0
}

// dechunk decodes a chunked body leniently: LF or CRLF line endings, chunk
// extensions ignored, trailers ignored. A missing final chunk is noted; a
// body that is not chunked at all is kept as it is.
func dechunk(s string, n *notes) string {
	var b strings.Builder
	rest := s
	for {
		if strings.Trim(rest, "\r\n") == "" {
			n.add("chunked body has no final zero-size chunk")
			return b.String()
		}
		line, after, _ := strings.Cut(rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		sizeText, _, _ := strings.Cut(line, ";")
		sizeText = strings.TrimSpace(sizeText)
		size, err := strconv.ParseUint(sizeText, 16, 62)
		if err != nil || sizeText == "" || size > uint64(len(after)) {
			n.add("chunked body is malformed; it was read as it is")
			return strings.TrimRight(s, "\r\n")
		}
		if size == 0 {
			return b.String()
		}
		b.WriteString(after[:size])
		rest = after[size:]
		switch {
		case strings.HasPrefix(rest, "\r\n"):
			rest = rest[2:]
		case strings.HasPrefix(rest, "\n"):
			rest = rest[1:]
		case rest == "":
		default:
			n.add("chunked body is malformed; it was read as it is")
			return strings.TrimRight(s, "\r\n")
		}
	}
}

// plural formats a count with its noun, adding an s unless the count is 1.
func plural(count int, noun string) string {
	if count == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(count) + " " + noun + "s"
}
