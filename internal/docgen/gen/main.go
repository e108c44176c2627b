// Command gen writes the generated docs. Run it with go generate ./...
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clientassert/clientassert/internal/docgen"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	keep := map[string]bool{}
	for _, p := range docgen.Pages() {
		keep[filepath.FromSlash(p.Path)] = true
		path := filepath.Join(root, p.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, p.Content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			os.Exit(1)
		}
	}
	orphans, err := docgen.Orphans(root, keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	for _, o := range orphans {
		if err := os.Remove(filepath.Join(root, o)); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			os.Exit(1)
		}
	}
}
