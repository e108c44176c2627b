// Command josebaseline is the yardstick for the batch benchmark: a bare
// go-jose v4 loop over a file of tokens, one per line. Each token is parsed
// with ParseSigned and its claims decoded with encoding/json; with -jwks the
// signature is verified first with the key the header's kid names.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-jose/go-jose/v4"
)

var algs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512}

func main() {
	jwksPath := flag.String("jwks", "", "verify with this JWKS file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: josebaseline [-jwks FILE] TOKENS")
		os.Exit(2)
	}
	var set *jose.JSONWebKeySet
	if *jwksPath != "" {
		data, err := os.ReadFile(*jwksPath)
		if err != nil {
			fail(err)
		}
		set = &jose.JSONWebKeySet{}
		if err := json.Unmarshal(data, set); err != nil {
			fail(err)
		}
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	start := time.Now()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var n, bad int
	for sc.Scan() {
		n++
		obj, err := jose.ParseSigned(sc.Text(), algs)
		if err != nil {
			bad++
			continue
		}
		var payload []byte
		if set != nil {
			keys := set.Key(obj.Signatures[0].Header.KeyID)
			if len(keys) == 0 {
				bad++
				continue
			}
			if payload, err = obj.Verify(keys[0]); err != nil {
				bad++
				continue
			}
		} else {
			payload = obj.UnsafePayloadWithoutVerification()
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			bad++
		}
	}
	if err := sc.Err(); err != nil {
		fail(err)
	}
	elapsed := time.Since(start)
	fmt.Printf("%d tokens (%d rejected) in %s: %.0f tokens/s\n", n, bad, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "josebaseline:", err)
	os.Exit(2)
}
