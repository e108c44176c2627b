// Package keyfile loads key material for the keys commands, with errors in
// the CLI's house style.
package keyfile

import (
	"strconv"
	"strings"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/keys"
)

// Load reads path ("-" for stdin) and parses it as key material. what names
// the input in messages: "key", "key set".
func Load(f *cmdutil.Factory, path, what string) (*keys.Set, error) {
	return LoadWithPassphrase(f, path, what, "")
}

// LoadWithPassphrase is Load for a command with --passphrase-file; every
// keys command reads $CLIENTASSERT_KEY_PASSPHRASE.
func LoadWithPassphrase(f *cmdutil.Factory, path, what, passphraseFile string) (*keys.Set, error) {
	data, err := cmdutil.ReadKeyInput(f, path, what)
	if err != nil {
		return nil, err
	}
	if data, err = cmdutil.DecryptKey(f, data, Name(path), passphraseFile); err != nil {
		return nil, err
	}
	set, err := keys.Parse(data)
	if err != nil {
		e := cmdutil.Errorf("cannot parse %s %s: %s", what, Name(path), err)
		switch msg := err.Error(); {
		case strings.Contains(msg, "encrypted private key"):
			e.WithHint("decrypt it first: openssl pkey -in %s -out plain.pem", Name(path))
		case strings.Contains(msg, "binary DER"):
			e.WithHint("convert it to PEM: openssl pkey -inform DER -in %s -out key.pem", Name(path))
		case strings.HasPrefix(msg, "not a PEM key"), strings.HasPrefix(msg, "empty input"):
			e.WithHint("give a PEM file (-----BEGIN ... KEY----- or CERTIFICATE), a JWK or a JWKS")
		}
		return nil, e
	}
	return set, nil
}

// Name is how messages refer to an input path.
func Name(path string) string {
	if path == "" || path == "-" {
		return "stdin"
	}
	return path
}

// Kids lists the kids of a set for a hint: `"a", "b", (none)`. Each kid is
// quoted with its control characters escaped: kids come from the input and
// must not reach the terminal raw.
func Kids(set *keys.Set) string {
	var out []string
	for _, k := range set.Keys {
		if k.KID == "" {
			out = append(out, "(none)")
		} else {
			out = append(out, strconv.Quote(k.KID))
		}
	}
	return strings.Join(out, ", ")
}
