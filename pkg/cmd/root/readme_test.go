package root_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// readmeCommand is one command line of the README: in a ```sh block, or a
// "$ " line of a ```console block followed by the output it shows.
type readmeCommand struct {
	line    int
	cmd     string
	assigns []string // VAR=value lines earlier in the README, in order
	shown   []string // console output; "..." stands for any lines
	console bool
}

func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	data, err := os.ReadFile(repoRoot(t) + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	assignment := regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)
	var cmds []readmeCommand
	var assigns []string
	fence := ""
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line, first := lines[i], i
		for strings.HasSuffix(line, "\\") && fence != "" && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + strings.TrimLeft(lines[i], " ")
		}
		switch {
		case strings.HasPrefix(line, "```") && fence == "":
			fence = strings.TrimPrefix(line, "```")
			if fence == "" {
				fence = "plain"
			}
		case strings.HasPrefix(line, "```"):
			fence = ""
		case fence == "sh" && assignment.MatchString(line):
			assigns = append(assigns, line)
		case fence == "sh" && strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#"):
			cmds = append(cmds, readmeCommand{line: first + 1, cmd: line, assigns: append([]string(nil), assigns...)})
		case fence == "console" && strings.HasPrefix(line, "$ "):
			cmds = append(cmds, readmeCommand{line: first + 1, cmd: strings.TrimPrefix(line, "$ "), assigns: append([]string(nil), assigns...), console: true})
		case fence == "console" && len(cmds) > 0:
			cmds[len(cmds)-1].shown = append(cmds[len(cmds)-1].shown, line)
		}
	}
	return cmds
}

// TestReadme runs every command in the README as a reader would, from the top
// of a clone with the freshly built binary on PATH, and compares the output
// the README shows with what the command prints.
func TestReadme(t *testing.T) {
	cmds := readmeCommands(t)
	if len(cmds) < 8 {
		t.Fatalf("found only %d commands in README.md", len(cmds))
	}
	env := shellEnv(t)
	work := exampleDir(t)
	for _, c := range cmds {
		t.Run(strings.ReplaceAll(c.cmd, "/", "|"), func(t *testing.T) {
			if strings.HasPrefix(c.cmd, "go ") {
				checkGoCommand(t, c)
				return
			}
			if !strings.HasPrefix(c.cmd, "clientassert ") {
				t.Fatalf("README.md:%d: %q does not run clientassert", c.line, c.cmd)
			}
			sh := exec.Command("sh", "-c", strings.Join(append(c.assigns, c.cmd), "\n"))
			sh.Dir, sh.Env = work, env
			var stdout, stderr bytes.Buffer
			sh.Stdout, sh.Stderr = &stdout, &stderr
			err := sh.Run()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			if code := sh.ProcessState.ExitCode(); code != 0 && code != 1 || strings.Contains(stderr.String(), "clientassert: error:") {
				t.Fatalf("README.md:%d: %s\nexit %d: the command could not run\n%s", c.line, c.cmd, code, stderr.String())
			}
			if c.console {
				if why := matchShown(c.shown, strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")); why != "" {
					t.Errorf("README.md:%d: %s\nthe README shows output the command does not print: %s\ngot:\n%s", c.line, c.cmd, why, stdout.String())
				}
			}
		})
	}
}

// matchShown reports how got differs from the lines the README shows, where a
// "..." line stands for any number of lines; "" when it matches.
func matchShown(shown, got []string) string {
	for len(shown) > 0 && shown[len(shown)-1] == "" {
		shown = shown[:len(shown)-1]
	}
	if len(shown) == 0 {
		return ""
	}
	if shown[0] == "..." {
		rest := shown[1:]
		if len(rest) == 0 {
			return ""
		}
		for i := range got {
			if got[i] == rest[0] && matchShown(rest, got[i:]) == "" {
				return ""
			}
		}
		return "no line " + strconvQuote(rest[0])
	}
	if len(got) == 0 {
		return "output ends before " + strconvQuote(shown[0])
	}
	if shown[0] != got[0] {
		return "want " + strconvQuote(shown[0]) + ", got " + strconvQuote(got[0])
	}
	return matchShown(shown[1:], got[1:])
}

func strconvQuote(s string) string { return "\"" + s + "\"" }

// checkGoCommand checks the README's go commands without running the ones
// that would recurse (go test ./...) or run for ever (fuzzing).
func checkGoCommand(t *testing.T, c readmeCommand) {
	fields := strings.Fields(c.cmd)
	switch {
	case c.cmd == "go test ./...":
		// This test is part of that run.
	case (fields[1] == "install" || fields[1] == "build") && len(fields) == 3 && fields[2] == "./cmd/clientassert":
		binaryDir(t) // builds exactly this package from the clone
	case fields[1] == "test" && strings.Contains(c.cmd, " -fuzz "):
		m := regexp.MustCompile(`-fuzz '([^']+)' .*?(\./\S+)$`).FindStringSubmatch(c.cmd)
		if m == nil {
			t.Fatalf("README.md:%d: cannot read the fuzz pattern and package of %q", c.line, c.cmd)
		}
		cmd := exec.Command("go", "test", "-list", m[1], m[2])
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("README.md:%d: go test -list %s %s: %v", c.line, m[1], m[2], err)
		}
		var targets []string
		for _, name := range strings.Fields(string(out)) {
			if strings.HasPrefix(name, "Fuzz") {
				targets = append(targets, name)
			}
		}
		if len(targets) != 1 {
			t.Errorf("README.md:%d: -fuzz %s matches %d fuzz targets in %s (%v); go test -fuzz needs exactly one", c.line, m[1], len(targets), m[2], targets)
		}
	default:
		t.Errorf("README.md:%d: the test does not know how to check %q", c.line, c.cmd)
	}
}
