package keys

import (
	"errors"
	"strings"
	"testing"
)

// The openssl.* fixtures were made by OpenSSL 3 from the committed keys
// with the passphrase below:
//
//	openssl pkcs8 -topk8 -in ec384.pkcs8.pem -passout pass:... -out openssl.pbes2-aes256-sha256.pem
//	openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout pass:... -out openssl.pbes2-aes128-sha1.pem
//	openssl ec -in ec384.pkcs8.pem -aes256 -passout pass:... -out openssl.legacy-ec-aes256.pem
//	openssl rsa -in rsa2048.pkcs1.pem -traditional -aes128 -passout pass:... -out openssl.legacy-rsa-aes128.pem
const fixturePassphrase = "correct horse battery staple"

func TestParseWithPassphrase(t *testing.T) {
	tests := []struct{ file, plain string }{
		{"openssl.pbes2-aes256-sha256.pem", "ec384.pkcs8.pem"},
		{"openssl.pbes2-aes128-sha1.pem", "rsa2048.pkcs8.pem"},
		{"openssl.legacy-ec-aes256.pem", "ec384.pkcs8.pem"},
		{"openssl.legacy-rsa-aes128.pem", "rsa2048.pkcs1.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			set, err := ParseWithPassphrase(data, []byte(fixturePassphrase))
			if err != nil {
				t.Fatal(err)
			}
			want := parseFixture(t, tt.plain).Keys[0]
			if got := set.Keys[0]; got.Private == nil || !samePublic(got, want) {
				t.Errorf("decrypted key differs from %s", tt.plain)
			}

			_, err = ParseWithPassphrase(data, []byte("wrong"))
			if !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("wrong passphrase: %v", err)
			}
			_, err = Parse(data)
			if !errors.Is(err, ErrEncrypted) || !strings.Contains(err.Error(), "encrypted private key") {
				t.Errorf("no passphrase: %v", err)
			}
			for _, e := range []error{err} {
				if strings.Contains(e.Error(), fixturePassphrase) {
					t.Error("error shows the passphrase")
				}
			}
		})
	}
	// Unencrypted input reads the same with or without a passphrase.
	set, err := ParseWithPassphrase(readFixture(t, "ec384.pkcs8.pem"), []byte("unused"))
	if err != nil || set.Keys[0].Private == nil {
		t.Errorf("plain key with a passphrase: %v", err)
	}
	// The old fixture is random bytes in an ENCRYPTED PRIVATE KEY block.
	if _, err := ParseWithPassphrase(readFixture(t, "encrypted.pkcs8.pem"), []byte("x")); err == nil {
		t.Error("garbage encrypted block parsed")
	}
}
