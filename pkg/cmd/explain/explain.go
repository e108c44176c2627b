// Package explain implements "clientassert explain".
package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	explainpkg "github.com/clientassert/clientassert/pkg/explain"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

type ExplainOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory

	Args   []string
	File   string
	List   bool
	Now    string
	Format string
}

func NewCmdExplain(f *cmdutil.Factory, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "explain [<text> | <file> | -] [flags]",
		Short: "Explain an error response from the token endpoint and how to fix it",
		Long: strings.TrimSpace(`
Take what the token endpoint answered and say what the server checked, what
most likely went wrong, how to fix it, and the clientassert lint command that
shows the problem locally.

The input is any of:
  - the error_description alone;
  - the JSON error body, {"error":...,"error_description":...};
  - a raw HTTP response: status line, headers and body;
  - a whole curl -i or curl -v transcript, command line included.

It comes from the argument, or from stdin when the argument is absent or "-".
An argument that names an existing file is read as that file; an argument
that is plainly a path (one word with a / or a file extension) but cannot be
read is an error; anything else is the text itself. --file always reads a
file, for scripts that must not guess. An empty file is an error: a blank
error_description is written '""'. A private key is never read as input.

The text is matched exactly, then case-insensitively (the documented forms
such as "Unexpected X claim value" included), then against the library's
message templates with the real claim name, then by similarity, for text
that was cut short or mistyped. When the input is an HTTP response, the
status code is shown and the Date header is compared with the iat of the
assertion the input holds (a curl command line with client_assertion=...):
a difference beyond the server's 10 s tolerance is the likely cause of iat
errors. Without an assertion, --now (the moment the response came back) is
compared instead; the moment explain runs never is. Long input is shortened
where it is repeated.

Exit status: 0 when the text is explained, 1 when no entry matches (the
nearest entries and general advice are printed), 2 when explain could not run.`),
		Example: `  # The error_description alone
  $ clientassert explain 'JWT header kid property is required'

  # A response saved to a file, as JSON
  $ clientassert explain --format json --file response.http

  # A curl transcript from the clipboard, against the moment it was received
  $ pbpaste | clientassert explain - --now 2026-11-27T12:00:00Z

  # Every error_description clientassert knows
  $ clientassert explain --list`,
		Args: cmdutil.MaxOneArg("error text"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if opts.List && (len(args) > 0 || opts.File != "") {
				return cmdutil.Errorf("--list takes no error text").WithHint("run 'clientassert explain --list' alone")
			}
			if opts.File != "" && len(args) > 0 {
				return cmdutil.Errorf("give either the error text or --file, not both")
			}
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.File, "file", "", "Read the response from `file` (- for stdin) instead of the argument")
	fl.BoolVar(&opts.List, "list", false, "Print every catalog entry and its error_description strings")
	fl.StringVar(&opts.Now, "now", "", "When the response came back, to compare with its Date header if the input holds no assertion: RFC 3339 or Unix seconds")
	cmdutil.EnumFlag(cmd, &opts.Format, "format", "text", "Output format", "text", "json")
	return cmd
}

func explainRun(opts *ExplainOptions) error {
	if opts.List {
		return printList(opts)
	}
	eo := explainpkg.Options{Now: opts.Factory.Now()}
	if opts.Now != "" {
		now, err := cmdutil.Now(opts.Factory, opts.Now)
		if err != nil {
			return err
		}
		eo.Now, eo.NowGiven = now, true
	}
	input, err := readInput(opts)
	if err != nil {
		return err
	}
	res := explainpkg.Explain(input, eo)

	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		PrintResult(opts.IO.Out, opts.IO.ColorScheme(), res)
	}
	if !res.Known {
		return cmdutil.ErrSilentFindings
	}
	return nil
}

// readInput returns the argument's text, the file it names, or stdin.
func readInput(opts *ExplainOptions) (string, error) {
	f := opts.Factory
	if opts.File != "" && opts.File != "-" {
		return readFile(f, opts.File)
	}
	if len(opts.Args) == 1 && opts.Args[0] != "-" {
		arg := opts.Args[0]
		if isFile(arg) || looksLikePath(arg) {
			return readFile(f, arg)
		}
		return arg, nil
	}
	data, err := cmdutil.ReadInput(f, "-", "error text")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(data)) == "" {
		return "", cmdutil.Errorf("no error text given: the input is empty").
			WithHint(`for a blank error_description, run clientassert explain '""'`)
	}
	return string(data), nil
}

// readFile reads a response file; an empty one is an error, not the blank
// error_description.
func readFile(f *cmdutil.Factory, path string) (string, error) {
	data, err := cmdutil.ReadInput(f, path, "response")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(data)) == "" {
		return "", cmdutil.Errorf("the response file %s is empty", path).
			WithHint(`for a blank error_description, run clientassert explain '""'`)
	}
	return string(data), nil
}

