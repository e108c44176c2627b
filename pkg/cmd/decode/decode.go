// Package decode implements "clientassert decode".
package decode

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/inspect"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

type DecodeOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Args    []string
	Profile string
	Now     string
	Format  string
}

func NewCmdDecode(f *cmdutil.Factory, runF func(*DecodeOptions) error) *cobra.Command {
	opts := &DecodeOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "decode [<token> | -] [flags]",
		Short: "Show what is inside a token, without verifying it",
		Long: strings.TrimSpace(`
Print the header and claims of a client assertion as JSON, every time claim in
UTC and relative to now, a timeline of iat, nbf and exp against the window the
server accepts, and the alg and signature length.

decode never verifies the signature; use lint with --jwks or --key for that.
It decodes as much of a malformed token as it can and points at the broken
part and offset.`),
		Example: `  $ clientassert decode "$TOKEN"
  $ clientassert decode - --now 2026-11-27T12:00:00Z < token.txt
  $ clientassert decode "$TOKEN" --format json | jq .claims`,
		Args: cmdutil.MaxOneArg("token"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if err := cmdutil.CheckEnum("--format", opts.Format, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return decodeRun(opts)
		},
	}
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile for the accepted window")
	cmd.Flags().StringVar(&opts.Now, "now", "", "Show times relative to this moment: RFC 3339 or Unix seconds")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	return cmd
}

func decodeRun(opts *DecodeOptions) error {
	prof, err := cmdutil.Profile(opts.Profile, "")
	if err != nil {
		return err
	}
	now, err := cmdutil.Now(opts.Factory, opts.Now)
	if err != nil {
		return err
	}
	tok, notes, err := cmdutil.ReadToken(opts.Factory, opts.Args)
	if err != nil {
		return err
	}
	in := inspect.Inspect(tok, now, prof)
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(in); err != nil {
			return err
		}
	} else {
		printInspection(opts.IO.Out, opts.IO.ColorScheme(), tok, notes, in)
	}
	if in.Segments != 3 || in.Header == nil || in.Claims == nil {
		return &cmdutil.FindingsError{Summary: "the token could not be fully decoded"}
	}
	return nil
}

func printInspection(w io.Writer, cs *iostreams.ColorScheme, tok string, notes []string, in *inspect.Inspection) {
	for _, n := range notes {
		fmt.Fprintf(w, "%s %s\n", cs.Gray("note:"), n)
	}
	if in.Segments != 3 {
		fmt.Fprintf(w, "%s the token has %d part(s); a signed JWT has 3 (header.payload.signature)\n", cs.Red("broken:"), in.Segments)
		if in.Segments == 5 {
			fmt.Fprintln(w, "  5 parts is an encrypted JWT (JWE); a client assertion must be signed, not encrypted")
		}
		return
	}
	for _, e := range in.Errors {
		fmt.Fprintf(w, "%s %s\n", cs.Red("broken:"), e.Error())
		fmt.Fprint(w, pointAt(tok, e.Offset))
	}
	section(w, cs, "Header", in.Header)
	section(w, cs, "Claims", in.Claims)
	for _, d := range in.Duplicates {
		fmt.Fprintf(w, "%s %s appears more than once; the server keeps the last value\n", cs.Yellow("duplicate:"), d)
	}
	if len(in.Redacted) > 0 {
		fmt.Fprintf(w, "%s the token carries a private key (%s, shown as <redacted>): treat the key as leaked and rotate it\n",
			cs.Red("leaked:"), strings.Join(in.Redacted, ", "))
	}

	fmt.Fprintf(w, "\n%s\n", cs.Bold("Signature"))
	alg := in.Alg
	if alg == "" {
		alg = "(none)"
	}
	fmt.Fprintf(w, "  alg %s, %d bytes, %s\n", alg, in.SignatureBytes, cs.Yellow("not verified (decode never verifies; use lint --jwks)"))

	fmt.Fprintf(w, "\n%s (now %s)\n", cs.Bold("Times"), in.Now.Format(time.RFC3339))
	if len(in.Times) == 0 {
		fmt.Fprintln(w, "  no numeric iat, nbf or exp")
	}
	for _, t := range in.Times {
		utc := "out of range"
		if !t.UTC.IsZero() {
			utc = t.UTC.Format(time.RFC3339Nano)
		}
		line := fmt.Sprintf("  %-3s %-14s %s  %s", t.Claim, fmtNum(t.Value), utc, t.Relative)
		if t.Note != "" {
			line += "  " + cs.Yellow("("+t.Note+")")
		}
		fmt.Fprintln(w, line)
	}
	if len(in.Times) > 0 && in.IatWindow != nil {
		fmt.Fprintln(w)
		fmt.Fprint(w, Timeline(in, 64))
	}
}

