package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/batch"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
	lintpkg "github.com/clientassert/clientassert/pkg/lint"
)

func addBatchFlags(cmd *cobra.Command, opts *LintOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&opts.Batch, "batch", false, "Lint one item per line of the file argument (- or none for stdin): tokens, JSON items or log lines")
	fl.BoolVar(&opts.Summary, "summary", false, "With --batch, print counts per predicted response and per rule instead of one object per line")
	fl.IntVar(&opts.Jobs, "jobs", 0, "With --batch, lint on this many workers (default: the number of CPUs)")
}

func checkBatchFlags(cmd *cobra.Command, opts *LintOptions) error {
	if !opts.Batch {
		for _, name := range []string{"summary", "jobs"} {
			if cmd.Flags().Changed(name) {
				return cmdutil.Errorf("--%s needs --batch", name)
			}
		}
		return nil
	}
	if opts.RequestPath != "" {
		return cmdutil.Errorf("--batch and --request cannot be used together").WithHint("a batch holds one token per line; give the requests' tokens or form bodies as lines")
	}
	if opts.Jobs < 0 {
		return cmdutil.Errorf("invalid --jobs %d", opts.Jobs).WithHint("give a positive number of workers")
	}
	return nil
}

// batchGCPercent is the collector's target for a batch run (GOGC=200).
const batchGCPercent = 200

// batchRun lints a file (or stdin) of items; the key set and profile are
// read once for the whole run.
func batchRun(opts *LintOptions) error {
	f := opts.Factory
	ios := opts.IO
	prof, err := cmdutil.Profile(opts.Profile, opts.Aud)
	if err != nil {
		return err
	}
	prof.Issuer = opts.Issuer
	now, err := cmdutil.Now(f, opts.Now)
	if err != nil {
		return err
	}
	bo := batch.Options{Now: now, ClientID: opts.ClientID, Profile: prof, Jobs: opts.Jobs,
		Summary: opts.Summary, FailOn: lintpkg.Severity(opts.FailOn)}
	if opts.JWKSPath != "" {
		var notes []string
		if bo.Keys, notes, err = loadKeySet(f, opts.JWKSPath, opts.CACert); err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
		}
	}
	if opts.KeyPath != "" {
		if bo.Keys, err = cmdutil.LoadKeys(f, opts.KeyPath, "--key", opts.Passphrase); err != nil {
			return err
		}
		bo.SingleKey = len(bo.Keys.Keys) == 1
	}

	var in io.Reader = ios.In
	var progress *progressLine
	path := "-"
	if len(opts.Args) > 0 {
		path = opts.Args[0]
	}
	if path == "-" {
		if ios.IsStdinTTY() {
			return cmdutil.Errorf("no batch given").WithHint("pass a file, or pipe the lines on stdin")
		}
	} else {
		file, err := os.Open(path)
		if err != nil {
			return cmdutil.Errorf("cannot read batch %s: %s", path, cmdutil.Normalize(pathErr(err)))
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			return cmdutil.Errorf("cannot read batch %s: %s", path, cmdutil.Normalize(pathErr(err)))
		}
		if st.IsDir() {
			return cmdutil.Errorf("cannot read batch %s: is a directory", path)
		}
		in = file
		// Items written to the same terminal show the progress themselves.
		if ios.IsStderrTTY() && st.Mode().IsRegular() && (opts.Summary || !ios.IsStdoutTTY()) {
			progress = newProgressLine(ios.ErrOut, st.Size(), f.Now)
			bo.Progress = progress.update
		}
	}

	// Verifying a signature allocates about 10 KB, and with the few live
	// megabytes of a batch the collector would run every few hundred
	// tokens, each time handing memory back to the system that the next
	// tokens take again. A doubled heap goal cuts a keyed batch's time by
	// about a fifth and keeps peak RSS near 20 MB. GOGC, when set, wins.
	if f.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(batchGCPercent))
	}
	totals, err := batch.Run(in, ios.Out, bo)
	if progress != nil {
		progress.clear()
	}
	if err != nil {
		return cmdutil.Errorf("%s", cmdutil.Normalize(err.Error()))
	}
	if opts.Summary {
		if ios.IsStdoutTTY() && opts.Format != "json" {
			printTotals(ios.Out, ios.ColorScheme(), totals)
		} else {
			enc := json.NewEncoder(ios.Out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(totals); err != nil {
				return err
			}
		}
	}
	if totals.AnyFailed() {
		return cmdutil.ErrSilentFindings
	}
	return nil
}

func pathErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// printTotals is the --summary table for people.
func printTotals(w io.Writer, cs *iostreams.ColorScheme, t *batch.Totals) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d items, %d failed, %d could not be linted", cs.Bold("batch"), t.Items, t.Failed, t.BadLines)
	if t.Uncertain > 0 {
		fmt.Fprintf(&b, ", %d uncertain without key material", t.Uncertain)
	}
	b.WriteString("\n\n")
	b.WriteString(cs.Bold("Predicted responses") + "\n")
	for _, r := range t.Responses {
		if r.Status == 200 {
			fmt.Fprintf(&b, "  %8d  %s\n", r.Count, cs.Green("200 OK"))
			continue
		}
		fmt.Fprintf(&b, "  %8d  %s %s\n", r.Count, cs.Red(fmt.Sprintf("%d %s", r.Status, r.Error)), quote(r.ErrorDescription))
	}
	if len(t.Rules) > 0 {
		b.WriteString("\n" + cs.Bold("Findings by rule") + "\n")
		for _, r := range t.Rules {
			fmt.Fprintf(&b, "  %8d  %-7s  %s\n", r.Count, cs.Severity(string(r.Severity)), r.Rule)
		}
	}
	if len(t.LineErrs) > 0 {
		b.WriteString("\n" + cs.Bold("Lines not linted") + "\n")
		for _, e := range t.LineErrs {
			fmt.Fprintf(&b, "  %8d  %s\n", e.Count, e.Error)
		}
	}
	io.WriteString(w, b.String())
}

// progressLine redraws one stderr line with items done, rate and ETA, at
// most a few times a second.
type progressLine struct {
	w     io.Writer
	size  int64
	now   func() time.Time
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressLine(w io.Writer, size int64, now func() time.Time) *progressLine {
	t := now()
	return &progressLine{w: w, size: size, now: now, start: t, last: t}
}

func (p *progressLine) update(pr batch.Progress) {
	t := p.now()
	if t.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = t
	elapsed := t.Sub(p.start).Seconds()
	rate := float64(pr.Items) / elapsed
	eta := "?"
	if pr.Bytes > 0 && p.size > pr.Bytes {
		left := elapsed * float64(p.size-pr.Bytes) / float64(pr.Bytes)
		eta = (time.Duration(left) * time.Second).String()
	} else if p.size <= pr.Bytes {
		eta = "0s"
	}
	fmt.Fprintf(p.w, "\r\033[K%d items, %.0f/s, ETA %s", pr.Items, rate, eta)
	p.drawn = true
}

func (p *progressLine) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
