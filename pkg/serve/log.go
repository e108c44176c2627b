package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/clientassert/clientassert/pkg/lint"
)

// Entry is one request's log line: the answer and what the real server
// would not have said about it. The token itself is never logged whole:
// only its decoded header and claims and the first characters of its
// signature, which identify it without making it replayable.
type Entry struct {
	Time             time.Time `json:"time"`
	Method           string    `json:"method"`
	Path             string    `json:"path"`
	ClientID         string    `json:"client_id"`
	Status           int       `json:"status"`
	Error            string    `json:"error,omitempty"`
	ErrorDescription *string   `json:"error_description,omitempty"`
	Rule             string    `json:"rule,omitempty"`
	// Why is the engine's own account of the failure.
	Why          string  `json:"why,omitempty"`
	HiddenReason string  `json:"hidden_reason,omitempty"`
	Fix          string  `json:"fix,omitempty"`
	Header       any     `json:"header,omitempty"`
	Claims       any     `json:"claims,omitempty"`
	Signature    string  `json:"signature_prefix,omitempty"`
	Note         string  `json:"note,omitempty"`
	Millis       float64 `json:"ms"`
}

// SignaturePrefix is how many characters of the signature are logged.
const SignaturePrefix = 8

// maxLogValue caps each decoded header or claims set in a log line.
const maxLogValue = 2048

func (e *Entry) fromReport(rep *lint.Report, tok peeked) {
	p := rep.Predicted
	e.Status, e.Error, e.Rule, e.HiddenReason = p.Status, p.Error, p.Rule, p.HiddenReason
	if p.Status != 200 {
		d := p.ErrorDescription
		e.ErrorDescription = &d
	}
	if p.Rule != "" {
		if r, ok := lint.RuleByID(p.Rule); ok {
			e.Fix = r.Fix
		}
		for _, f := range rep.Findings {
			if f.Rule == p.Rule && f.ServerCheck {
				e.Why = f.Message
				break
			}
		}
	}
	if tok.compact {
		e.Header = capJSON(tok.header)
		e.Claims = capJSON(tok.payload)
		sig := tok.signature
		if len(sig) > SignaturePrefix {
			sig = sig[:SignaturePrefix]
		}
		e.Signature = sig
	}
}

// capJSON keeps a decoded segment as compact JSON when it is valid and
// short, and as a shortened string otherwise. Compacting keeps the log line
// on one line; the JSON text is otherwise as the client wrote it.
func capJSON(raw []byte) any {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) <= maxLogValue {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil && utf8.Valid(b.Bytes()) && !bytes.ContainsAny(b.Bytes(), "\n\r") {
			return json.RawMessage(b.Bytes())
		}
	}
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	if len(s) > maxLogValue {
		s = s[:maxLogValue] + "..."
	}
	return s
}

// Logger writes entries, one line each, as text or JSON.
type Logger struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// NewLogger writes to w; format is "text" or "json". A nil *Logger logs
// nothing.
func NewLogger(w io.Writer, format string) *Logger {
	return &Logger{w: w, json: format == "json"}
}

// Write logs one entry.
func (l *Logger) Write(e *Entry) {
	if l == nil {
		return
	}
	var line []byte
	if l.json {
		b, err := json.Marshal(e)
		if err != nil {
			return
		}
		line = append(b, '\n')
	} else {
		line = []byte(e.text())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(line)
}

// Printf logs a line that is not about a request (a reload, say).
func (l *Logger) Printf(now time.Time, format string, args ...any) {
	if l == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	var line string
	if l.json {
		b, _ := json.Marshal(map[string]any{"time": now.UTC(), "event": msg})
		line = string(b) + "\n"
	} else {
		line = now.UTC().Format(time.RFC3339) + " " + strconv.Quote(msg) + "\n"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, line)
}

// text is key=value pairs; free text is quoted so that a client cannot
// forge a line with a newline in its iss.
func (e *Entry) text() string {
	var b strings.Builder
	b.WriteString(e.Time.Format(time.RFC3339))
	kv := func(k, v string) {
		if v == "" {
			return
		}
		b.WriteString(" " + k + "=" + v)
	}
	q := func(k, v string) {
		if v != "" {
			kv(k, strconv.Quote(v))
		}
	}
	kv("method", e.Method)
	q("path", e.Path)
	b.WriteString(" client_id=" + strconv.Quote(e.ClientID))
	kv("status", strconv.Itoa(e.Status))
	kv("rule", e.Rule)
	kv("error", e.Error)
	if e.ErrorDescription != nil {
		b.WriteString(" error_description=" + strconv.Quote(*e.ErrorDescription))
	}
	q("why", e.Why)
	q("hidden_reason", e.HiddenReason)
	q("fix", e.Fix)
	for _, f := range []struct {
		k string
		v any
	}{{"header", e.Header}, {"claims", e.Claims}} {
		switch v := f.v.(type) {
		case json.RawMessage:
			kv(f.k, string(v))
		case string:
			q(f.k, v)
		}
	}
	if e.Signature != "" {
		kv("sig", strconv.Quote(e.Signature+"..."))
	}
	q("note", e.Note)
	kv("ms", strconv.FormatFloat(e.Millis, 'f', 1, 64))
	b.WriteByte('\n')
	return b.String()
}
