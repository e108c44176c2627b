package cmdutil

import (
	"strings"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/token"
)

// ReadToken takes the token from the argument, or from stdin when the
// argument is absent or "-", and strips what people paste around it.
func ReadToken(f *Factory, args []string) (tok string, notes []string, err error) {
	var raw string
	if len(args) > 0 && args[0] != "-" {
		raw = args[0]
	} else {
		data, err := ReadInput(f, "-", "token")
		if err != nil {
			return "", nil, err
		}
		raw = string(data)
	}
	tok, notes = token.Extract(raw)
	if strings.TrimSpace(tok) == "" {
		return "", nil, Errorf("no token given: the input is empty").WithHint("pass the token as an argument, or pipe it on stdin")
	}
	return tok, notes, nil
}

// LoadKeys reads a key, key set or certificate file for --jwks and --key.
func LoadKeys(f *Factory, path, flag string) (*keys.Set, error) {
	data, err := ReadInput(f, path, flag+" file")
	if err != nil {
		return nil, err
	}
	set, err := keys.Parse(data)
	if err != nil {
		return nil, Errorf("%s %s: %s", flag, path, Normalize(err.Error())).
			WithHint("give a PEM key (PKCS#1, PKCS#8, SEC1, SPKI), a certificate, a JWK or a JWKS")
	}
	return set, nil
}
