package root_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// printedCommand is a "clientassert ..." command line the program can print:
// in a hint, a fix, a message or a help example.
type printedCommand struct {
	where string
	text  string // from "clientassert" on
}

// stringsIn returns every string the Go files under dir can print, with the
// parts only known at run time (variables, format verbs) left as X.
func stringsIn(t *testing.T, dir string) []printedCommand {
	t.Helper()
	var out []printedCommand
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch e := n.(type) {
			case *ast.BinaryExpr:
				if e.Op != token.ADD {
					return true
				}
				s, hasLiteral := concat(e)
				if hasLiteral {
					out = append(out, printedCommand{where: fset.Position(e.Pos()).String(), text: s})
				}
				return false
			case *ast.BasicLit:
				if s, ok := literal(e); ok {
					out = append(out, printedCommand{where: fset.Position(e.Pos()).String(), text: s})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func concat(e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		l, lok := concat(b.X)
		r, rok := concat(b.Y)
		return l + r, lok || rok
	}
	if s, ok := literal(e); ok {
		return s, true
	}
	return "X", false
}

var (
	invocation = regexp.MustCompile("['\"`]?clientassert [^\n]*")
	formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	proseWord  = regexp.MustCompile(`^[a-z][a-z]*$`)
	// placeholderAt matches a <placeholder> of the help's syntax, which is
	// an argument, not a redirection.
	placeholderAt = regexp.MustCompile(`^<[a-z][a-z0-9_.|-]*>`)
)

// shellWords splits a command line as a shell would, for the simple lines
// that hints hold: quotes group, and | < > ; end the command.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\\':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '<' && placeholderAt.MatchString(s[i:]):
			end := strings.IndexByte(s[i:], '>')
			cur.WriteString(s[i : i+end+1])
			inWord = true
			i += end
		case strings.IndexByte("|<>;`", c) >= 0:
			if inWord {
				words = append(words, cur.String())
			}
			return words
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// checkInvocation parses the command line after "clientassert" against the
// real tree: the subcommands must exist, every flag must be one the command
// has, and an enum flag's literal value must be one of its values. It stops
// at the first plain English word after the arguments (a hint's prose).
func checkInvocation(root *cobra.Command, line string) string {
	words := shellWords(formatVerb.ReplaceAllString(line, "X"))
	if len(words) < 2 {
		return ""
	}
	cmd := root
	i := 1
	for ; i < len(words); i++ {
		w := strings.TrimRight(words[i], ",.;:)")
		var next *cobra.Command
		for _, sub := range cmd.Commands() {
			if sub.Name() == w || sub.HasAlias(w) {
				next = sub
			}
		}
		if next == nil {
			break
		}
		cmd = next
		if w != words[i] {
			return ""
		}
	}
	hasFlag := false
	for j := i; j < len(words); j++ {
		hasFlag = hasFlag || strings.HasPrefix(words[j], "-") && len(words[j]) > 1
	}
	if cmd == root {
		if hasFlag && i < len(words) && proseWord.MatchString(words[i]) {
			return "no command " + strconv.Quote(words[i])
		}
		if !hasFlag {
			return "" // prose that names the program
		}
	}
	for ; i < len(words); i++ {
		w := words[i]
		trimmed := strings.TrimRight(w, ",.;:)")
		switch {
		case w == "-" || !strings.HasPrefix(w, "-"):
			if proseWord.MatchString(trimmed) && cmd.Name() != "completion" {
				return ""
			}
			if trimmed != w {
				return ""
			}
		default:
			name, value, hasValue := strings.Cut(strings.TrimLeft(trimmed, "-"), "=")
			var fl *pflag.Flag
			if strings.HasPrefix(w, "--") {
				fl = cmd.Flags().Lookup(name)
				if fl == nil {
					fl = cmd.InheritedFlags().Lookup(name)
				}
			} else if len(name) == 1 {
				fl = cmd.Flags().ShorthandLookup(name)
			}
			if fl == nil {
				return cmd.CommandPath() + " has no flag " + strings.TrimRight(w, ",.;:)")
			}
			if fl.Value.Type() != "bool" && !hasValue {
				if i+1 >= len(words) {
					return "flag " + w + " needs a value"
				}
				i++
				value = strings.TrimRight(words[i], ",.;:)")
			}
			if why := checkEnum(fl, value); why != "" {
				return why
			}
			if trimmed != w {
				return ""
			}
		}
	}
	return ""
}

var enumValues = regexp.MustCompile(`\{([A-Za-z0-9|.+-]+)\}$`)

func checkEnum(fl *pflag.Flag, value string) string {
	m := enumValues.FindStringSubmatch(fl.Usage)
	if m == nil || strings.ContainsAny(value, "X$<") || value == "..." {
		return ""
	}
	for _, v := range strings.Split(m[1], "|") {
		if v == value {
			return ""
		}
	}
	return "--" + fl.Name + " " + value + " is not one of " + m[1]
}

// TestPrintedCommandsParse checks every command line the program prints, in
// any package (hints, fixes, messages) and in every command's help examples,
// against the real command tree.
func TestPrintedCommandsParse(t *testing.T) {
	tree := commandTree(t)
	root := tree[0]
	var all []printedCommand
	for _, dir := range []string{"pkg", "internal", "cmd"} {
		all = append(all, stringsIn(t, filepath.Join(repoRoot(t), dir))...)
	}
	for _, c := range tree {
		for _, line := range strings.Split(strings.ReplaceAll(c.Example, "\\\n", " "), "\n") {
			all = append(all, printedCommand{where: c.CommandPath() + " --help", text: line})
		}
	}
	checked := 0
	for _, p := range all {
		for _, line := range invocation.FindAllString(p.text, -1) {
			for _, segment := range strings.Split(line, "| ") {
				segment = strings.TrimSpace(segment)
				if k := strings.Index(segment, "clientassert "); k >= 0 {
					cmdline := segment[k:]
					// A command quoted in prose ends at its closing quote.
					if k > 0 && strings.IndexByte("'\"`", segment[k-1]) >= 0 {
						if end := strings.IndexByte(cmdline, segment[k-1]); end >= 0 {
							cmdline = cmdline[:end]
						}
					}
					checked++
					if why := checkInvocation(root, cmdline); why != "" {
						t.Errorf("%s: %q: %s", p.where, cmdline, why)
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked only %d command lines", checked)
	}
}

func TestCheckInvocation(t *testing.T) {
	root := commandTree(t)[0]
	good := []string{
		"clientassert lint --client-id ID --jwks FILE.",
		"clientassert keys generate --alg ES384",
		"clientassert decode shows where the token is broken",
		"clientassert checks an OAuth client assertion",
		"clientassert lint \"$TOKEN\" --format json",
		"clientassert keys check JWKS lists what is wrong",
		"clientassert build --client-id <id> --kid <kid>",
	}
	for _, s := range good {
		if why := checkInvocation(root, s); why != "" {
			t.Errorf("%q rejected: %s", s, why)
		}
	}
	bad := []string{
		"clientassert lint --no-such-flag",
		"clientassert keys check --jwks x",
		"clientassert decode --format xml -",
		"clientassert lnt --jwks x",
		"clientassert lint --jwks",
	}
	for _, s := range bad {
		if why := checkInvocation(root, s); why == "" {
			t.Errorf("%q accepted", s)
		}
	}
}
