package request

import (
	"bytes"
	"errors"
	"io/fs"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
)

// curlCommand reports whether s (trimmed) is a curl command line: its first
// word, after an optional "$ " prompt, is curl or curl.exe, possibly with a
// directory. It returns s without the prompt.
func curlCommand(s string) (string, bool) {
	rest := s
	if strings.HasPrefix(rest, "$ ") || strings.HasPrefix(rest, "$\t") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	first := rest
	if end := strings.IndexAny(rest, " \t\r\n"); end >= 0 {
		first = rest[:end]
	}
	first = strings.TrimRight(first, "\\^`")
	if k := strings.LastIndexAny(first, `/\`); k >= 0 {
		first = first[k+1:]
	}
	if strings.EqualFold(first, "curl") || strings.EqualFold(first, "curl.exe") {
		return rest, true
	}
	return "", false
}

// curlArgOptions are the long options of curl that take an argument. Every
// other option is a flag; knowing which is which keeps an option's value
// from being taken for the URL. Both lists are sorted slices rather than
// maps so that they are static data instead of work at every start-up.
var curlArgOptions = []string{
	"abstract-unix-socket", "alt-svc", "aws-sigv4", "cacert", "capath", "cert", "cert-type",
	"ciphers", "config", "connect-timeout", "connect-to", "continue-at", "cookie", "cookie-jar",
	"create-file-mode", "crlfile", "curves", "data", "data-ascii", "data-binary", "data-raw",
	"data-urlencode", "delegation", "dns-interface", "dns-ipv4-addr", "dns-ipv6-addr", "dns-servers",
	"doh-url", "dump-header", "ech", "egd-file", "engine", "etag-compare", "etag-save",
	"expect100-timeout", "form", "form-string", "ftp-account", "ftp-alternative-to-user",
	"ftp-method", "ftp-port", "ftp-ssl-ccc-mode", "happy-eyeballs-timeout-ms", "haproxy-clientip",
	"header", "hostpubmd5", "hostpubsha256", "hsts", "interface", "ip-tos", "ipfs-gateway", "json",
	"keepalive-cnt", "keepalive-time", "key", "key-type", "krb", "libcurl", "limit-rate",
	"local-port", "login-options", "mail-auth", "mail-from", "mail-rcpt", "max-filesize",
	"max-redirs", "max-time", "netrc-file", "noproxy", "oauth2-bearer", "output", "output-dir",
	"pass", "pinnedpubkey", "preproxy", "proto", "proto-default", "proto-redir", "proxy",
	"proxy-cacert", "proxy-capath", "proxy-cert", "proxy-cert-type", "proxy-ciphers", "proxy-crlfile",
	"proxy-header", "proxy-key", "proxy-key-type", "proxy-pass", "proxy-pinnedpubkey",
	"proxy-service-name", "proxy-tls13-ciphers", "proxy-tlsauthtype", "proxy-tlspassword",
	"proxy-tlsuser", "proxy-user", "proxy1.0", "pubkey", "quote", "random-file", "range", "rate",
	"referer", "request", "request-target", "resolve", "retry", "retry-delay", "retry-max-time",
	"sasl-authzid", "service-name", "socks4", "socks4a", "socks5", "socks5-gssapi-service",
	"socks5-hostname", "speed-limit", "speed-time", "stderr", "telnet-option", "tftp-blksize",
	"time-cond", "tls-max", "tls13-ciphers", "tlsauthtype", "tlspassword", "tlsuser", "trace",
	"trace-ascii", "trace-config", "unix-socket", "upload-file", "url", "url-query", "user",
	"user-agent", "variable", "write-out",
}

// curlFlagOptions are common curl options without an argument. An option in
// neither list is noted as unknown and read as a flag.
var curlFlagOptions = []string{
	"anyauth", "append", "basic", "ca-native", "cert-status", "compressed", "compressed-ssh",
	"create-dirs", "crlf", "digest", "disable", "disable-eprt", "disable-epsv",
	"disallow-username-in-url", "doh-cert-status", "doh-insecure", "fail", "fail-early",
	"fail-with-body", "false-start", "ftp-create-dirs", "ftp-pasv", "ftp-pret", "ftp-skip-pasv-ip",
	"ftp-ssl", "ftp-ssl-ccc", "ftp-ssl-control", "ftp-ssl-reqd", "get", "globoff", "head", "help",
	"http0.9", "http1.0", "http1.1", "http2", "http2-prior-knowledge", "http3", "http3-only",
	"ignore-content-length", "include", "insecure", "ipv4", "ipv6", "junk-session-cookies",
	"list-only", "location", "location-trusted", "manual", "metalink", "mptcp", "negotiate", "netrc",
	"netrc-optional", "next", "no-alpn", "no-buffer", "no-clobber", "no-keepalive", "no-npn",
	"no-progress-meter", "no-sessionid", "ntlm", "ntlm-wb", "parallel", "parallel-immediate",
	"path-as-is", "post301", "post302", "post303", "progress-bar", "proxy-anyauth", "proxy-basic",
	"proxy-ca-native", "proxy-digest", "proxy-http2", "proxy-insecure", "proxy-negotiate",
	"proxy-ntlm", "proxy-ssl-allow-beast", "proxy-ssl-auto-client-cert", "proxytunnel", "raw",
	"remote-header-name", "remote-name", "remote-name-all", "remote-time", "remove-on-error",
	"retry-all-errors", "retry-connrefused", "sasl-ir", "show-error", "show-headers", "silent",
	"skip-existing", "socks5-basic", "socks5-gssapi", "socks5-gssapi-nec", "ssl", "ssl-allow-beast",
	"ssl-auto-client-cert", "ssl-no-revoke", "ssl-reqd", "ssl-revoke-best-effort", "sslv2", "sslv3",
	"styled-output", "suppress-connect-headers", "tcp-fastopen", "tcp-nodelay", "tftp-no-options",
	"tlsv1", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3", "tr-encoding", "trace-ids", "trace-time",
	"use-ascii", "verbose", "version", "xattr",
}

// curlShortArg maps the short options that take an argument to their long
// names; curlShortFlags are the short options without one.
var curlShortArg = [256]string{
	'A': "user-agent", 'b': "cookie", 'c': "cookie-jar", 'C': "continue-at", 'd': "data",
	'D': "dump-header", 'e': "referer", 'E': "cert", 'F': "form", 'H': "header", 'K': "config",
	'm': "max-time", 'o': "output", 'P': "ftp-port", 'Q': "quote", 'r': "range",
	't': "telnet-option", 'T': "upload-file", 'u': "user", 'U': "proxy-user", 'w': "write-out",
	'x': "proxy", 'X': "request", 'y': "speed-time", 'Y': "speed-limit", 'z': "time-cond",
}

var curlShortFlags = [256]string{
	'0': "http1.0", '1': "tlsv1", '2': "sslv2", '3': "sslv3", '4': "ipv4", '6': "ipv6",
	'#': "progress-bar", ':': "next", 'a': "append", 'B': "use-ascii", 'f': "fail",
	'g': "globoff", 'G': "get", 'h': "help", 'i': "include", 'I': "head", 'j': "junk-session-cookies",
	'J': "remote-header-name", 'k': "insecure", 'l': "list-only", 'L': "location", 'M': "manual",
	'n': "netrc", 'N': "no-buffer", 'O': "remote-name", 'p': "proxytunnel", 'q': "disable",
	'R': "remote-time", 's': "silent", 'S': "show-error", 'v': "verbose", 'V': "version",
	'Z': "parallel",
}

func listed(sorted []string, name string) bool {
	_, found := slices.BinarySearch(sorted, name)
	return found
}

// multipartBoundaryText is the boundary used for the multipart body that
// stands in for what curl -F would send (curl picks a random one).
const multipartBoundaryText = "------------------------clientassert0boundary"

// curlCmd accumulates what the options of a curl command set.
type curlCmd struct {
	n        *notes
	method   string
	urls     []string
	headers  []header
	removed  map[string]bool // headers switched off with "Name:"
	data     strings.Builder
	hasData  bool
	json     bool
	fields   []header // -F fields, name and value
	hasForm  bool
	get      bool
	head     bool
	upload   bool
	query    []string // --url-query parts
	stopped  bool     // --next seen
	usedUser bool
	opts     Options
}

// parseCurl reads a curl command line (prompt already removed).
func parseCurl(s string, opts Options) *Request {
	var n notes
	words := splitShell(s, detectDialect(s), &n)
	c := &curlCmd{n: &n, removed: map[string]bool{}, opts: opts}
	if len(words) > 0 {
		c.parseArgs(words[1:])
	}
	r := c.request()
	finishBody(r, &n)
	r.Notes, r.Skipped = n.list, n.skipped
	return r
}

// readFile reads a file the command names, relative to the base folder, or
// notes why it could not and returns false. what describes the argument
// for the note, as "-d @body.txt".
func (c *curlCmd) readFile(what, name string) ([]byte, bool) {
	if name == "-" {
		c.n.skip("%s reads stdin, which cannot be read here; it was skipped", strings.Replace(what, `"-"`, "-", 1))
		return nil, false
	}
	if c.opts.ReadFile == nil {
		c.n.skip("%s reads a file, which cannot be read here; it was skipped", what)
		return nil, false
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.opts.BaseDir, path)
	}
	data, err := c.opts.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.n.skip("%s names a file that is not there (%s); it was skipped", what, quoteNote(path))
		return nil, false
	case err != nil:
		c.n.skip("%s names a file that could not be read (%s); it was skipped", what, quoteNote(path))
		return nil, false
	case len(data) > MaxReadFile:
		c.n.skip("%s names a file larger than %d bytes; it was skipped", what, MaxReadFile)
		return nil, false
	}
	c.n.add("%s was read from %s", what, quoteNote(path))
	return data, true
}

func (c *curlCmd) parseArgs(args []string) {
	endOfOptions := false
	for i := 0; i < len(args) && !c.stopped; i++ {
		w := args[i]
		switch {
		case endOfOptions || w == "-" || !strings.HasPrefix(w, "-"):
			c.urls = append(c.urls, w)
		case w == "--":
			endOfOptions = true
		case strings.HasPrefix(w, "--"):
			name := w[2:]
			if eq := strings.IndexByte(name, '='); eq > 0 && optionTakesArg(name[:eq]) {
				c.n.add("curl does not accept %s; it was read as %s followed by its value", quoteNote("--"+name[:eq]+"=..."), "--"+name[:eq])
				c.option("--"+name[:eq], name[:eq], name[eq+1:])
				continue
			}
			if optionTakesArg(name) {
				if i+1 >= len(args) {
					c.n.add("option %s has no value", quoteNote(w))
					continue
				}
				i++
				c.option(w, name, args[i])
				continue
			}
			c.flag(w, name)
		default:
			// A cluster of short options such as -sS or -sXPOST: letters
			// are flags until one that takes an argument, which takes
			// the rest of the word or else the next word.
			for j := 1; j < len(w); j++ {
				if long := curlShortArg[w[j]]; long != "" {
					opt := "-" + string(w[j])
					if j+1 < len(w) {
						c.option(opt, long, w[j+1:])
					} else if i+1 < len(args) {
						i++
						c.option(opt, long, args[i])
					} else {
						c.n.add("option %s has no value", quoteNote(opt))
					}
					break
				}
				if long := curlShortFlags[w[j]]; long != "" {
					c.flag("-"+string(w[j]), long)
				} else {
					c.n.add("unknown curl option %s was ignored", quoteNote("-"+string(w[j])))
				}
				if c.stopped {
					break
				}
			}
		}
	}
}

// optionTakesArg reports whether the long option name takes an argument,
// including curl's --expand- variants.
func optionTakesArg(name string) bool {
	return listed(curlArgOptions, name) || (strings.HasPrefix(name, "expand-") && listed(curlArgOptions, name[len("expand-"):]))
}

func (c *curlCmd) flag(opt, name string) {
	switch name {
	case "get":
		c.get = true
	case "head":
		c.head = true
	case "next":
		c.stopped = true
		c.n.add("only the first request of a curl command with --next was read")
	case "no-get":
		c.get = false
	default:
		if !listed(curlFlagOptions, name) && !listed(curlFlagOptions, strings.TrimPrefix(name, "no-")) {
			c.n.add("unknown curl option %s was ignored", quoteNote(opt))
		}
	}
}

func (c *curlCmd) option(opt, name, val string) {
	if base, ok := strings.CutPrefix(name, "expand-"); ok {
		c.n.skip("%s was read without expanding {{variables}}", opt)
		name = base
	}
	switch name {
	case "data", "data-ascii", "data-binary":
		if file, ok := strings.CutPrefix(val, "@"); ok {
			data, read := c.readFile(opt+" @"+quoteNote(file), file)
			if !read {
				return
			}
			if name != "data-binary" {
				// curl drops carriage returns and line feeds from a
				// text data file.
				data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r"), nil), []byte("\n"), nil)
			}
			val = string(data)
		}
		c.addData(val, false)
	case "data-raw":
		c.addData(val, false)
	case "data-urlencode":
		if piece, ok := c.urlencodeArg(opt, val); ok {
			c.addData(piece, false)
		}
	case "json":
		if file, ok := strings.CutPrefix(val, "@"); ok {
			data, read := c.readFile(opt+" @"+quoteNote(file), file)
			if !read {
				return
			}
			val = string(data)
		}
		c.json = true
		c.addData(val, true)
	case "form", "form-string":
		c.hasForm = true
		c.formField(opt, val, name == "form-string")
	case "header":
		c.header(opt, val)
	case "request":
		c.method = val
	case "url":
		c.urls = append(c.urls, val)
	case "url-query":
		if plain, ok := strings.CutPrefix(val, "+"); ok {
			c.query = append(c.query, plain)
		} else if piece, ok := c.urlencodeArg(opt, val); ok {
			c.query = append(c.query, piece)
		}
	case "upload-file":
		c.upload = true
		c.n.skip("%s uploads a file, which cannot be read here", opt)
	case "user":
		if !c.usedUser {
			c.usedUser = true
			c.n.add("%s sends basic authentication credentials; they were ignored", opt)
		}
	case "config":
		c.n.skip("curl config file %s was not read", quoteNote(val))
	case "request-target":
		c.n.add("%s changes the request target; it was ignored", opt)
	case "variable":
		c.n.skip("curl %s variables were not set", opt)
	}
}

// addData appends one data argument as curl does: pieces are joined with
// '&', except that --json pieces are concatenated.
func (c *curlCmd) addData(piece string, json bool) {
	if c.hasData && !json {
		c.data.WriteByte('&')
	}
	c.data.WriteString(piece)
	c.hasData = true
}

// urlencodeArg applies --data-urlencode: "content" and "=content" send the
// encoded content, "name=content" sends name=encoded content (name is sent
// as it is), and "@file" and "name@file" send the encoded content of a file.
// Whichever of '=' and '@' comes first decides.
func (c *curlCmd) urlencodeArg(opt, val string) (string, bool) {
	k := strings.IndexAny(val, "=@")
	switch {
	case k < 0:
		return curlEscape(val), true
	case val[k] == '@':
		data, read := c.readFile(opt+" "+quoteNote(val), val[k+1:])
		if !read {
			return "", false
		}
		if k == 0 {
			return curlEscape(string(data)), true
		}
		return val[:k] + "=" + curlEscape(string(data)), true
	case k == 0:
		return curlEscape(val[1:]), true
	default:
		return val[:k] + "=" + curlEscape(val[k+1:]), true
	}
}

// curlEscape percent-encodes every byte except the unreserved characters
// A-Z a-z 0-9 - . _ ~, as curl_easy_escape does.
func curlEscape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if isAlnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[ch>>4])
		b.WriteByte(hexDigits[ch&15])
	}
	return b.String()
}

// formField reads one -F name=content argument. Content starting with @ or
// < reads a file and is skipped; ";type=" and similar trailing parameters
// are dropped; a double-quoted content is unquoted. --form-string takes the
// content literally.
func (c *curlCmd) formField(opt, val string, literal bool) {
	name, content, ok := strings.Cut(val, "=")
	if !ok {
		c.n.add("%s %s has no '='; curl rejects it", opt, quoteNote(val))
		return
	}
	if !literal {
		switch {
		case strings.HasPrefix(content, "@"):
			c.n.skip("%s field %s uploads a file, which cannot be read here; it was skipped", opt, quoteNote(name))
			return
		case strings.HasPrefix(content, "<"):
			data, read := c.readFile(opt+" field "+quoteNote(name), formContent(content[1:]))
			if !read {
				return
			}
			content = string(data)
		default:
			content = formContent(content)
		}
	}
	c.fields = append(c.fields, header{name: name, value: content})
}

// formContent strips the quoting and the trailing parameters curl allows in
// the content of a text -F field.
func formContent(s string) string {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch ch := s[i]; {
			case ch == '\\' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			case ch == '"':
				return b.String()
			default:
				b.WriteByte(ch)
			}
		}
		return b.String()
	}
	for i := strings.IndexByte(s, ';'); i >= 0; {
		rest := strings.ToLower(s[i+1:])
		for _, p := range []string{"type=", "filename=", "headers=", "encoder="} {
			if strings.HasPrefix(rest, p) {
				return s[:i]
			}
		}
		next := strings.IndexByte(s[i+1:], ';')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return s
}

// header reads one -H argument. "Name: value" adds a header; "Name:" with
// no value removes a header curl would add; "Name;" sends an empty one.
func (c *curlCmd) header(opt, val string) {
	if file, ok := strings.CutPrefix(val, "@"); ok {
		data, read := c.readFile(opt+" @"+quoteNote(file), file)
		if !read {
			return
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
				c.header(opt, line)
			}
		}
		return
	}
	name, value, ok := strings.Cut(val, ":")
	if !ok {
		if n, semi := strings.CutSuffix(strings.TrimSpace(val), ";"); semi && isToken(n) {
			c.headers = append(c.headers, header{name: textproto.CanonicalMIMEHeaderKey(n)})
			return
		}
		c.n.add("header %s has no colon; curl does not send it", quoteNote(val))
		return
	}
	name = strings.TrimSpace(name)
	if !isToken(name) {
		c.n.add("header %s has an invalid name; it was skipped", quoteNote(val))
		return
	}
	canon := textproto.CanonicalMIMEHeaderKey(name)
	value = strings.Trim(value, " \t")
	if value == "" {
		c.removed[canon] = true
		c.n.add("header %s with no value stops curl from sending it", quoteNote(canon+":"))
		return
	}
	c.headers = append(c.headers, header{name: canon, value: value})
}

// request assembles the Request curl would send.
func (c *curlCmd) request() *Request {
	r := &Request{Kind: KindCurl, ContentTypeKnown: true}
	r.Headers = headerMap(c.headers)

	// URL.
	switch len(c.urls) {
	case 0:
		c.n.add("curl command has no URL")
	case 1:
	default:
		c.n.add("curl command has more than one URL; the first was used")
	}
	if len(c.urls) > 0 {
		r.URL = c.urls[0]
		if r.URL != "" && !strings.Contains(r.URL, "://") {
			c.n.add("URL has no scheme; curl uses http://")
			r.URL = "http://" + r.URL
		}
	}

	// Body: data, or a multipart body for -F. With -G the data goes to
	// the query string instead.
	if c.hasData && c.hasForm {
		c.n.add("curl refuses to combine -d and -F; the -F fields were ignored")
	}
	var query []string
	switch {
	case c.get && c.hasData:
		c.n.add("-G sends the data in the URL query string; the body is empty")
		query = append(query, c.data.String())
	case c.hasData:
		r.Body = c.data.String()
	case c.hasForm:
		r.Body = multipartBody(c.fields)
	}
	query = append(query, c.query...)
	if len(query) > 0 && r.URL != "" {
		sep := "?"
		if strings.Contains(r.URL, "?") {
			sep = "&"
		}
		r.URL += sep + strings.Join(query, "&")
	}
	sendsBody := !c.get && (c.hasData || c.hasForm)

	// Method.
	switch {
	case c.method != "":
		r.Method = c.method
	case c.head:
		r.Method = "HEAD"
	case c.get:
		r.Method = "GET"
	case c.upload:
		r.Method = "PUT"
	case sendsBody:
		r.Method = "POST"
	default:
		r.Method = "GET"
	}

	// Content type: an explicit header wins; else curl picks one for the
	// kind of body it sends, unless "Content-Type:" switched it off.
	if cts := r.Headers["Content-Type"]; len(cts) > 0 {
		r.ContentType = cts[0]
		if len(cts) > 1 {
			c.n.add("command sets more than one Content-Type header; the first was used")
		}
		if sendsBody && !c.hasData && c.hasForm && mediaTypeIs(r.ContentType, "multipart/form-data") {
			if _, ok := multipartBoundary(r.ContentType); !ok {
				r.ContentType += "; boundary=" + multipartBoundaryText
			}
		}
	} else if sendsBody && !c.removed["Content-Type"] {
		r.ContentTypeImplied = true
		switch {
		case c.hasData && c.json:
			r.ContentType = "application/json"
		case c.hasData:
			r.ContentType = "application/x-www-form-urlencoded"
		default:
			r.ContentType = "multipart/form-data; boundary=" + multipartBoundaryText
		}
	}
	return r
}

// multipartBody builds a multipart/form-data body from -F fields, standing
// in for the one curl would send.
func multipartBody(fields []header) string {
	var b strings.Builder
	esc := strings.NewReplacer(`"`, "%22", `\`, `\\`, "\r", "%0D", "\n", "%0A")
	for _, f := range fields {
		b.WriteString("--" + multipartBoundaryText + "\r\n")
		b.WriteString(`Content-Disposition: form-data; name="` + esc.Replace(f.name) + "\"\r\n\r\n")
		b.WriteString(f.value)
		b.WriteString("\r\n")
	}
	b.WriteString("--" + multipartBoundaryText + "--\r\n")
	return b.String()
}
