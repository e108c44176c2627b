package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/clientassert/clientassert/pkg/catalog"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/token"
)

// Verify step ids, in the order the server's documentation lists its steps.
const (
	StepDecode    = "decode"
	StepClient    = "client"
	StepKeySet    = "key-set"
	StepKID       = "kid"
	StepSignature = "signature"
)

// Step statuses.
const (
	StepPass       = "pass"
	StepFail       = "fail"
	StepNotReached = "not-reached"
)

// VerifyInput is a token and where its keys come from.
type VerifyInput struct {
	Token    string
	ClientID string // when set, iss must equal it
	Profile  profile.Profile

	// Keys is the key set, or nil when it could not be had; then KeysErr
	// says why (a *jwksfetch.Error for a URL).
	Keys    *keys.Set
	KeysErr error
	// KeySource names the key set in messages: a file name or URL.
	KeySource string
	// SingleKey marks Keys as one key given with --key: without a kid of
	// its own it stands for whatever kid the header names.
	SingleKey bool
}

// VerifyStep is the outcome of one step.
type VerifyStep struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// ErrorDescription is what the server answers when this step fails.
	ErrorDescription *string `json:"error_description,omitempty"`
	Fix              string  `json:"fix,omitempty"`
}

// VerifiedKey is the key that verified the signature.
type VerifiedKey struct {
	KID         string `json:"kid"`
	Index       int    `json:"index"`
	Description string `json:"description"`
	Thumbprint  string `json:"thumbprint"`
	Alg         string `json:"alg"`
}

// VerifyResult is the outcome of Verify.
type VerifyResult struct {
	Verified   bool         `json:"verified"`
	FailedStep string       `json:"failed_step,omitempty"`
	ClientID   string       `json:"client_id,omitempty"`
	KeySet     string       `json:"key_set"`
	Key        *VerifiedKey `json:"key,omitempty"`
	Steps      []VerifyStep `json:"steps"`
	Notes      []string     `json:"notes,omitempty"`
}

// Verify walks the server's steps for a token: the client_id from iss, the
// client's key set, the key with the header's kid, and the signature. It
// stops at the first failing step; later steps are "not-reached".
func Verify(in VerifyInput) *VerifyResult {
	v := &VerifyResult{KeySet: in.KeySource}
	steps := []func(*verifyState) bool{stepDecode, stepClient, stepKeySet, stepKID, stepSignature}
	ids := []string{StepDecode, StepClient, StepKeySet, StepKID, StepSignature}
	st := &verifyState{in: in, res: v}
	for i, step := range steps {
		if !step(st) {
			v.FailedStep = ids[i]
			for _, id := range ids[i+1:] {
				v.Steps = append(v.Steps, VerifyStep{ID: id, Status: StepNotReached})
			}
			return v
		}
	}
	v.Verified = true
	return v
}

type verifyState struct {
	in     VerifyInput
	res    *VerifyResult
	tok    *token.Token
	header map[string]any
	kid    string
	key    *keys.Key
}

func (s *verifyState) pass(id, detail string) bool {
	s.res.Steps = append(s.res.Steps, VerifyStep{ID: id, Status: StepPass, Detail: detail})
	return true
}

func (s *verifyState) fail(id, detail, desc, fix string) bool {
	d := desc
	s.res.Steps = append(s.res.Steps, VerifyStep{ID: id, Status: StepFail, Detail: detail, ErrorDescription: &d, Fix: fix})
	return false
}

func stepDecode(s *verifyState) bool {
	t := token.Parse(strings.TrimSpace(s.in.Token))
	s.tok = t
	if n := len(t.Segments); n != 3 {
		desc := catalog.DescThreeComponents
		if n == 5 {
			desc = catalog.DescBlank
		}
		return s.fail(StepDecode, fmt.Sprintf("the token has %d parts; a signed JWT has 3", n), desc, "pass the compact JWS exactly as it was sent")
	}
	if !t.HeaderValid || !t.PayloadValid || t.Header == nil || t.Payload == nil {
		detail := "the header or payload is not a base64url JSON object"
		for _, e := range t.Errors {
			detail = e.Error()
			break
		}
		return s.fail(StepDecode, detail, catalog.DescMalformed, "clientassert decode shows where the token is broken")
	}
	s.header = t.Header
	return s.pass(StepDecode, "three parts; header and claims are JSON objects")
}

func stepClient(s *verifyState) bool {
	iss, ok := s.tok.Payload["iss"].(string)
	switch {
	case !ok || iss == "":
		detail := "the token has no iss, so the server cannot tell which client's keys to use"
		if v, present := s.tok.Payload["iss"]; present {
			detail = fmt.Sprintf("iss is %s, not a client_id string", compact(v))
		}
		return s.fail(StepClient, detail, catalog.DescPublicKeyNotFound, "set iss (and sub) to the client_id")
	case s.in.ClientID != "" && iss != s.in.ClientID:
		return s.fail(StepClient,
			fmt.Sprintf("iss is %q, but the client_id is %q; the server looks up the keys of the client iss names", iss, s.in.ClientID),
			catalog.DescPublicKeyNotFound, fmt.Sprintf("set iss and sub to %q", s.in.ClientID))
	}
	s.res.ClientID = iss
	detail := fmt.Sprintf("client_id %q from iss", iss)
	if s.in.ClientID != "" {
		detail += " (equals --client-id)"
	}
	return s.pass(StepClient, detail)
}

