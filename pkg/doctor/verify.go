package doctor

import (
	"errors"
	"fmt"
	"slices"

	"github.com/clientassert/clientassert/pkg/jwksfetch"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// Step statuses.
const (
	StepPass       = "pass"
	StepFail       = "fail"
	StepNotReached = "not-reached"
	StepNotChecked = "not-checked"
)

// keyChain are the rules of the server's key chain: decoding the token,
// finding the client and its key, and checking the signature. verify shows
// the model's steps for them, in the model's order; the claims are lint's.
var keyChain = []string{
	"jwt-segments", "jwt-encrypted", "jwt-malformed", "jwt-not-object",
	"kid-missing", "kid-not-string", "sub-not-iss", "client-unknown", "iss-client-id", "key-set-invalid", "kid-not-found", "registered-key-invalid",
	"crit-header", "alg-missing", "alg-none", "alg-hmac-confusion", "alg-not-allowed",
	"key-alg-mismatch", "signature-invalid",
}

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
	ID string `json:"id"`
	// Check says what the step verifies.
	Check  string `json:"check"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Error and ErrorDescription are what the server answers when this step
	// fails; ErrorDescription is absent where the server sends none.
	Error            string  `json:"error,omitempty"`
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

// Verify runs the lint engine over the token and shows the key chain part of
// its server model: each step in the model's order, up to the first that
// fails. It has no checks of its own.
func Verify(in VerifyInput) *VerifyResult {
	rep := lint.Lint(lint.Input{Token: in.Token, Profile: in.Profile, ClientID: in.ClientID,
		Keys: in.Keys, KeysErr: in.KeysErr, SingleKey: in.SingleKey})
	return FromReport(rep, in)
}

// FromReport projects a lint report onto the key chain.
func FromReport(rep *lint.Report, in VerifyInput) *VerifyResult {
	v := &VerifyResult{KeySet: in.KeySource, Notes: rep.Notes}
	failed := map[string]*lint.Finding{} // by model step
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.ServerCheck && slices.Contains(keyChain, f.Rule) && failed[f.StepID()] == nil {
			failed[f.StepID()] = f
		}
	}
	passDetail := map[string]string{}
	for _, s := range rep.Steps {
		if s.Status == StepPass {
			passDetail[s.ID] = s.Detail
		}
	}
	for _, group := range chainSteps(in.Profile) {
		r, _ := lint.RuleByID(group.rule)
		step := VerifyStep{ID: group.rule, Check: r.Check, Status: StepPass}
		var f *lint.Finding
		for _, id := range group.steps {
			if f == nil {
				f = failed[id]
			}
		}
		switch {
		case v.FailedStep != "":
			step.Status = StepNotReached
		case f != nil:
			step.Status, step.Detail, step.Fix = StepFail, f.Message, f.Fix
			if st, ok := in.Profile.Step(f.StepID()); ok {
				step.Error = st.Outcome.Error
				if !st.Outcome.NoDescription {
					d := f.ErrorDescription
					step.ErrorDescription = &d
				}
			}
			var fe *jwksfetch.Error
			if group.rule == "kid-not-found" && errors.As(in.KeysErr, &fe) && fe.Hint != "" {
				step.Fix = fe.Hint
			}
			v.FailedStep = group.rule
		case group.rule == "signature-invalid" && rep.Key == nil:
			step.Status, step.Detail = StepNotChecked, "no key verified the signature"
		default:
			step.Detail = passMessage(group.rule, rep, in, passDetail)
		}
		v.Steps = append(v.Steps, step)
	}
	if iss, ok := claimString(rep.Claims, "iss"); ok {
		v.ClientID = iss
	}
	if v.FailedStep == "" && rep.Key != nil {
		v.Verified = true
		k := rep.Key
		tp, _ := keys.Thumbprint(k)
		alg, _ := claimString(rep.Header, "alg")
		kid := k.KID
		if kid == "" {
			kid, _ = claimString(rep.Header, "kid")
		}
		v.Key = &VerifiedKey{KID: kid, Index: k.Index, Description: k.Describe(), Thumbprint: tp, Alg: alg}
	}
	if v.Steps == nil {
		v.Steps = []VerifyStep{}
	}
	return v
}

type chainStep struct {
	rule  string
	steps []string
}

// chainSteps lists the model's key chain steps in its order, one entry per
// run of consecutive steps of the same rule.
func chainSteps(p profile.Profile) []chainStep {
	var out []chainStep
	for _, st := range p.Steps {
		for _, rule := range keyChain {
			r, _ := lint.RuleByID(rule)
			if !slices.Contains(r.StepIDs(), st.ID) {
				continue
			}
			if n := len(out); n > 0 && out[n-1].rule == rule {
				out[n-1].steps = append(out[n-1].steps, st.ID)
			} else {
				out = append(out, chainStep{rule, []string{st.ID}})
			}
		}
	}
	return out
}

func claimString(obj any, name string) (string, bool) {
	m, ok := obj.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m[name].(string)
	return s, ok && s != ""
}

// passMessage says what a passing step found, where that is worth a line.
func passMessage(rule string, rep *lint.Report, in VerifyInput, engine map[string]string) string {
	switch rule {
	case "iss-client-id":
		if engine["client"] == "" {
			return ""
		}
		msg := fmt.Sprintf("client_id %q from iss", engine["client"])
		if in.ClientID != "" {
			msg += " (equals --client-id)"
		}
		return msg
	case "kid-not-found":
		if engine["kid-not-found"] == "" || in.Keys == nil {
			return ""
		}
		return fmt.Sprintf("kid %q is in %s: %d key%s (%s)", engine["kid-not-found"], in.KeySource,
			len(in.Keys.Keys), plural(len(in.Keys.Keys)), kidList(in.Keys))
	case "signature-invalid":
		if rep.Key == nil {
			return ""
		}
		alg, _ := claimString(rep.Header, "alg")
		return fmt.Sprintf("%s signature verifies with key %d (%s)", alg, rep.Key.Index, rep.Key.Describe())
	}
	return ""
}
