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
	"sync"
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
	// Jobs is the number of workers; zero or less means one per CPU the
	// process may use (GOMAXPROCS, which follows CPU quotas).
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

const (
	// groupLines is how many items go into one chunk, one write and one
	// progress call.
	groupLines = 64
	// chunkBytes also ends a chunk, so that long lines do not pile up.
	chunkBytes = 64 << 10
)

var tooLongMsg = fmt.Sprintf("line is longer than %d MiB", MaxLineBytes>>20)

// Run lints every line of r and, unless Summary is set, writes one JSON
// object per item to w in input order. Blank lines are skipped. It returns
// the totals; an error means the run could not go on (unreadable input,
// failed write), not that an item failed.
func Run(r io.Reader, w io.Writer, o Options) (*Totals, error) {
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if o.FailOn == "" {
		o.FailOn = lint.SeverityError
	}
	if o.LookupProfile == nil {
		o.LookupProfile = func(name string) (profile.Profile, error) { return profile.Get(name, "") }
	}
	if jobs == 1 {
		return runSerial(r, w, o)
	}
	return runParallel(r, w, o, jobs)
}

// runSerial is one worker: each line is linted straight out of the read
// buffer, with no chunks, goroutines or channels in between.
func runSerial(r io.Reader, w io.Writer, o Options) (*Totals, error) {
	lr := newLineReader(r)
	wk := newWorker(o)
	var out bytes.Buffer
	wk.dst.buf = &out
	pending := 0
	for {
		data, tooLong, err := lr.next()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == nil {
			wk.item(lr.num, data, tooLong)
			pending++
		}
		if pending >= groupLines || out.Len() >= chunkBytes || (err == io.EOF && pending > 0) {
			if out.Len() > 0 {
				if _, werr := w.Write(out.Bytes()); werr != nil {
					return nil, fmt.Errorf("cannot write the output: %w", werr)
				}
				out.Reset()
			}
			if o.Progress != nil {
				o.Progress(Progress{Items: wk.counts.items, Bytes: lr.read})
			}
			pending = 0
		}
		if err == io.EOF {
			return wk.counts.totals(), nil
		}
	}
}

// A chunk is a run of consecutive lines handed to one worker, so that the
// hand-off costs are paid per chunk rather than per token. Chunks are
// recycled once written.
type chunk struct {
	buf   []byte
	lines []line
	bytes int64 // input bytes read up to the end of this chunk
	out   bytes.Buffer
	done  chan struct{}
}

type line struct {
	num        int
	start, end int
	tooLong    bool
}

func newChunk() *chunk {
	return &chunk{buf: make([]byte, 0, 16<<10), lines: make([]line, 0, groupLines), done: make(chan struct{}, 1)}
}

// runParallel reads chunks on one goroutine, lints them on jobs workers and
// writes them back in input order. Each worker keeps its own counts; they
// are added up at the end.
func runParallel(r io.Reader, w io.Writer, o Options, jobs int) (*Totals, error) {
	work := make(chan *chunk, jobs)
	ordered := make(chan *chunk, 2*jobs+2)
	free := make(chan *chunk, 3*jobs+4)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(work)
		defer close(ordered)
		readErr = readChunks(r, free, func(c *chunk) bool {
			select {
			case ordered <- c:
			case <-stop:
				return false
			}
			work <- c
			return true
		})
	}()
	workers := make([]*worker, jobs)
	var wg sync.WaitGroup
	for i := range workers {
		wk := newWorker(o)
		workers[i] = wk
		wg.Go(func() {
			for c := range work {
				wk.process(c)
				c.done <- struct{}{}
			}
		})
	}

	var progress Progress
	var writeErr error
	for c := range ordered {
		<-c.done
		progress.Items += len(c.lines)
		if writeErr == nil && c.out.Len() > 0 {
			if _, err := w.Write(c.out.Bytes()); err != nil {
				writeErr = err
				close(stop)
			}
		}
		if o.Progress != nil {
			progress.Bytes = c.bytes
			o.Progress(progress)
		}
		recycle(free, c)
	}
	wg.Wait()
	if writeErr != nil {
		return nil, fmt.Errorf("cannot write the output: %w", writeErr)
	}
	if readErr != nil {
		return nil, readErr
	}
	total := newCounts()
	for _, wk := range workers {
		total.merge(wk.counts)
	}
	return total.totals(), nil
}

func recycle(free chan *chunk, c *chunk) {
	if cap(c.buf) > 2*chunkBytes {
		// grown by a long line: let it go rather than hold it for the run
		return
	}
	c.buf, c.lines = c.buf[:0], c.lines[:0]
	c.out.Reset()
	select {
	case free <- c:
	default:
	}
}

