package root_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

func commandTree(t *testing.T) []*cobra.Command {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" }}
	var all []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
	}
	walk(root.NewCmdRoot(f))
	return all
}

// Every command documents itself the same way: a short line, an Example
// block that runs this very command, and a Use line in <arg> [opt] {a|b}
// syntax.
func TestEveryCommandIsDocumented(t *testing.T) {
	cmds := commandTree(t)
	if len(cmds) < 5 {
		t.Fatalf("only %d commands in the tree", len(cmds))
	}
	for _, c := range cmds {
		path := c.CommandPath()
		if strings.TrimSpace(c.Short) == "" {
			t.Errorf("%s: empty Short", path)
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example block", path)
		} else if !strings.Contains(c.Example, path) {
			t.Errorf("%s: the Example never runs %q", path, path)
		}
		if err := checkUse(c.Use); err != nil {
			t.Errorf("%s: Use %q: %v", path, c.Use, err)
		}
	}
}

// Enum flags complete their values in every command that has them.
func TestEnumFlagsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commandTree(t) {
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			switch fl.Name {
			case "profile", "format", "alg":
				seen[fl.Name] = true
				if _, ok := c.GetFlagCompletionFunc(fl.Name); !ok {
					t.Errorf("%s --%s has no value completion", c.CommandPath(), fl.Name)
				}
			}
		})
	}
	for _, name := range []string{"profile", "format", "alg"} {
		if !seen[name] {
			t.Errorf("no command has --%s", name)
		}
	}
}

var (
	commandName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	placeholder = regexp.MustCompile(`^[a-z][a-z0-9_|-]*$`)
	flagName    = regexp.MustCompile(`^--?[a-z][a-z0-9-]*$`)
	enumValue   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]*$`)
)

// checkUse accepts "name" followed by <placeholders> (optionally "..."),
// [optional groups], {alternatives|...}, flags and "-" for stdin. Bare
// words such as TOKEN or FILE are the syntax this project does not use.
func checkUse(use string) error {
	name, rest, _ := strings.Cut(use, " ")
	if !commandName.MatchString(name) {
		return fmt.Errorf("command name %q", name)
	}
	return checkArgs(rest, 0)
}

func checkArgs(s string, context byte) error {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '|':
			if context == 0 {
				return fmt.Errorf("| outside a group")
			}
			i++
		case c == '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return fmt.Errorf("unclosed <")
			}
			if !placeholder.MatchString(s[i+1 : i+end]) {
				return fmt.Errorf("placeholder <%s> is not lower case", s[i+1:i+end])
			}
			i += end + 1
			i += len(s[i:]) - len(strings.TrimPrefix(s[i:], "..."))
		case c == '[' || c == '{':
			end := closing(s[i:])
			if end < 0 {
				return fmt.Errorf("unbalanced %c", c)
			}
			inner := s[i+1 : i+end]
			if c == '{' && !strings.Contains(inner, "|") {
				return fmt.Errorf("{%s} has no alternatives", inner)
			}
			if err := checkArgs(inner, c); err != nil {
				return err
			}
			i += end + 1
		case c == ']' || c == '}' || c == '>':
			return fmt.Errorf("unbalanced %c", c)
		default:
			end := strings.IndexAny(s[i:], " |[]{}<>")
			if end < 0 {
				end = len(s) - i
			}
			word := s[i : i+end]
			switch {
			case word == "-" || flagName.MatchString(word):
			case context == '[' && word == "flags":
			case context == '{' && enumValue.MatchString(word):
			default:
				return fmt.Errorf("bare word %q: write <%s>", word, strings.ToLower(word))
			}
			i += end
		}
	}
	return nil
}

// closing returns the index of the bracket that closes s[0], or -1.
func closing(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func TestCheckUse(t *testing.T) {
	good := []string{
		"version",
		"lint [<token> | -] [flags]",
		"generate --alg {RS384|ES384} --private-out <file> [--bits <n>]",
		"jwks <key>...",
		"verify [<token> | -] {--key <file> | --jwks <file|url>} [flags]",
		"completion {bash|zsh|fish|powershell}",
	}
	for _, u := range good {
		if err := checkUse(u); err != nil {
			t.Errorf("%q rejected: %v", u, err)
		}
	}
	bad := []string{"explain TEXT", "lint [TOKEN]", "x <Token>", "x [<a>", "x a|b", "x {only}", "x <a>]", "Lint"}
	for _, u := range bad {
		if err := checkUse(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
