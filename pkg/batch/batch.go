package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/lint"
	"github.com/clientassert/clientassert/pkg/profile"
)

// Options are the run's defaults, applied to every item that does not carry
// its own, and how the run is shaped.
type Options struct {
	Now       time.Time
	ClientID  string
	Profile   profile.Profile
	Keys      *keys.Set
	SingleKey bool
	// FailOn is the least severity that makes an item fail; empty means error.
	FailOn lint.Severity
	// Jobs is the number of workers; zero or less means one per CPU.
	Jobs int
	// Summary writes only the totals, not one object per item.
	Summary bool
	// LookupProfile resolves an item's own profile name; nil means
	// profile.Get without a token URL override.
	LookupProfile func(name string) (profile.Profile, error)
	// Progress, when set, is called in input order after each group of items
	// is written.
	Progress func(Progress)
}

// Progress tells how far the run is: items written and input bytes read.
type Progress struct {
	Items int
	Bytes int64
}

// Item is one line's result, as written in the per-item output.
type Item struct {
	Line      int            `json:"line"`
	Profile   string         `json:"profile"`
	Now       time.Time      `json:"now"`
	ClientID  string         `json:"client_id,omitempty"`
	Predicted lint.Response  `json:"predicted_response"`
	Findings  []lint.Finding `json:"findings"`
	Summary   lint.Summary   `json:"summary"`
	Notes     []string       `json:"notes,omitempty"`
}

// ErrorItem is a line that could not be linted: too long, an unreadable JSON
// item, a bad now or profile, or no token at all.
type ErrorItem struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Totals count what the run saw. Responses and Rules are sorted by count,
// most frequent first.
type Totals struct {
	Items     int             `json:"items"`
	Failed    int             `json:"failed"`
	Uncertain int             `json:"uncertain"`
	BadLines  int             `json:"bad_lines"`
	Responses []ResponseCount `json:"responses"`
	Rules     []RuleCount     `json:"rules"`
	LineErrs  []LineErrCount  `json:"line_errors"`
}

// ResponseCount is how many items got one predicted answer.
type ResponseCount struct {
	Status           int    `json:"status"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description"`
	Count            int    `json:"count"`
}

// RuleCount is how many findings one rule raised.
type RuleCount struct {
	Rule     string        `json:"rule"`
	Severity lint.Severity `json:"severity"`
	Count    int           `json:"count"`
}

// LineErrCount is how many lines could not be linted for one reason.
type LineErrCount struct {
	Error string `json:"error"`
	Count int    `json:"count"`
}

// AnyFailed reports whether any item failed: an error finding (or one at
// FailOn) or a line that could not be linted.
func (t *Totals) AnyFailed() bool { return t.Failed > 0 }

type responseKey struct {
	status     int
	err, descr string
}

type ruleKey struct {
	rule string
	sev  lint.Severity
}

type counts struct {
	items, failed, uncertain, bad int
	responses                     map[responseKey]int
	rules                         map[ruleKey]int
	lineErrs                      map[string]int
}

func newCounts() *counts {
	return &counts{responses: map[responseKey]int{}, rules: map[ruleKey]int{}, lineErrs: map[string]int{}}
}

func (c *counts) merge(o *counts) {
	c.items += o.items
	c.failed += o.failed
	c.uncertain += o.uncertain
	c.bad += o.bad
	for k, v := range o.responses {
		c.responses[k] += v
	}
	for k, v := range o.rules {
		c.rules[k] += v
	}
	for k, v := range o.lineErrs {
		c.lineErrs[k] += v
	}
}

