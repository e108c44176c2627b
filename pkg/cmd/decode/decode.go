// Package decode implements "clientassert decode".
package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

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
	Local   bool
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

An exp the server would refuse now is marked EXPIRED, an nbf it would refuse
NOT YET VALID (both within the profile's clock tolerance). Times are shown in
UTC, or with --local in the local time zone (the JSON stays in UTC). On a
terminal the JSON is coloured.

decode never verifies the signature; use lint with --jwks or --key for that.
It decodes as much of a malformed token as it can and points at the broken
part and offset.

Exit status: 0 when the token decodes (three parts, the header and the claims
JSON objects), 2 when it cannot be decoded or read. An expired token still
decodes: decode never judges a token; lint does.`),
		Example: `  $ clientassert decode "$TOKEN"
  $ clientassert decode - --now 2026-11-27T12:00:00Z < token.txt
  $ clientassert decode "$TOKEN" --local
  $ clientassert decode "$TOKEN" --format json | jq .claims`,
		Args: cmdutil.MaxOneArg("token"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return decodeRun(opts)
		},
	}
	cmdutil.ProfileFlag(cmd, &opts.Profile, "Server profile for the accepted window")
	cmd.Flags().StringVar(&opts.Now, "now", "", "Show times relative to this moment: RFC 3339 or Unix seconds")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	cmd.Flags().BoolVar(&opts.Local, "local", false, "Show times in the local time zone instead of UTC (text output)")
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
	cs := opts.IO.ColorScheme()
	if opts.Format == "json" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(in); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.Out, cs.JSON(strings.TrimSuffix(buf.String(), "\n")))
	} else {
		loc := time.UTC
		if opts.Local {
			loc = time.Local
		}
		printInspection(iostreams.TerminalText(opts.IO.Out), cs, tok, notes, in, loc)
	}
	if !in.Decoded {
		return cmdutil.Errorf("the token could not be decoded: %s", whyNotDecoded(in)).
			WithHint("a client assertion is header.payload.signature, each part base64url, the first two JSON objects")
	}
	return nil
}

// whyNotDecoded names the first part that stops the token decoding.
func whyNotDecoded(in *inspect.Inspection) string {
	if in.Segments != 3 {
		return fmt.Sprintf("it has %d part(s), not 3", in.Segments)
	}
	var what []string
	for _, seg := range []struct {
		name string
		body json.RawMessage
	}{{"header", in.Header}, {"claims", in.Claims}} {
		if len(seg.body) == 0 || seg.body[0] != '{' {
			what = append(what, "the "+seg.name)
		}
	}
	return strings.Join(what, " and ") + " is not a JSON object"
}

// clock formats times of day alike in one line: "11:54:50Z", or with the
// zone's offset in local time.
const clock = "15:04:05Z07:00"

func printInspection(w io.Writer, cs *iostreams.ColorScheme, tok string, notes []string, in *inspect.Inspection, loc *time.Location) {
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
	for _, t := range in.Times {
		switch t.Status {
		case inspect.StatusExpired:
			fmt.Fprintf(w, "%s exp was %s\n", cs.Red(cs.Bold("EXPIRED")), t.Relative)
		case inspect.StatusNotYetValid:
			fmt.Fprintf(w, "%s nbf is %s\n", cs.Red(cs.Bold("NOT YET VALID")), t.Relative)
		}
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

	fmt.Fprintf(w, "\n%s (now %s)\n", cs.Bold("Times"), in.Now.In(loc).Format(time.RFC3339))
	if len(in.Times) == 0 {
		fmt.Fprintln(w, "  no numeric iat, nbf or exp")
	}
	for _, t := range in.Times {
		utc := "out of range"
		if !t.UTC.IsZero() {
			utc = t.UTC.In(loc).Format(time.RFC3339Nano)
		}
		line := fmt.Sprintf("  %-3s %-14s %s  %s", t.Claim, fmtNum(t.Value), utc, t.Relative)
		switch t.Status {
		case inspect.StatusExpired:
			line += "  " + cs.Red(cs.Bold("EXPIRED"))
		case inspect.StatusNotYetValid:
			line += "  " + cs.Red(cs.Bold("NOT YET VALID"))
		}
		if t.Note != "" {
			line += "  " + cs.Yellow("("+t.Note+")")
		}
		fmt.Fprintln(w, line)
	}
	if len(in.Times) > 0 && in.IatWindow != nil {
		fmt.Fprintln(w)
		fmt.Fprint(w, Timeline(in, 64, loc))
	}
}

func section(w io.Writer, cs *iostreams.ColorScheme, title string, body json.RawMessage) {
	fmt.Fprintf(w, "\n%s\n", cs.Bold(title))
	if body == nil {
		fmt.Fprintln(w, "  (could not be decoded)")
		return
	}
	for _, line := range strings.Split(cs.JSON(string(body)), "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

// pointAt shows up to 60 bytes of the token around offset with a caret.
// Control characters are shown as one visible character each, and the caret
// is placed by display column, so a newline or a multi-byte character in the
// token cannot push it off the byte it points at.
func pointAt(tok string, offset int) string {
	start := max(0, offset-30)
	end := min(len(tok), offset+30)
	for start > 0 && !utf8.RuneStart(tok[start]) {
		start--
	}
	for end < len(tok) && !utf8.RuneStart(tok[end]) {
		end++
	}
	prefix, suffix := "", ""
	if start > 0 {
		prefix = "..."
	}
	if end < len(tok) {
		suffix = "..."
	}
	shown := visible(tok[start:end])
	column := len(prefix) + utf8.RuneCountInString(visible(tok[start:min(end, max(start, offset))]))
	return fmt.Sprintf("  %s%s%s\n  %s^ offset %d\n", prefix, shown, suffix, strings.Repeat(" ", column), offset)
}

// visible replaces each control character with a printable one of the same
// width: the Unicode control pictures (a newline is shown as ␊).
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return 0x2421
		case r == utf8.RuneError:
			return '?'
		}
		return r
	}, s)
}

func fmtNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// Timeline draws iat, nbf and exp against now and the window in which the
// server accepts iat, one column per equal slice of time.
func Timeline(in *inspect.Inspection, width int, loc *time.Location) string {
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
	fmt.Fprintf(&b, "  | now\n  [=] iat accepted from %s to %s\n", in.IatWindow.From.In(loc).Format(clock), in.IatWindow.To.In(loc).Format(clock))
	return b.String()
}

// seconds is where a time claim sits on the timeline: its UTC reading, which
// for a millisecond value is the moment it was probably meant to be.
func seconds(t inspect.Time) float64 {
	return float64(t.UTC.UnixNano()) / 1e9
}
