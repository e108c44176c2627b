// Package inspect describes what is inside a token for people: decoded
// parts, times relative to a moment, and where a malformed token breaks.
// It never verifies a signature.
package inspect

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/clientassert/clientassert/pkg/profile"
	"github.com/clientassert/clientassert/pkg/redact"
	"github.com/clientassert/clientassert/pkg/token"
)

// Time is one NumericDate claim.
type Time struct {
	Claim    string    `json:"claim"`
	Value    float64   `json:"value"`
	UTC      time.Time `json:"utc"`
	Relative string    `json:"relative"` // "6m12s ago", "in 4m48s"
	Note     string    `json:"note,omitempty"`
	// Status is "expired" on an exp, "not-yet-valid" on an nbf, when the
	// server would refuse the token for it now (within its clock tolerance).
	Status string `json:"status,omitempty"`
}

// Time statuses.
const (
	StatusExpired     = "expired"
	StatusNotYetValid = "not-yet-valid"
)

// Window is the span of iat values the profile accepts at Now.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Inspection is the result of Inspect.
type Inspection struct {
	// Decoded is true when the token has three parts and both the header and
	// the claims are JSON objects: what decode's exit status 0 means.
	Decoded        bool                  `json:"decoded"`
	Segments       int                   `json:"segments"`
	Header         json.RawMessage       `json:"header,omitempty"`
	Claims         json.RawMessage       `json:"claims,omitempty"`
	Alg            string                `json:"alg,omitempty"`
	Kid            string                `json:"kid,omitempty"`
	SignatureBytes int                   `json:"signature_bytes"`
	Verified       bool                  `json:"signature_verified"` // always false: decode does not verify
	Times          []Time                `json:"times"`
	Now            time.Time             `json:"now"`
	IatWindow      *Window               `json:"iat_window,omitempty"`
	Errors         []*token.SegmentError `json:"errors,omitempty"`
	Duplicates     []string              `json:"duplicate_members,omitempty"`
	// Redacted lists the private JWK members shown as "<redacted>", such
	// as header.jwk.d.
	Redacted []string `json:"redacted,omitempty"`
}

// Inspect decodes raw as far as it can.
func Inspect(raw string, now time.Time, p profile.Profile) *Inspection {
	t := token.Parse(raw)
	in := &Inspection{Segments: len(t.Segments), Now: now.UTC().Truncate(time.Second), Times: []Time{}}
	if len(t.Segments) != 3 {
		return in
	}
	in.Errors = t.Errors
	if t.HeaderValid {
		in.Header = indentJSON(in.redacted("header", t.HeaderJSON))
	}
	if t.PayloadValid {
		in.Claims = indentJSON(in.redacted("payload", t.PayloadJSON))
	}
	in.Decoded = t.Header != nil && t.Payload != nil
	in.SignatureBytes = len(t.Signature)
	if t.Header != nil {
		in.Alg, _ = t.Header["alg"].(string)
		in.Kid, _ = t.Header["kid"].(string)
	}
	for _, d := range t.DuplicateHeader {
		in.Duplicates = append(in.Duplicates, "header."+d)
	}
	for _, d := range t.DuplicatePayload {
		in.Duplicates = append(in.Duplicates, "payload."+d)
	}
	if t.Payload != nil {
		for _, name := range []string{"iat", "nbf", "exp"} {
			n, ok := t.Payload[name].(json.Number)
			if !ok {
				continue
			}
			f, err := strconv.ParseFloat(string(n), 64)
			if err != nil || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
				continue
			}
			tm := Time{Claim: name, Value: f}
			secs := f
			if f > 1e11 {
				// Read as milliseconds, which is what such a value almost always is.
				secs = f / 1000
				tm.Note = "milliseconds: as seconds it is " + Relative(f-float64(now.Unix()))
			}
			tm.UTC = time.Unix(0, 0).Add(time.Duration(secs * float64(time.Second))).UTC()
			tm.Relative = Relative(secs - float64(now.Unix()))
			// The server compares the raw value, milliseconds or not.
			tol := p.Tolerance.Seconds()
			switch {
			case name == "exp" && f <= float64(now.Unix())-tol:
				tm.Status = StatusExpired
			case name == "nbf" && f > float64(now.Unix())+tol:
				tm.Status = StatusNotYetValid
			}
			in.Times = append(in.Times, tm)
		}
		sort.SliceStable(in.Times, func(i, j int) bool { return in.Times[i].Value < in.Times[j].Value })
	}
	if p.MaxTokenAge > 0 {
		in.IatWindow = &Window{From: in.Now.Add(-p.MaxTokenAge - p.Tolerance), To: in.Now.Add(p.Tolerance)}
	}
	return in
}

// Relative renders an offset from now in seconds as "6m12s ago" or "in 4m48s".
func Relative(delta float64) string {
	if math.Abs(delta) < 0.5 {
		return "now"
	}
	var s string
	if math.Abs(delta) > 100*365*86400 {
		s = strconv.FormatFloat(math.Abs(delta)/(365.25*86400), 'f', 0, 64) + " years"
	} else {
		s = (time.Duration(math.Round(math.Abs(delta))) * time.Second).String()
	}
	if delta < 0 {
		return s + " ago"
	}
	return "in " + s
}

// redacted is part's JSON text with private key members replaced.
func (in *Inspection) redacted(part string, text []byte) []byte {
	out, found := redact.JSON(text, redact.Replace)
	for _, f := range found {
		in.Redacted = append(in.Redacted, part+"."+f)
	}
	return out
}

// indentJSON keeps the token's own member order and any duplicates, which
// re-marshalling a map would hide.
func indentJSON(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(b), "", "  "); err != nil {
		return nil
	}
	return buf.Bytes()
}