func stepKeySet(s *verifyState) bool {
	if s.in.KeysErr != nil {
		fix := "check the key set registered for the client"
		var fe *jwksfetch.Error
		if errors.As(s.in.KeysErr, &fe) {
			fix = fe.Hint
		}
		return s.fail(StepKeySet, fmt.Sprintf("cannot read the key set: %s", s.in.KeysErr), catalog.DescPublicKeyNotFound, fix)
	}
	if s.in.Keys == nil || len(s.in.Keys.Keys) == 0 {
		return s.fail(StepKeySet, fmt.Sprintf("the key set %s holds no keys", s.in.KeySource), catalog.DescPublicKeyNotFound,
			"publish the client's public key: clientassert keys jwks KEY")
	}
	return s.pass(StepKeySet, fmt.Sprintf("%s: %d key%s (%s)", s.in.KeySource, len(s.in.Keys.Keys), plural(len(s.in.Keys.Keys)), kidList(s.in.Keys)))
}

func stepKID(s *verifyState) bool {
	raw := s.header["kid"]
	if !token.Truthy(raw) {
		return s.fail(StepKID, "the header has no kid", catalog.DescKidRequired, "put the kid of the registered key in the header")
	}
	key, assumed := s.in.Keys.Resolve(raw, s.in.SingleKey)
	if key == nil {
		fix := "sign with a key from the set and put its kid in the header, or publish the new key under this kid"
		return s.fail(StepKID, fmt.Sprintf("no key with kid %s in %s, which holds %s", compact(raw), s.in.KeySource, kidList(s.in.Keys)),
			catalog.DescPublicKeyNotFound, fix)
	}
	kid := raw.(string)
	if assumed {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("the --key file has no kid; it was taken as the key registered under kid %s", compact(raw)))
	}
	if n := len(s.in.Keys.ByKID(kid)); n > 1 {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("kid %q appears %d times in the key set; the first was used", kid, n))
	}
	s.kid, s.key = kid, key
	return s.pass(StepKID, fmt.Sprintf("kid %s is key %d (%s)", compact(raw), s.key.Index, s.key.Describe()))
}

func stepSignature(s *verifyState) bool {
	raw, present := s.header["alg"]
	alg, _ := raw.(string)
	switch {
	case !present || alg == "":
		return s.fail(StepSignature, "the header has no alg", catalog.DescAlgMissing, "set alg to "+strings.Join(s.in.Profile.Algorithms, " or "))
	case !s.in.Profile.AllowsAlg(alg):
		return s.fail(StepSignature, fmt.Sprintf("alg is %s; the %s profile accepts %s", compact(raw), s.in.Profile.Name, strings.Join(s.in.Profile.Algorithms, " or ")),
			catalog.DescAlgNotWhitelisted, "sign with "+strings.Join(s.in.Profile.Algorithms, " or "))
	}
	if ok, why := s.key.SupportsVerify(alg); !ok {
		return s.fail(StepSignature, fmt.Sprintf("key %d (%s) cannot verify %s: %s", s.key.Index, s.key.Describe(), alg, why),
			catalog.KeyDoesNotSupport(alg), "use RS384 with an RSA key and ES384 with a P-384 key; fix use, key_ops and alg in the JWK")
	}
	if !keys.Verify(s.key, alg, []byte(s.tok.SigningInput()), s.tok.Signature) {
		detail := fmt.Sprintf("the %s signature does not verify with key %d (%s)", alg, s.key.Index, s.key.Describe())
		if s.key.Kty == "EC" && len(s.tok.Signature) != 2*((s.key.Bits+7)/8) {
			detail += fmt.Sprintf("; it is %d bytes, a raw %s signature is %d (DER-encoded?)", len(s.tok.Signature), alg, 2*((s.key.Bits+7)/8))
		}
		return s.fail(StepSignature, detail, catalog.DescSignatureFailed, "sign with the private half of the key registered under this kid")
	}
	tp, _ := keys.Thumbprint(s.key)
	s.res.Key = &VerifiedKey{KID: s.key.KID, Index: s.key.Index, Description: s.key.Describe(), Thumbprint: tp, Alg: alg}
	if s.res.Key.KID == "" {
		s.res.Key.KID = s.kid
	}
	return s.pass(StepSignature, fmt.Sprintf("%s signature verifies with kid %q (%s, thumbprint %s)", alg, s.res.Key.KID, s.key.Describe(), tp))
}

// compact renders a JSON value from the token for a message.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