func section(w io.Writer, cs *iostreams.ColorScheme, title string, body json.RawMessage) {
	fmt.Fprintf(w, "\n%s\n", cs.Bold(title))
	if body == nil {
		fmt.Fprintln(w, "  (could not be decoded)")
		return
	}
	for _, line := range strings.Split(string(body), "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

// pointAt shows up to 60 characters of the token around offset with a caret.
func pointAt(tok string, offset int) string {
	start := max(0, offset-30)
	end := min(len(tok), offset+30)
	prefix, suffix := "", ""
	if start > 0 {
		prefix = "..."
	}
	if end < len(tok) {
		suffix = "..."
	}
	return fmt.Sprintf("  %s%s%s\n  %s^ offset %d\n", prefix, tok[start:end], suffix, strings.Repeat(" ", len(prefix)+offset-start), offset)
}

func fmtNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// Timeline draws iat, nbf and exp against now and the window in which the
// server accepts iat, one column per equal slice of time.
func Timeline(in *inspect.Inspection, width int) string {
	now := float64(in.Now.Unix())
	winLo := float64(in.IatWindow.From.Unix())
	winHi := float64(in.IatWindow.To.Unix())
	lo, hi := winLo, winHi
	for _, t := range in.Times {
		lo = min(lo, seconds(t))
		hi = max(hi, seconds(t))
	}
	// Keep far-away points from squeezing the window into one column.
	span := winHi - winLo
	lo = max(lo, winLo-4*span)
	hi = min(hi, winHi+4*span)
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	col := func(v float64) int {
		c := int((v - lo) / (hi - lo) * float64(width-1))
		return max(0, min(width-1, c))
	}
	line := []byte(strings.Repeat("-", width))
	for c := col(winLo); c <= col(winHi); c++ {
		line[c] = '='
	}
	line[col(winLo)] = '['
	line[col(winHi)] = ']'
	line[col(now)] = '|'
	marks := map[string]byte{"iat": 'I', "nbf": 'N', "exp": 'E'}
	var legend []string
	for _, t := range in.Times {
		m := marks[t.Claim]
		v := seconds(t)
		c := col(v)
		edge := ""
		if v < lo {
			c, edge = 0, " (off the left edge)"
		} else if v > hi {
			c, edge = width-1, " (off the right edge)"
		}
		if t.Note != "" {
			edge += " (" + t.Note + ")"
		}
		line[c] = m
		legend = append(legend, fmt.Sprintf("  %c %s %s%s", m, t.Claim, t.Relative, edge))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  timeline, one column = %s\n", (time.Duration((hi - lo) / float64(width) * float64(time.Second))).Round(time.Second))
	fmt.Fprintf(&b, "  %s\n", line)
	for _, l := range legend {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "  | now\n  [=] iat accepted from %s to %s\n", in.IatWindow.From.Format("15:04:05"), in.IatWindow.To.Format("15:04:05Z"))
	return b.String()
}

// seconds is where a time claim sits on the timeline: its UTC reading, which
// for a millisecond value is the moment it was probably meant to be.
func seconds(t inspect.Time) float64 {
	return float64(t.UTC.UnixNano()) / 1e9
}
