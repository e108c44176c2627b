package token

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedTokens returns every committed fixture token.
func seedTokens(tb testing.TB) []string {
	paths, err := filepath.Glob("../../testdata/tokens/*.jwt")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixture tokens found (run go generate ./...): %v", err)
	}
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, strings.TrimSpace(string(data)))
	}
	return out
}
