package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// ErrEncrypted is wrapped by Parse's error for an encrypted private key
// when no passphrase was given.
var ErrEncrypted = errors.New("encrypted private key")

// ErrWrongPassphrase is wrapped by ParseWithPassphrase's error when the
// passphrase does not decrypt the key.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// ParseWithPassphrase is Parse for input that may hold encrypted private
// keys: PKCS#8 "ENCRYPTED PRIVATE KEY" blocks (PBES2 with PBKDF2 and
// AES-CBC, what OpenSSL writes) and legacy PEM with a Proc-Type header.
// With a nil passphrase it is Parse.
func ParseWithPassphrase(data, passphrase []byte) (*Set, error) {
	if passphrase == nil {
		return Parse(data)
	}
	plain, err := Decrypt(data, passphrase)
	if err != nil {
		return nil, err
	}
	return Parse(plain)
}

// HasEncrypted reports whether data holds an encrypted PEM private key.
func HasEncrypted(data []byte) bool {
	rest := data
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			return false
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck
			return true
		}
		rest = r
	}
}

// Decrypt returns data with every encrypted PEM block replaced by its
// decryption; other blocks are kept. Input that is not PEM comes back as
// it is.
func Decrypt(data, passphrase []byte) ([]byte, error) {
	if !HasEncrypted(data) {
		return data, nil
	}
	rest := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var out []byte
	n := 0
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		rest = r
		plain, err := decryptBlock(block, passphrase)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		out = append(out, pem.EncodeToMemory(plain)...)
	}
	return append(out, rest...), nil
}

// decryptBlock returns block decrypted, or as it is when not encrypted.
func decryptBlock(block *pem.Block, passphrase []byte) (*pem.Block, error) {
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		der, err := decryptPKCS8(block.Bytes, passphrase)
		if err != nil {
			return nil, err
		}
		return &pem.Block{Type: "PRIVATE KEY", Bytes: der}, nil
	case x509.IsEncryptedPEMBlock(block): //nolint:staticcheck // legacy PEM encryption is what old keys use
		der, err := x509.DecryptPEMBlock(block, passphrase) //nolint:staticcheck
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, ErrWrongPassphrase
		}
		if err != nil {
			return nil, fmt.Errorf("cannot decrypt: %s", derError("legacy encrypted PEM", err).Error())
		}
		return &pem.Block{Type: block.Type, Bytes: der}, nil
	}
	return block, nil
}

// The ASN.1 of RFC 8018 (PKCS #5 v2.1) that PBES2 needs.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
)

// aesCBCKeySize returns the key length of an AES-CBC encryption scheme OID.
func aesCBCKeySize(oid string) (int, bool) {
	switch oid {
	case "2.16.840.1.101.3.4.1.2": // aes-128-cbc
		return 16, true
	case "2.16.840.1.101.3.4.1.22": // aes-192-cbc
		return 24, true
	case "2.16.840.1.101.3.4.1.42": // aes-256-cbc
		return 32, true
	}
	return 0, false
}

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// maxPBKDF2Iterations bounds the work a hostile key file can ask for.
const maxPBKDF2Iterations = 10_000_000

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo made with PBES2.
func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
		return nil, errors.New("invalid encrypted PKCS#8 private key")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("unsupported PKCS#8 encryption %s: expected PBES2 (openssl pkcs8 -topk8 -v2 aes-256-cbc)", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New("invalid PBES2 parameters")
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, errors.New("unsupported PBES2 key derivation: expected PBKDF2")
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, errors.New("invalid PBKDF2 parameters")
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBKDF2Iterations {
		return nil, fmt.Errorf("PBKDF2 iteration count %d is out of range", kdf.Iterations)
	}
	prf, err := pbkdf2PRF(kdf.PRF.Algorithm)
	if err != nil {
		return nil, err
	}
	keySize, ok := aesCBCKeySize(params.EncryptionScheme.Algorithm.String())
	if !ok {
		return nil, fmt.Errorf("unsupported PBES2 cipher %s: expected AES-CBC", params.EncryptionScheme.Algorithm)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keySize {
		return nil, errors.New("invalid PBKDF2 key length for the cipher")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errors.New("invalid AES-CBC parameters")
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, errors.New("invalid encrypted PKCS#8 data length")
	}
	key, err := pbkdf2.Key(prf, string(passphrase), kdf.Salt, kdf.Iterations, keySize)
	if err != nil {
		return nil, fmt.Errorf("cannot derive the key: %v", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	plain, ok = unpad(plain)
	if !ok {
		return nil, ErrWrongPassphrase
	}
	if _, err := x509.ParsePKCS8PrivateKey(plain); err != nil {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

func pbkdf2PRF(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACSHA1): // RFC 8018's default
		return sha1.New, nil
	case oid.Equal(oidHMACSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACSHA384):
		return sha512.New384, nil
	case oid.Equal(oidHMACSHA512):
		return sha512.New, nil
	}
	return nil, fmt.Errorf("unsupported PBKDF2 PRF %s: expected HMAC-SHA1 or HMAC-SHA2", oid)
}

// unpad strips PKCS #7 padding.
func unpad(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
