package cmdutil

import (
	"fmt"
	"os"
	"strings"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/token"
)

// ReadToken takes the token from the argument, or from stdin when the
// argument is absent or "-". An argument that is not a JWT but names a
// regular file is read as that file, and the notes say so.
//
// What a shell or a copy adds is removed: one final line ending, and
// quotes, a "Bearer " prefix, a client_assertion=... pair or URL encoding
// around the token. A bare token is otherwise kept as the server would
// receive it: white space around it stays, and a note says the server sees
// it, so that lint predicts what the server answers to those bytes.
func ReadToken(f *Factory, args []string) (tok string, notes []string, err error) {
	var raw string
	switch {
	case len(args) > 0 && args[0] != "-" && !LooksLikeJWT(strings.TrimSpace(args[0])) && isRegularFile(args[0]):
		data, err := ReadInput(f, args[0], "token")
		if err != nil {
			return "", nil, err
		}
		raw = string(data)
		notes = append(notes, fmt.Sprintf("read the token from the file %s", args[0]))
	case len(args) > 0 && args[0] != "-":
		raw = args[0]
		if IsPrivateKeyText(raw) {
			return "", nil, keyTextError("the argument", KeyTextKind(raw))
		}
	default:
		data, err := ReadInput(f, "-", "token")
		if err != nil {
			return "", nil, err
		}
		raw = string(data)
	}
	raw = strings.TrimPrefix(raw, "\ufeff")
	raw = trimOneLineEnding(raw)
	if strings.TrimSpace(raw) == "" {
		return "", nil, Errorf("no token given: the input is empty").WithHint("pass the token as an argument, or pipe it on stdin")
	}
	if bare := strings.TrimSpace(raw); LooksLikeJWT(bare) {
		if bare != raw {
			notes = append(notes, "the token has "+describeSpace(raw, bare)+"; the server would receive that too, so it was kept")
		}
		return raw, notes, nil
	}
	tok, extracted := token.Extract(raw)
	return tok, append(notes, extracted...), nil
}

// trimOneLineEnding removes one final LF or CRLF, as a file or `echo` ends.
func trimOneLineEnding(s string) string {
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		return t
	}
	return strings.TrimSuffix(s, "\n")
}

// describeSpace quotes the white space around bare in raw: `" " before
// it`, `"\t" after it`.
func describeSpace(raw, bare string) string {
	lead := raw[:strings.Index(raw, bare)]
	trail := raw[len(lead)+len(bare):]
	var parts []string
	if lead != "" {
		parts = append(parts, fmt.Sprintf("%q before it", lead))
	}
	if trail != "" {
		parts = append(parts, fmt.Sprintf("%q after it", trail))
	}
	return strings.Join(parts, " and ")
}

// LooksLikeJWT reports whether s is a compact JWS or JWE: three or five
// base64url segments, the first one not empty.
func LooksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if (len(parts) != 3 && len(parts) != 5) || parts[0] == "" {
		return false
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// isRegularFile reports whether path names an existing file that is not a
// directory; a FIFO or device counts too, so that ReadInput refuses it with
// its own message instead of taking the path for token text.
func isRegularFile(path string) bool {
	if suspiciousValue(path) != "" {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// LoadKeys reads a key, key set or certificate file for --jwks and --key;
// an encrypted private key is decrypted with DecryptKey.
func LoadKeys(f *Factory, path, flag, passphraseFile string) (*keys.Set, error) {
	data, err := ReadKeyInput(f, path, flag+" file")
	if err != nil {
		return nil, err
	}
	if data, err = DecryptKey(f, data, path, passphraseFile); err != nil {
		return nil, err
	}
	set, err := keys.Parse(data)
	if err != nil {
		return nil, Errorf("%s %s: %s", flag, displayPath(path), Normalize(err.Error())).
			WithHint("give a PEM key (PKCS#1, PKCS#8, SEC1, SPKI), a certificate, a JWK or a JWKS")
	}
	return set, nil
}
