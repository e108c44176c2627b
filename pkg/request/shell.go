package request

import (
	"strings"
	"unicode/utf8"
)

// dialect is the shell a pasted command line was written for. It decides
// quoting and the line continuation character.
type dialect int

const (
	dialectPOSIX      dialect = iota // sh, bash, zsh: \ continues a line
	dialectCmd                       // Windows cmd.exe: ^ continues a line
	dialectPowerShell                // PowerShell: ` continues a line
)

// detectDialect picks the dialect from the first line that ends in a
// continuation character. Without one, a caret escaping a quote, an
// ampersand or a percent sign (as browsers write "Copy as cURL (cmd)" on one
// line) means cmd.exe; anything else is read as POSIX shell.
func detectDialect(s string) dialect {
	for line := range strings.SplitSeq(s, "\n") {
		t := strings.TrimRight(line, " \t\r")
		if t == "" {
			continue
		}
		switch t[len(t)-1] {
		case '\\':
			return dialectPOSIX
		case '^':
			return dialectCmd
		case '`':
			return dialectPowerShell
		}
	}
	if strings.Contains(s, `^"`) || strings.Contains(s, "^&") || strings.Contains(s, "^%") {
		return dialectCmd
	}
	return dialectPOSIX
}

// lexer splits one command line into words the way the shell of its
// dialect would, without expanding variables or running anything. It stops
// at the end of the first command (a line break that is not continued, or
// an unquoted |, ; or &&).
type lexer struct {
	s        string
	i        int
	d        dialect
	n        *notes
	words    []string
	cur      strings.Builder
	inWord   bool // a word has started, even if it is still empty ('')
	dropNext bool // the next word is a redirection target
}

// splitShell returns the words of the first command in s.
func splitShell(s string, d dialect, n *notes) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if d == dialectCmd {
		return splitMSVC(cmdLine(s, n), n)
	}
	lx := &lexer{s: s, d: d, n: n}
	lx.run()
	return lx.words
}

func (lx *lexer) peek(off int) byte {
	if j := lx.i + off; j < len(lx.s) {
		return lx.s[j]
	}
	return 0
}

func (lx *lexer) write(c byte) {
	lx.cur.WriteByte(c)
	lx.inWord = true
}

func (lx *lexer) endWord() {
	if !lx.inWord {
		return
	}
	if lx.dropNext {
		lx.dropNext = false
	} else {
		lx.words = append(lx.words, lx.cur.String())
	}
	lx.cur.Reset()
	lx.inWord = false
}

func (lx *lexer) run() {
	for lx.i < len(lx.s) {
		c := lx.s[lx.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			lx.endWord()
			lx.i++
		case c == '\n':
			lx.endWord()
			if !lx.newline() {
				return
			}
		case c == '#' && !lx.inWord && lx.d != dialectCmd:
			if j := strings.IndexByte(lx.s[lx.i:], '\n'); j >= 0 {
				lx.i += j
			} else {
				lx.i = len(lx.s)
			}
		case c == '|' || (c == ';' && lx.d != dialectCmd) || (c == '&' && lx.peek(1) == '&'):
			lx.endWord()
			lx.stop()
			return
		case c == '&':
			lx.n.add("an unquoted & would end the command in a shell; it was kept as part of the word")
			lx.write(c)
			lx.i++
		case c == '>' || c == '<':
			lx.redirect()
		default:
			switch lx.d {
			case dialectPowerShell:
				lx.psChar(c)
			default:
				lx.posixChar(c)
			}
		}
	}
	lx.endWord()
}

// newline handles an unquoted line break that was not continued. If the
// next line starts with an option, the user most likely lost a continuation
// character while pasting, so the command goes on; otherwise it ends.
func (lx *lexer) newline() bool {
	j := lx.i + 1
	for j < len(lx.s) && strings.IndexByte(" \t\r\n", lx.s[j]) >= 0 {
		j++
	}
	if j < len(lx.s) && lx.s[j] == '-' {
		lx.n.add("a line break has no continuation character; the next line was read as part of the command")
		lx.i = j
		return true
	}
	if j < len(lx.s) {
		lx.n.add("text after the curl command was ignored")
	}
	return false
}