// pathExtension is a file extension at the end of one word.
var pathExtension = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.[A-Za-z][A-Za-z0-9]{0,4}$`) })

// looksLikePath reports whether arg is plainly meant as a file name: one
// word, not a URL or JSON, with a path separator or a file extension. No
// error_description has that shape, so such an argument that cannot be read
// is an error rather than text to explain.
func looksLikePath(arg string) bool {
	if arg == "" || len(arg) > 4096 || strings.ContainsAny(arg, " \t\r\n\x00\"'{}") {
		return false
	}
	l := strings.ToLower(arg)
	if strings.Contains(l, "://") || strings.HasPrefix(l, "eyj") {
		return false
	}
	return strings.ContainsAny(arg, `/\`) || pathExtension().MatchString(arg)
}

// isFile reports whether arg names an existing file or directory (so that a
// directory gets a clear error). Text with line breaks is never a path.
func isFile(arg string) bool {
	if arg == "" || len(arg) > 4096 || strings.ContainsAny(arg, "\n\x00") {
		return false
	}
	_, err := os.Stat(arg)
	return err == nil
}

// PrintResult writes the human report.
func PrintResult(w io.Writer, cs *iostreams.ColorScheme, r *explainpkg.Result) {
	in := r.Input
	if r.Status != 0 {
		line := fmt.Sprintf("HTTP %d", r.Status)
		if in.Error != "" {
			line += " " + in.Error
		}
		fmt.Fprintf(w, "%s %s\n", cs.Bold("response"), line)
	}
	if in.HasDescription || in.Error != "" {
		fmt.Fprintf(w, "%s %s\n", cs.Bold("error_description"), quote(in.ErrorDescription))
	}
	if c := r.Clock; c != nil {
		verdict := cs.Green(c.Verdict)
		if c.Verdict == explainpkg.BeyondTolerance {
			verdict = cs.Red(c.Verdict)
		}
		what := "--now"
		if c.LocalFrom == "iat" {
			what = "assertion iat"
		}
		fmt.Fprintf(w, "%s server Date %s, %s %s: %s\n      %s\n", cs.Bold("clock"),
			c.ServerDate.Format("2006-01-02T15:04:05Z07:00"), what, c.LocalTime.Format("2006-01-02T15:04:05Z07:00"), verdict, c.Message)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "%s %s\n", cs.Gray("note:"), n)
	}
	if r.Accepted {
		return
	}

	printServers(w, cs, r.Servers)
	if len(r.Matches) == 0 && len(r.Servers) > 0 {
		fmt.Fprintf(w, "\nRun the lint command with --profile set to that server to see which of its checks your assertion fails.\n")
		return
	}
	if !r.Known {
		fmt.Fprintf(w, "\n%s\n", cs.Red("No catalog entry matches this error."))
		if len(r.Nearest) > 0 {
			fmt.Fprintf(w, "\n%s\n", cs.Bold("Nearest entries"))
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			for _, m := range r.Nearest {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.ID, quote(m.ErrorDescription), cs.Gray(fmt.Sprintf("similarity %.2f", m.Score)))
			}
			tw.Flush()
		}
		fmt.Fprintf(w, "\n%s\n", cs.Bold("What to do"))
		for _, a := range r.Advice {
			fmt.Fprintf(w, "  - %s\n", a)
		}
		return
	}

	if len(r.Matches) > 1 {
		fmt.Fprintf(w, "\n%d entries match; the exact text the server sent tells them apart.\n", len(r.Matches))
	}
	for _, m := range r.Matches {
		printMatch(w, cs, m)
	}
}

func printMatch(w io.Writer, cs *iostreams.ColorScheme, m explainpkg.Match) {
	how := string(m.Match) + " match"
	switch {
	case m.Name != "":
		how += " for " + quote(m.Name)
	case m.Score > 0:
		how += fmt.Sprintf(", similarity %.2f", m.Score)
	}
	fmt.Fprintf(w, "\n%s %s\n", cs.Bold(cs.Cyan(m.ID)), cs.Gray(fmt.Sprintf("(%s; %s, %s stage)", how, m.Source, m.Stage)))
	fmt.Fprintf(w, "  server says: %s\n", quote(m.ErrorDescription))
	if m.Note != "" {
		fmt.Fprintf(w, "  %s %s\n", cs.Gray("note:"), m.Note)
	}
	fmt.Fprintf(w, "  %s %s\n", cs.Bold("What the server checked:"), m.Checked)
	fmt.Fprintf(w, "  %s\n", cs.Bold("Likely causes, most likely first:"))
	for i, c := range m.Causes {
		fmt.Fprintf(w, "    %d. %s\n", i+1, c)
	}
	fmt.Fprintf(w, "  %s\n", cs.Bold("Fix:"))
	for _, s := range m.FixSteps {
		fmt.Fprintf(w, "    - %s\n", s)
	}
	fmt.Fprintf(w, "  %s\n    $ %s\n", cs.Bold("Check it locally:"), m.LintCommand)
	if len(m.Rules) > 0 {
		fmt.Fprintf(w, "    %s\n", cs.Gray("lint rules: "+strings.Join(m.Rules, ", ")))
	}
	fmt.Fprintf(w, "  %s\n", cs.Gray("see "+m.Doc))
}

func printList(opts *ExplainOptions) error {
	entries := explainpkg.List()
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Entries []explainpkg.ListEntry `json:"entries"`
		}{entries})
	}
	cs := opts.IO.ColorScheme()
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\n", cs.Bold("ID"), cs.Bold("SOURCE"), cs.Bold("ERROR_DESCRIPTION"))
	for _, e := range entries {
		for i, d := range e.ErrorDescriptions {
			id, src := e.ID, string(e.Source)
			if i > 0 {
				id, src = "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", id, src, quote(d))
		}
	}
	return tw.Flush()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `\u0026`, "&")
}

// printServers names the server models that answer this way.
func printServers(w io.Writer, cs *iostreams.ColorScheme, servers []explainpkg.ServerAnswer) {
	if len(servers) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", cs.Bold("Sent by"))
	for _, s := range servers {
		how := fmt.Sprintf("%d %s", s.Status, s.Error)
		if s.Hidden {
			how = "in its logs, behind " + how
		}
		steps := strings.Join(s.Steps, ", ")
		if len(s.Steps) > 4 {
			steps = strings.Join(s.Steps[:4], ", ") + fmt.Sprintf(" and %d more", len(s.Steps)-4)
		}
		fmt.Fprintf(w, "  %s (%s): %s, from %s\n", cs.Bold(s.Profile), s.Title, how, steps)
	}
}