func (c *counts) totals() *Totals {
	t := &Totals{Items: c.items, Failed: c.failed, Uncertain: c.uncertain, BadLines: c.bad,
		Responses: []ResponseCount{}, Rules: []RuleCount{}, LineErrs: []LineErrCount{}}
	for k, v := range c.responses {
		t.Responses = append(t.Responses, ResponseCount{Status: k.status, Error: k.err, ErrorDescription: k.descr, Count: v})
	}
	sort.Slice(t.Responses, func(i, j int) bool {
		a, b := t.Responses[i], t.Responses[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		return a.ErrorDescription < b.ErrorDescription
	})
	for k, v := range c.rules {
		t.Rules = append(t.Rules, RuleCount{Rule: k.rule, Severity: k.sev, Count: v})
	}
	sort.Slice(t.Rules, func(i, j int) bool {
		a, b := t.Rules[i], t.Rules[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Rule < b.Rule
	})
	for k, v := range c.lineErrs {
		t.LineErrs = append(t.LineErrs, LineErrCount{Error: k, Count: v})
	}
	sort.Slice(t.LineErrs, func(i, j int) bool {
		a, b := t.LineErrs[i], t.LineErrs[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Error < b.Error
	})
	return t
}

// A chunk is a run of consecutive lines handed to one worker, so that the
// hand-off costs are paid per chunk rather than per token.
type chunk struct {
	buf    []byte
	lines  []line
	bytes  int64 // input bytes read up to the end of this chunk
	out    bytes.Buffer
	counts *counts
	done   chan struct{}
}

type line struct {
	num        int
	start, end int
	tooLong    bool
}

const (
	chunkLines = 256
	chunkBytes = 256 << 10
)

// Run lints every line of r and, unless Summary is set, writes one JSON
// object per item to w in input order. Blank lines are skipped. It returns
// the totals; an error means the run could not go on (unreadable input,
// failed write), not that an item failed.
func Run(r io.Reader, w io.Writer, o Options) (*Totals, error) {
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if o.FailOn == "" {
		o.FailOn = lint.SeverityError
	}
	if o.LookupProfile == nil {
		o.LookupProfile = func(name string) (profile.Profile, error) { return profile.Get(name, "") }
	}

	work := make(chan *chunk, jobs)
	ordered := make(chan *chunk, 2*jobs+2)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(work)
		defer close(ordered)
		readErr = readChunks(r, func(c *chunk) bool {
			select {
			case ordered <- c:
			case <-stop:
				return false
			}
			work <- c
			return true
		})
	}()
	for range jobs {
		go func() {
			wk := newWorker(o)
			for c := range work {
				wk.process(c)
				close(c.done)
			}
		}()
	}

	total := newCounts()
	var progress Progress
	var writeErr error
	for c := range ordered {
		<-c.done
		total.merge(c.counts)
		if writeErr == nil && c.out.Len() > 0 {
			if _, err := w.Write(c.out.Bytes()); err != nil {
				writeErr = err
				close(stop)
			}
		}
		if o.Progress != nil {
			progress.Items = total.items
			progress.Bytes = c.bytes
			o.Progress(progress)
		}
	}
	if writeErr != nil {
		return nil, fmt.Errorf("cannot write the output: %w", writeErr)
	}
	if readErr != nil {
		return nil, readErr
	}
	return total.totals(), nil
}

// readChunks splits r into lines, capped at MaxLineBytes, and hands them
// out in chunks. emit returns false to stop reading.
func readChunks(r io.Reader, emit func(*chunk) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	var read int64
	num := 0
	c := newChunk()
	for {
		data, tooLong, err := nextLine(br, &long, &read)
		if err != nil && err != io.EOF {
			return fmt.Errorf("cannot read the input: %w", err)
		}
		if data != nil || tooLong {
			num++
			if tooLong {
				c.lines = append(c.lines, line{num: num, tooLong: true})
			} else if len(bytes.TrimSpace(data)) > 0 {
				start := len(c.buf)
				c.buf = append(c.buf, data...)
				c.lines = append(c.lines, line{num: num, start: start, end: len(c.buf)})
			}
		}
		if len(c.lines) >= chunkLines || len(c.buf) >= chunkBytes || (err == io.EOF && len(c.lines) > 0) {
			c.bytes = read
			if !emit(c) {
				return nil
			}
			c = newChunk()
		}
		if err == io.EOF {
			return nil
		}
	}
}

func newChunk() *chunk {
	return &chunk{buf: make([]byte, 0, 4096), lines: make([]line, 0, chunkLines), done: make(chan struct{})}
}

// nextLine returns the next line without its line ending; data is nil at
// the end of input. A line longer than MaxLineBytes is skipped and reported
// as tooLong. long is scratch space reused across calls.
func nextLine(br *bufio.Reader, long *[]byte, read *int64) (data []byte, tooLong bool, err error) {
	*long = (*long)[:0]
	accumulated := false
	for {
		frag, ferr := br.ReadSlice('\n')
		*read += int64(len(frag))
		if ferr == bufio.ErrBufferFull {
			if !tooLong {
				if len(*long)+len(frag) > MaxLineBytes+2 {
					tooLong = true
					*long = (*long)[:0]
				} else {
					*long = append(*long, frag...)
					accumulated = true
				}
			}
			continue
		}
		if ferr != nil && ferr != io.EOF {
			return nil, false, ferr
		}
		if tooLong {
			return nil, true, ferr
		}
		if accumulated {
			*long = append(*long, frag...)
			frag = *long
		}
		if len(frag) == 0 && ferr == io.EOF {
			return nil, false, io.EOF
		}
		frag = bytes.TrimSuffix(frag, []byte("\n"))
		frag = bytes.TrimSuffix(frag, []byte("\r"))
		if len(frag) > MaxLineBytes {
			return nil, true, ferr
		}
		if frag == nil {
			frag = []byte{}
		}
		return frag, false, ferr
	}
}

type worker struct {
	o        Options
	profiles map[string]profile.Profile
	enc      *json.Encoder
}

func newWorker(o Options) *worker {
	return &worker{o: o, profiles: map[string]profile.Profile{}}
}

func (wk *worker) process(c *chunk) {
	c.counts = newCounts()
	if !wk.o.Summary {
		wk.enc = json.NewEncoder(&c.out)
	}
	for _, ln := range c.lines {
		var item any
		if ln.tooLong {
			item = wk.bad(c.counts, ln.num, fmt.Sprintf("line is longer than %d MiB", MaxLineBytes>>20))
		} else {
			item = wk.lintLine(c.counts, ln.num, c.buf[ln.start:ln.end])
		}
		if !wk.o.Summary {
			// Encoding into a bytes.Buffer cannot fail for these types.
			_ = wk.enc.Encode(item)
		}
	}
	c.buf = nil
}

func (wk *worker) bad(c *counts, num int, msg string) *ErrorItem {
	c.items++
	c.failed++
	c.bad++
	c.lineErrs[msg]++
	return &ErrorItem{Line: num, Error: msg}
}

func (wk *worker) lintLine(c *counts, num int, data []byte) any {
	src, err := parseLine(data)
	if err != nil {
		return wk.bad(c, num, err.Error())
	}
	in := lint.Input{Token: src.Token, Profile: wk.o.Profile, ClientID: wk.o.ClientID, Now: wk.o.Now,
		Keys: wk.o.Keys, SingleKey: wk.o.SingleKey}
	if src.ClientID != "" {
		in.ClientID = src.ClientID
	}
	if src.Now != "" {
		if in.Now, err = parseTime(src.Now); err != nil {
			return wk.bad(c, num, err.Error())
		}
	}
	if src.Profile != "" {
		if in.Profile, err = wk.profile(src.Profile); err != nil {
			return wk.bad(c, num, fmt.Sprintf("unknown profile %q", src.Profile))
		}
	}
	rep := lint.Lint(in)

	c.items++
	if rep.Fails(wk.o.FailOn) {
		c.failed++
	}
	if !rep.Predicted.Certain {
		c.uncertain++
	}
	p := rep.Predicted
	c.responses[responseKey{status: p.Status, err: p.Error, descr: p.ErrorDescription}]++
	for _, f := range rep.Findings {
		c.rules[ruleKey{f.Rule, f.Severity}]++
	}
	if wk.o.Summary {
		return nil
	}
	return &Item{Line: num, Profile: rep.Profile, Now: rep.Now, ClientID: rep.ClientID, Predicted: rep.Predicted,
		Findings: rep.Findings, Summary: rep.Summary, Notes: append(src.Notes, rep.Notes...)}
}

func (wk *worker) profile(name string) (profile.Profile, error) {
	if p, ok := wk.profiles[name]; ok {
		return p, nil
	}
	p, err := wk.o.LookupProfile(name)
	if err != nil {
		return profile.Profile{}, errors.New("unknown profile")
	}
	wk.profiles[name] = p
	return p, nil
}