func (lx *lexer) stop() {
	lx.n.add("text after the curl command was ignored")
}

// redirect skips a redirection such as "> out.json" or "2>&1": the
// operator, a file descriptor number glued before it, and its target word.
func (lx *lexer) redirect() {
	if lx.inWord && isDigits(lx.cur.String()) {
		lx.cur.Reset()
		lx.inWord = false
	} else {
		lx.endWord()
	}
	for lx.i < len(lx.s) && strings.IndexByte("<>&", lx.s[lx.i]) >= 0 {
		lx.i++
	}
	lx.dropNext = true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unterminated finishes a quoted string that runs to the end of input.
func (lx *lexer) unterminated(what string) {
	lx.n.add("unterminated %s; it was closed at the end of the input", what)
}

// ---- POSIX shell ----

func (lx *lexer) posixChar(c byte) {
	switch c {
	case '\\':
		lx.posixBackslash()
	case '\'':
		lx.i++
		lx.inWord = true
		end := strings.IndexByte(lx.s[lx.i:], '\'')
		if end < 0 {
			lx.cur.WriteString(lx.s[lx.i:])
			lx.i = len(lx.s)
			lx.unterminated("single quote")
			return
		}
		lx.cur.WriteString(lx.s[lx.i : lx.i+end])
		lx.i += end + 1
	case '"':
		lx.posixDouble()
	case '$':
		if lx.peek(1) == '\'' {
			lx.ansiC()
			return
		}
		lx.dollar(false)
	default:
		lx.write(c)
		lx.i++
	}
}

// posixBackslash handles an unquoted backslash: a line continuation, or an
// escape of the next character. A backslash followed only by spaces before
// the line break is a common paste mistake and is read as a continuation.
func (lx *lexer) posixBackslash() {
	j := lx.i + 1
	if j >= len(lx.s) {
		lx.i = j
		return
	}
	if lx.s[j] == '\n' {
		lx.i = j + 1
		return
	}
	k := j
	for k < len(lx.s) && (lx.s[k] == ' ' || lx.s[k] == '\t') {
		k++
	}
	if k > j && (k == len(lx.s) || lx.s[k] == '\n') {
		lx.n.add("a backslash is followed by spaces before the line break; it was read as a line continuation")
		lx.endWord()
		lx.i = min(k+1, len(lx.s))
		return
	}
	lx.write(lx.s[j])
	lx.i = j + 1
}

// posixDouble reads a double-quoted string: backslash escapes only $ ` " \
// and the line break; $ is not expanded.
func (lx *lexer) posixDouble() {
	lx.i++
	lx.inWord = true
	for lx.i < len(lx.s) {
		c := lx.s[lx.i]
		switch c {
		case '"':
			lx.i++
			return
		case '\\':
			switch nx := lx.peek(1); nx {
			case '\n':
				lx.i += 2
			case '"', '\\', '$', '`':
				lx.write(nx)
				lx.i += 2
			default:
				lx.write(c)
				lx.i++
			}
		case '$':
			lx.dollar(false)
		default:
			lx.write(c)
			lx.i++
		}
	}
	lx.unterminated("double quote")
}

// dollar keeps a $ literally, noting a variable or command substitution
// that a POSIX shell or PowerShell would have expanded.
func (lx *lexer) dollar(powershell bool) {
	variable, substitution := "shell variable", "a command substitution"
	if powershell {
		variable, substitution = "variable", "a subexpression"
	}
	switch nx := lx.peek(1); {
	case nx == '(':
		lx.n.skip("%s $(...) was not run; it was kept literally", substitution)
	case nx == '{' || nx == '_' || isLetter(nx):
		lx.n.skip("%s $%s was not expanded", variable, varName(lx.s[lx.i+1:], powershell))
	}
	lx.write('$')
	lx.i++
}

// varName reads a variable name at the start of s, inside braces or not.
func varName(s string, colon bool) string {
	s = strings.TrimPrefix(s, "{")
	end := 0
	for end < len(s) && end < 64 && (isAlnum(s[end]) || s[end] == '_' || (colon && s[end] == ':')) {
		end++
	}
	return s[:end]
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ansiC reads a bash $'...' string with its C-like escapes.
func (lx *lexer) ansiC() {
	lx.i += 2
	lx.inWord = true
	s := lx.s
	for lx.i < len(s) {
		c := s[lx.i]
		if c == '\'' {
			lx.i++
			return
		}
		if c != '\\' || lx.i+1 >= len(s) {
			lx.write(c)
			lx.i++
			continue
		}
		e := s[lx.i+1]
		lx.i += 2
		switch e {
		case 'a':
			lx.write(7)
		case 'b':
			lx.write(8)
		case 'e', 'E':
			lx.write(27)
		case 'f':
			lx.write(12)
		case 'n':
			lx.write('\n')
		case 'r':
			lx.write('\r')
		case 't':
			lx.write('\t')
		case 'v':
			lx.write(11)
		case '\\', '\'', '"', '?':
			lx.write(e)
		case 'x', 'u', 'U':
			maxDigits := 2
			switch e {
			case 'u':
				maxDigits = 4
			case 'U':
				maxDigits = 8
			}
			v, nd := lx.digits(16, maxDigits)
			switch {
			case nd == 0:
				lx.write('\\')
				lx.write(e)
			case e == 'x':
				lx.write(byte(v))
			default:
				lx.cur.WriteString(string(utf8.AppendRune(nil, rune(v))))
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			lx.i--
			v, _ := lx.digits(8, 3)
			lx.write(byte(v))
		case 'c':
			if lx.i < len(s) {
				lx.write(s[lx.i] & 0x1f)
				lx.i++
			}
		default:
			lx.write('\\')
			lx.write(e)
		}
	}
	lx.unterminated("$' quote")
}

// digits reads up to max digits in base 8 or 16 at the current position.
func (lx *lexer) digits(base, max int) (uint32, int) {
	var v uint32
	n := 0
	for n < max && lx.i < len(lx.s) {
		c := lx.s[lx.i]
		var d byte
		switch {
		case c >= '0' && c <= '7', base == 16 && c >= '8' && c <= '9':
			d = c - '0'
		case base == 16 && isHex(c):
			d = unhex(c)
		default:
			return v, n
		}
		v = v*uint32(base) + uint32(d)
		n++
		lx.i++
	}
	return v, n
}

// ---- Windows cmd.exe ----

// A command pasted for cmd.exe goes through two readers: cmd.exe itself,
// which removes its ^ escapes and ends the command at an unescaped & or |,
// and then the C runtime of curl.exe, which splits the remaining line into
// words by its own quoting rules. Each is modelled on its own.

// cmdLine applies cmd.exe's reading to s and returns the command line curl.exe
// receives. Outside double quotes, ^ takes the next character literally (and
// ^ before a line break continues the line); an unescaped " toggles quoting,
// inside which ^, & and | are ordinary. The quotes themselves stay for the C
// runtime to read.
func cmdLine(s string, n *notes) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
			b.WriteByte(c)
		case quoted && c != '\n':
			if c == '%' {
				cmdPercent(s[i+1:], n)
			}
			b.WriteByte(c)
		case c == '^':
			switch {
			case i+1 >= len(s):
			case s[i+1] == '\n':
				i++
			default:
				i++
				b.WriteByte(s[i])
			}
		case c == '\n':
			quoted = false
			j := i + 1
			for j < len(s) && strings.IndexByte(" \t\r\n", s[j]) >= 0 {
				j++
			}
			if j < len(s) && s[j] == '-' {
				n.add("a line break has no continuation character; the next line was read as part of the command")
				b.WriteByte(' ')
				i = j - 1
				continue
			}
			if j < len(s) {
				n.add("text after the curl command was ignored")
			}
			return b.String()
		case c == '&' || c == '|':
			n.add("text after the curl command was ignored")
			return b.String()
		case c == '<' || c == '>':
			// A redirection and its target are not curl's arguments.
			for i < len(s) && strings.IndexByte("<>&0123456789", s[i]) >= 0 {
				i++
			}
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
			for i < len(s) && strings.IndexByte(" \t\n", s[i]) < 0 {
				i++
			}
			i--
		case c == '%':
			cmdPercent(s[i+1:], n)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if quoted {
		n.add("unterminated double quote; it was closed at the end of the input")
	}
	return b.String()
}

// cmdPercent notes a %NAME% variable reference, which cmd.exe would expand
// and which is kept as written here. A percent escape such as %3A is not
// mistaken for one.
func cmdPercent(rest string, n *notes) {
	if len(rest) > 0 && (isLetter(rest[0]) || rest[0] == '_') && !(len(rest) > 1 && isHex(rest[0]) && isHex(rest[1])) {
		name := varName(rest, false)
		if strings.HasPrefix(rest[len(name):], "%") {
			n.skip("environment variable %%%s%% was not expanded", name)
		}
	}
}

// splitMSVC splits a command line into words as the Microsoft C runtime
// does for curl.exe: white space separates words outside double quotes; ""
// inside quotes is a literal quote; 2n backslashes before a quote are n
// backslashes and the quote still counts, 2n+1 are n backslashes and a
// literal quote; backslashes before anything else are literal. Single quotes
// are ordinary characters.
func splitMSVC(s string, n *notes) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted, sawSingle := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			k := 0
			for i+k < len(s) && s[i+k] == '\\' {
				k++
			}
			inWord = true
			if i+k < len(s) && s[i+k] == '"' {
				cur.WriteString(strings.Repeat(`\`, k/2))
				if k%2 == 1 {
					cur.WriteByte('"')
					i += k
				} else {
					i += k - 1
				}
				continue
			}
			cur.WriteString(strings.Repeat(`\`, k))
			i += k - 1
		case c == '"':
			inWord = true
			if quoted && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
				continue
			}
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			if c == '\'' && !quoted && !sawSingle {
				sawSingle = true
				n.add("single quotes are not quotes in cmd.exe; they were kept as characters")
			}
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// ---- PowerShell ----

func (lx *lexer) psChar(c byte) {
	switch c {
	case '`':
		switch nx := lx.peek(1); {
		case lx.i+1 >= len(lx.s):
			lx.i++
		case nx == '\n':
			lx.i += 2
		default:
			lx.write(nx)
			lx.i += 2
		}
	case '\'':
		lx.i++
		lx.inWord = true
		for lx.i < len(lx.s) {
			if lx.s[lx.i] == '\'' {
				if lx.peek(1) == '\'' {
					lx.write('\'')
					lx.i += 2
					continue
				}
				lx.i++
				return
			}
			lx.write(lx.s[lx.i])
			lx.i++
		}
		lx.unterminated("single quote")
	case '"':
		lx.psDouble()
	case '$':
		lx.dollar(true)
	default:
		lx.write(c)
		lx.i++
	}
}

func (lx *lexer) psDouble() {
	lx.i++
	lx.inWord = true
	for lx.i < len(lx.s) {
		c := lx.s[lx.i]
		switch c {
		case '"':
			if lx.peek(1) == '"' {
				lx.write('"')
				lx.i += 2
				continue
			}
			lx.i++
			return
		case '`':
			if lx.i+1 >= len(lx.s) {
				lx.i++
				continue
			}
			e := lx.s[lx.i+1]
			lx.i += 2
			switch e {
			case '\n':
			case '0':
				lx.write(0)
			case 'a':
				lx.write(7)
			case 'b':
				lx.write(8)
			case 'e':
				lx.write(27)
			case 'f':
				lx.write(12)
			case 'n':
				lx.write('\n')
			case 'r':
				lx.write('\r')
			case 't':
				lx.write('\t')
			case 'v':
				lx.write(11)
			default:
				lx.write(e)
			}
		case '$':
			lx.dollar(true)
		default:
			lx.write(c)
			lx.i++
		}
	}
	lx.unterminated("double quote")
}
