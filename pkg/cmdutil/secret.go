package cmdutil

import (
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Key material kinds, as messages name them instead of echoing the value.
const (
	KindPEMPrivateKey = "a PEM private key"
	KindPEM           = "PEM text"
	KindPrivateJWK    = "a private JWK"
	KindJWK           = "a JWK"
	KindMultiLine     = "multi-line text"
	KindLongValue     = "a long value"
)

var (
	pemBegin = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)-----`) })
	// A private JWK member with a value, also inside a quoted (escaped)
	// JSON string.
	privateMember = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(\\*"(?:d|p|q|dp|dq|qi|k|oth)\\*"\s*:\s*\\*")([^"\\]{4,})`)
	})
	pemBlock = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]*)-----.*?(?:-----END [A-Z0-9 ]*-----|$)`)
	})
)

// KeyTextKind says what kind of key material s holds: a PEM block anywhere
// in it (so that the "Bag Attributes" lines that openssl pkcs12 -nodes
// writes before the block do not hide it) or a JWK. It returns "" for
// anything else.
func KeyTextKind(s string) string {
	// Every argument passes through here: the literal test keeps the
	// regexp from being compiled on runs that hold no PEM at all.
	if strings.Contains(s, "-----BEGIN ") {
		if m := pemBegin().FindStringSubmatch(s); m != nil {
			if strings.Contains(m[1], "PRIVATE") || strings.Contains(m[1], "ENCRYPTED") {
				return KindPEMPrivateKey
			}
			return KindPEM
		}
	}
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		if privateMember().MatchString(t) {
			return KindPrivateJWK
		}
		if strings.Contains(t, `"kty"`) {
			return KindJWK
		}
	}
	return ""
}

// IsPrivateKeyText reports whether s holds a private key as text.
func IsPrivateKeyText(s string) bool {
	k := KeyTextKind(s)
	return k == KindPEMPrivateKey || k == KindPrivateJWK
}

// maxEchoedPath is the longest path a message repeats as it was given.
const maxEchoedPath = 512

// suspiciousValue says what a value given where a path belongs looks like
// when repeating it could print a secret: key material, several lines, or
// a length no path has. It returns "" for a value that is safe to repeat.
func suspiciousValue(s string) string {
	if k := KeyTextKind(s); k != "" {
		return k
	}
	if strings.ContainsAny(s, "\r\n") {
		return KindMultiLine
	}
	if len(s) > maxEchoedPath {
		return KindLongValue
	}
	return ""
}

// RedactKeyText replaces every PEM block in msg, and the value of every
// private JWK member, with a description, so that an error message that
// quotes its input cannot carry a key.
func RedactKeyText(msg string) string {
	if strings.Contains(msg, "-----BEGIN") {
		msg = pemBlock().ReplaceAllStringFunc(msg, func(block string) string {
			label := pemBegin().FindStringSubmatch(block)[1]
			if strings.Contains(label, "PRIVATE") || strings.Contains(label, "ENCRYPTED") {
				return "<" + KindPEMPrivateKey + ">"
			}
			return "<" + KindPEM + ">"
		})
	}
	return privateMember().ReplaceAllString(msg, "${1}<redacted>")
}

// RefuseKeyText fails when a flag value or an argument holds a private key
// as text. No flag or argument takes key text (keys come from files and
// CLIENTASSERT_KEY), and refusing it here keeps it out of every message and
// report. The message says what the value looked like, never the value.
func RefuseKeyText(cmd *cobra.Command, args []string) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err == nil && IsPrivateKeyText(fl.Value.String()) {
			err = keyTextError("--"+fl.Name+" value", KeyTextKind(fl.Value.String()))
		}
	})
	if err != nil {
		return err
	}
	for _, a := range args {
		if IsPrivateKeyText(a) {
			return keyTextError("the argument", KeyTextKind(a))
		}
	}
	return nil
}

func keyTextError(what, kind string) *UsageError {
	return Errorf("%s looks like %s; key text is never read from the command line", what, kind).
		WithHint("put the key in a file only you can read (chmod 600) and pass its path, e.g. --key key.pem")
}

// FlagError is the flag error function of the command tree: cobra's
// message in house style, with any key text in it replaced by what it
// looked like (a PEM key given as a token starts with '-', so the flag
// parser is the first to see it).
func FlagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if IsPrivateKeyText(msg) {
		return keyTextError("an argument", KeyTextKind(msg))
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue // a flag's own check (an enum value) already speaks house style
	}
	return Errorf("%s", Normalize(RedactKeyText(msg))).WithHint("run '%s --help' for usage", c.CommandPath())
}
