package lint

import (
	"crypto/elliptic"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strings"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/redact"
	"github.com/clientassert/clientassert/pkg/token"
)

// The checks in this file look for what attack tokens and leaks leave
// behind: key material that should never travel, audiences and key URLs
// that reach past this server, and signatures no key can verify.

// checkAttacks runs after every other check, whatever stopped them.
func (s *state) checkAttacks() {
	s.checkPrivateKeys()
	s.checkForeignAudience()
	s.checkJKUHost()
	s.checkSmallExponents()
}

// checkPrivateKeys reports each JWK in the header or the claims that holds
// private members. It reads the JSON text, so a private member hidden in a
// repeated jwk the server would skip is found too.
func (s *state) checkPrivateKeys() {
	if s.tok == nil {
		return
	}
	for _, part := range []struct {
		name  string
		text  []byte
		valid bool
	}{{"header", s.tok.HeaderJSON, s.tok.HeaderValid}, {"claims", s.tok.PayloadJSON, s.tok.PayloadValid}} {
		if !part.valid {
			continue
		}
		if _, found := redact.JSON(part.text, redact.Replace); len(found) > 0 {
			for _, jwk := range groupByKey(found) {
				s.hint("private-key-in-token", "private-key-in-token",
					fmt.Sprintf("the %s member %s is a JWK with the private member%s %s: the private key is leaked to everyone who sees this token",
						part.name, jwk.path, plural(len(jwk.members)), strings.Join(jwk.members, ", ")))
			}
		}
	}
}

type leakedKey struct {
	path    string
	members []string
}

// groupByKey turns paths such as jwk.d, jwk.p into one entry per JWK.
func groupByKey(paths []string) []leakedKey {
	var out []leakedKey
	for _, p := range paths {
		key, member := "(top level)", p
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			key, member = p[:i], p[i+1:]
		}
		if n := len(out); n > 0 && out[n-1].path == key {
			if !slices.Contains(out[n-1].members, member) {
				out[n-1].members = append(out[n-1].members, member)
			}
			continue
		}
		out = append(out, leakedKey{key, []string{member}})
	}
	return out
}

// checkForeignAudience: an aud list holding this server's audience and
// another one is valid at both.
func (s *state) checkForeignAudience() {
	list, ok := s.claims["aud"].([]any)
	if !ok || !isStringOrStrings(list) || s.in.Profile.TokenURL == "" {
		return
	}
	accepted := []string{s.in.Profile.TokenURL}
	if s.in.Profile.Aud == profile.AudTokenURLOrIssuer && s.in.Profile.Issuer != "" {
		accepted = append(accepted, s.in.Profile.Issuer)
	}
	own := false
	var foreign []string
	for _, v := range list {
		str := v.(string)
		switch {
		case slices.Contains(accepted, str):
			own = true
		case !slices.Contains(foreign, str):
			foreign = append(foreign, str)
		}
	}
	if !own || len(foreign) == 0 {
		return
	}
	s.hint("aud-foreign", "aud-foreign", fmt.Sprintf("aud names %s besides the token URL; the assertion is just as valid there, and can be replayed here from there",
		compactJSON(foreign)))
}

// checkJKUHost compares an https jku with the registered JWKS URL, when
// lint was given the key set by its URL.
func (s *state) checkJKUHost() {
	jku, _ := s.header["jku"].(string)
	if s.in.JWKSURL == "" || !strings.HasPrefix(strings.ToLower(jku), "https://") {
		return
	}
	got, err1 := url.Parse(jku)
	want, err2 := url.Parse(s.in.JWKSURL)
	if err2 != nil {
		return
	}
	if err1 == nil && hostPort(got) == hostPort(want) {
		return
	}
	host := "an unreadable host"
	if err1 == nil {
		host = fmt.Sprintf("host %q", got.Host)
	}
	s.hint("jku-foreign-host", "jku-foreign-host", fmt.Sprintf("jku points at %s, but the registered key set is on %q", host, want.Host))
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" || port == "443" && strings.EqualFold(u.Scheme, "https") {
		port = ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")) + ":" + port
}

// checkSmallExponents flags RSA keys in the key set with e below 65537.
func (s *state) checkSmallExponents() {
	if s.in.Keys == nil {
		return
	}
	for _, k := range s.in.Keys.Keys {
		if e, small := keys.SmallExponent(k); small {
			s.hint("rsa-small-exponent", "rsa-small-exponent", fmt.Sprintf("key %s is RSA with public exponent %d; use 65537", kidLabel(k), e))
		}
	}
}