// readChunks splits r into lines and hands them out in chunks. emit
// returns false to stop reading.
func readChunks(r io.Reader, free chan *chunk, emit func(*chunk) bool) error {
	lr := newLineReader(r)
	get := func() *chunk {
		select {
		case c := <-free:
			return c
		default:
			return newChunk()
		}
	}
	c := get()
	for {
		data, tooLong, err := lr.next()
		if err != nil && err != io.EOF {
			return err
		}
		if err == nil {
			if tooLong {
				c.lines = append(c.lines, line{num: lr.num, tooLong: true})
			} else {
				start := len(c.buf)
				c.buf = append(c.buf, data...)
				c.lines = append(c.lines, line{num: lr.num, start: start, end: len(c.buf)})
			}
		}
		if len(c.lines) >= groupLines || len(c.buf) >= chunkBytes || (err == io.EOF && len(c.lines) > 0) {
			c.bytes = lr.read
			if !emit(c) {
				return nil
			}
			c = get()
		}
		if err == io.EOF {
			return nil
		}
	}
}

// lineReader hands out the input's non-blank lines, capped at MaxLineBytes,
// numbered as in the file.
type lineReader struct {
	br   *bufio.Reader
	long []byte // scratch for a line longer than br's buffer
	read int64  // input bytes consumed
	num  int    // number of the line last returned
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next non-blank line, valid until the following call, or
// tooLong for a line over the cap; io.EOF at the end of input.
func (lr *lineReader) next() (data []byte, tooLong bool, err error) {
	for {
		data, tooLong, err := nextLine(lr.br, &lr.long, &lr.read)
		if err != nil && err != io.EOF {
			return nil, false, fmt.Errorf("cannot read the input: %w", err)
		}
		if data != nil || tooLong {
			lr.num++
			if tooLong || len(bytes.TrimSpace(data)) > 0 {
				return data, tooLong, nil
			}
		}
		if err == io.EOF {
			return nil, false, io.EOF
		}
	}
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

// bufferTarget lets one encoder write into whichever buffer the worker is
// filling.
type bufferTarget struct{ buf *bytes.Buffer }

func (t *bufferTarget) Write(p []byte) (int, error) { return t.buf.Write(p) }

type worker struct {
	o        Options
	counts   *counts
	profiles map[string]profile.Profile
	dst      *bufferTarget
	enc      *json.Encoder
}

func newWorker(o Options) *worker {
	wk := &worker{o: o, counts: newCounts(), profiles: map[string]profile.Profile{}, dst: &bufferTarget{}}
	if !o.Summary {
		wk.enc = json.NewEncoder(wk.dst)
	}
	return wk
}

func (wk *worker) process(c *chunk) {
	wk.dst.buf = &c.out
	for _, ln := range c.lines {
		wk.item(ln.num, c.buf[ln.start:ln.end], ln.tooLong)
	}
}

// item lints one line and, unless only the summary is wanted, writes its
// object to the worker's current buffer.
func (wk *worker) item(num int, data []byte, tooLong bool) {
	var item any
	if tooLong {
		item = wk.bad(num, tooLongMsg)
	} else {
		item = wk.lintLine(num, data)
	}
	if !wk.o.Summary {
		// Encoding into a bytes.Buffer cannot fail for these types.
		_ = wk.enc.Encode(item)
	}
}

func (wk *worker) bad(num int, msg string) any {
	c := wk.counts
	c.items++
	c.failed++
	c.bad++
	c.lineErrs[msg]++
	if wk.o.Summary {
		return nil
	}
	return &ErrorItem{Line: num, Error: msg}
}

func (wk *worker) lintLine(num int, data []byte) any {
	src, err := parseLine(data)
	if err != nil {
		return wk.bad(num, err.Error())
	}
	in := lint.Input{Token: src.Token, Profile: wk.o.Profile, ClientID: wk.o.ClientID, Now: wk.o.Now,
		Keys: wk.o.Keys, SingleKey: wk.o.SingleKey}
	if src.ClientID != "" {
		in.ClientID = src.ClientID
	}
	if src.Now != "" {
		if in.Now, err = parseTime(src.Now); err != nil {
			return wk.bad(num, err.Error())
		}
	}
	if src.Profile != "" {
		if in.Profile, err = wk.profile(src.Profile); err != nil {
			return wk.bad(num, fmt.Sprintf("unknown profile %q", src.Profile))
		}
	}
	rep := lint.Lint(in)

	c := wk.counts
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
