package cmdutil

import (
	"bytes"
	"errors"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/keys"
)

// PassphraseEnv holds the passphrase of an encrypted private key when
// --passphrase-file is not given.
const PassphraseEnv = "CLIENTASSERT_KEY_PASSPHRASE"

// PassphraseFlag defines --passphrase-file on a command that reads a
// private key.
func PassphraseFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "passphrase-file", "", "Read the passphrase of an encrypted private key from `<file>` (else $"+PassphraseEnv+")")
}

// DecryptKey returns key material with its encrypted private keys (PKCS#8
// or legacy Proc-Type PEM) decrypted, using the passphrase from
// passphraseFile, else from $CLIENTASSERT_KEY_PASSPHRASE. Input with nothing
// encrypted comes back as it is. An encrypted key without a passphrase, or
// with the wrong one, is an error with the same hint from every command.
// The passphrase never appears in a message.
func DecryptKey(f *Factory, data []byte, name, passphraseFile string) ([]byte, error) {
	if !keys.HasEncrypted(data) {
		return data, nil
	}
	passphrase, err := readPassphrase(f, passphraseFile)
	if err != nil {
		return nil, err
	}
	if passphrase == nil {
		return nil, Errorf("%s is an encrypted private key and no passphrase was given", name).
			WithHint(passphraseHint, PassphraseEnv, name)
	}
	plain, err := keys.Decrypt(data, passphrase)
	switch {
	case errors.Is(err, keys.ErrWrongPassphrase):
		return nil, Errorf("cannot decrypt %s: wrong passphrase", name).WithHint(passphraseHint, PassphraseEnv, name)
	case err != nil:
		return nil, Errorf("cannot decrypt %s: %s", name, Normalize(err.Error())).WithHint(passphraseHint, PassphraseEnv, name)
	}
	return plain, nil
}

const passphraseHint = "give the passphrase with --passphrase-file <file> or $%s, or decrypt it first: openssl pkey -in %s -out plain.pem"

// readPassphrase returns nil when no passphrase is given. A file's one
// trailing newline is not part of the passphrase.
func readPassphrase(f *Factory, path string) ([]byte, error) {
	if path != "" {
		data, err := ReadInput(f, path, "passphrase file")
		if err != nil {
			return nil, err
		}
		data = bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
		if len(data) == 0 {
			return nil, Errorf("the passphrase file %s is empty", path)
		}
		return data, nil
	}
	getenv := f.Getenv
	if getenv == nil {
		return nil, nil
	}
	if v := getenv(PassphraseEnv); v != "" {
		return []byte(v), nil
	}
	return nil, nil
}