// kidFailsWithoutKeys: where the server looks a kid up as it is, a kid
// that is present but not a string matches no registered key (JWK kids are
// strings), so the lookup fails whatever the key set holds.
func (s *state) kidFailsWithoutKeys(kid any) bool {
	if _, isString := kid.(string); isString || !token.Truthy(kid) || s.in.Profile.NonStringKid != profile.KidLookedUp {
		return false
	}
	msg := fmt.Sprintf("the header kid is %s, not a string; no registered key has such a kid, whatever the key set holds", compactJSON(kid))
	s.fail("kid-not-found", "kid-not-found", msg)
	s.step("kid-not-found", "fail", msg)
	return true
}

// signatureFailsWithoutKeys fails the signature step when no key the
// server accepts for alg could verify the signature's bytes.
func (s *state) signatureFailsWithoutKeys(alg string) bool {
	if s.in.Unsigned {
		return false
	}
	why := signatureNeverVerifies(alg, s.tok.Signature)
	if why == "" {
		return false
	}
	msg := fmt.Sprintf("the %s signature cannot verify with any key: %s", alg, why)
	s.fail("signature-invalid", "signature-invalid", msg)
	s.step("signature", "fail", msg)
	return true
}

// maxRSABytes is the largest RSA modulus the server's crypto (OpenSSL)
// works with: 16384 bits.
const maxRSABytes = 16384 / 8

// minRSABytes is the smallest modulus, in bytes, that can carry a
// PKCS#1 v1.5 signature of each alg: the DigestInfo plus 11 bytes of
// padding, which is also the smallest key jose 2.x accepts for RS384/RS512.
func minRSABytes(alg string) int {
	switch alg {
	case "RS256":
		return 19 + 32 + 11
	case "RS384":
		return 19 + 48 + 11
	case "RS512":
		return 19 + 64 + 11
	}
	return 0
}

// curveOrder is the order of the curve behind an ES alg, or nil. It is
// looked up when needed, so that nothing is built at start-up.
func curveOrder(alg string) *big.Int {
	switch alg {
	case "ES256":
		return elliptic.P256().Params().N
	case "ES384":
		return elliptic.P384().Params().N
	case "ES512":
		return elliptic.P521().Params().N
	case "ES256K": // secp256k1, which Go's elliptic package does not have
		n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
		return n
	}
	return nil
}

// signatureNeverVerifies explains why sig cannot be a valid alg signature
// under any key the server would use, or returns "".
func signatureNeverVerifies(alg string, sig []byte) string {
	if len(sig) == 0 {
		return "the signature is empty"
	}
	n := len(sig)
	switch {
	case minRSABytes(alg) > 0:
		if n < minRSABytes(alg) || n > maxRSABytes {
			return fmt.Sprintf("it is %d bytes, and an %s signature is exactly as long as the RSA modulus: %d to %d bytes for the key sizes that can carry it",
				n, alg, minRSABytes(alg), maxRSABytes)
		}
	case strings.HasPrefix(alg, "PS") && len(alg) == 5:
		if n > maxRSABytes {
			return fmt.Sprintf("it is %d bytes, longer than the largest RSA modulus the server works with (%d bytes)", n, maxRSABytes)
		}
	case curveOrder(alg) != nil:
		order := curveOrder(alg)
		size := (order.BitLen() + 7) / 8
		if n != 2*size {
			return fmt.Sprintf("it is %d bytes; an %s signature is exactly %d (r and s, %d bytes each)%s", n, alg, 2*size, size, derHint(sig))
		}
		r, sv := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		for _, part := range []struct {
			name string
			v    *big.Int
		}{{"r", r}, {"s", sv}} {
			switch {
			case part.v.Sign() == 0:
				return fmt.Sprintf("%s is zero, the \"psychic signature\" of CVE-2022-21449, which every correct verifier rejects", part.name)
			case part.v.Cmp(order) >= 0:
				return fmt.Sprintf("%s is not below the order of the curve, so it is out of range", part.name)
			}
		}
	case alg == "EdDSA":
		if n != 64 && n != 114 {
			return fmt.Sprintf("it is %d bytes; an EdDSA signature is 64 bytes (Ed25519) or 114 (Ed448)", n)
		}
	case alg == "HS256" || alg == "HS384" || alg == "HS512":
		if want := hmacBytes(alg); n != want {
			return fmt.Sprintf("it is %d bytes; an %s signature is exactly %d", n, alg, want)
		}
	}
	return ""
}

func derHint(sig []byte) string {
	if len(sig) > 8 && sig[0] == 0x30 {
		return ", and this looks DER-encoded; JWS uses the raw r||s form"
	}
	return ""
}

func hmacBytes(alg string) int {
	switch alg {
	case "HS256":
		return 32
	case "HS384":
		return 48
	}
	return 64
}
