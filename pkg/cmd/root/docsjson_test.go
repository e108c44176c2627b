package root_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// jsonExample is a command of docs/json.md and the JSON block after it.
type jsonExample struct {
	cmd        string
	line       int // of the command
	start, end int // the JSON block's body lines, [start, end)
	body       string
}

func jsonExamples(lines []string) []jsonExample {
	var out []jsonExample
	var cmd string
	cmdLine := 0
	for i := 0; i < len(lines); i++ {
		switch lines[i] {
		case "```console":
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "$ ") {
				cmd, cmdLine = strings.TrimPrefix(lines[i+1], "$ "), i+2
			}
		case "```json":
			j := i + 1
			for j < len(lines) && lines[j] != "```" {
				j++
			}
			if cmd != "" {
				out = append(out, jsonExample{cmd: cmd, line: cmdLine, start: i + 1, end: j,
					body: strings.Join(lines[i+1:j], "\n")})
			}
			cmd = ""
			i = j
		}
	}
	return out
}

// TestJSONDocs runs each command of docs/json.md and compares what it prints
// with the example shown under it. With -update, examples without "..."
// placeholders are rewritten from the actual output.
func TestJSONDocs(t *testing.T) {
	path := repoRoot(t) + "/docs/json.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	examples := jsonExamples(lines)
	if len(examples) < 6 {
		t.Fatalf("docs/json.md has %d command examples, want one per command with --format json", len(examples))
	}
	env, work := shellEnv(t), exampleDir(t)
	rewritten := false
	for i := len(examples) - 1; i >= 0; i-- {
		ex := examples[i]
		sh := exec.Command("sh", "-c", ex.cmd)
		sh.Dir, sh.Env = work, env
		var stdout, stderr bytes.Buffer
		sh.Stdout, sh.Stderr = &stdout, &stderr
		var exit *exec.ExitError
		if err := sh.Run(); err != nil && !errors.As(err, &exit) || sh.ProcessState.ExitCode() == 2 {
			t.Errorf("docs/json.md:%d: %s could not run: %v\n%s", ex.line, ex.cmd, err, stderr.String())
			continue
		}
		got := strings.TrimRight(stdout.String(), "\n")
		placeholders := strings.Contains(ex.body, `"..."`)
		if *update && !placeholders {
			if got != ex.body {
				lines = append(lines[:ex.start], append(strings.Split(got, "\n"), lines[ex.end:]...)...)
				rewritten = true
			}
			continue
		}
		if placeholders {
			if why := sameJSON(ex.body, got); why != "" {
				t.Errorf("docs/json.md:%d: %s: %s\nprints:\n%s", ex.line, ex.cmd, why, got)
			}
		} else if got != ex.body {
			t.Errorf("docs/json.md:%d: %s prints other JSON than documented (go test ./pkg/cmd/root -run TestJSONDocs -update rewrites it)\ndocumented:\n%s\nprints:\n%s", ex.line, ex.cmd, ex.body, got)
		}
	}
	if rewritten {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sameJSON compares a documented example, in which "..." stands for any
// value, with actual output.
func sameJSON(documented, actual string) string {
	var want, got any
	if err := json.Unmarshal([]byte(documented), &want); err != nil {
		return "the example is not JSON: " + err.Error()
	}
	if err := json.Unmarshal([]byte(actual), &got); err != nil {
		return "the output is not JSON: " + err.Error()
	}
	return diffJSON("", want, got)
}

func diffJSON(at string, want, got any) string {
	if want == "..." {
		return ""
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %v", at, got)
		}
		for k := range g {
			if _, documented := w[k]; !documented {
				return fmt.Sprintf("%s.%s is printed but not documented", at, k)
			}
		}
		for k, v := range w {
			if _, printed := g[k]; !printed {
				return fmt.Sprintf("%s.%s is documented but not printed", at, k)
			}
			if why := diffJSON(at+"."+k, v, g[k]); why != "" {
				return why
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %d elements, got %v", at, len(w), got)
		}
		for i := range w {
			if why := diffJSON(fmt.Sprintf("%s[%d]", at, i), w[i], g[i]); why != "" {
				return why
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: documented %v, printed %v", at, want, got)
	}
	return ""
}

// Every command that can print JSON has an example in docs/json.md.
func TestJSONDocsCoverEveryCommand(t *testing.T) {
	data, err := os.ReadFile(repoRoot(t) + "/docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := jsonExamples(strings.Split(string(data), "\n"))
	for _, c := range commandTree(t) {
		fl := c.Flags().Lookup("format")
		if fl == nil || !strings.Contains(fl.Usage, "json") {
			continue
		}
		found := false
		for _, ex := range examples {
			found = found || strings.HasPrefix(ex.cmd, c.CommandPath()+" ") && strings.Contains(ex.cmd, "--format json")
		}
		if !found {
			t.Errorf("%s has --format json but docs/json.md has no example of it", c.CommandPath())
		}
	}
}
