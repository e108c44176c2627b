// Command gentokens writes a deterministic batch of client assertions, one
// per line, for the batch benchmark (internal/bench/batch.sh). The output is
// large and is written to a temporary directory, never committed.
//
// It signs -unique distinct RS384 tokens with the committed fixture key and
// repeats them to -n lines: one in ten expired, one in ten without a kid,
// the rest valid at fixtures.Now, like a log of mostly good requests.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
)

func main() {
	n := flag.Int("n", 1_000_000, "lines to write")
	unique := flag.Int("unique", 4096, "distinct signed tokens to cycle through")
	keyDir := flag.String("keys", "testdata/keys", "fixture key directory")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	if err := run(*n, *unique, *keyDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gentokens:", err)
		os.Exit(1)
	}
}

func run(n, unique int, keyDir, out string) error {
	if unique < 1 || n < 0 {
		return fmt.Errorf("-n and -unique must be positive")
	}
	if _, err := os.Stat(filepath.Join(keyDir, "rsa.pem")); err != nil {
		return fmt.Errorf("no fixture key in %s (run from the repository root): %w", keyDir, err)
	}
	ks, err := fixtures.LoadOrCreateKeys(keyDir)
	if err != nil {
		return err
	}
	tokens := make([]string, unique)
	for i := range tokens {
		iat := fixtures.Now.Add(-time.Duration(i%50) * time.Second)
		header := fixtures.Header("RS384", "rsa-2026-11")
		switch i % 10 {
		case 3:
			iat = fixtures.Now.Add(-2 * time.Hour)
		case 7:
			header = header.Without("kid")
		}
		claims := fixtures.Claims(iat).Set("jti", fmt.Sprintf("bench-%08d-%08x", i, uint32(i)*2654435761))
		tokens[i] = fixtures.Sign(header.JSON(), claims.JSON(), ks["rsa"])
	}
	w := os.Stdout
	if out != "" {
		if w, err = os.Create(out); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := range n {
		bw.WriteString(tokens[i%unique])
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return w.Close()
}
