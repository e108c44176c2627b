package explain

import (
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/catalog"
)

// The stages cost very different amounts: exact is a map lookup, close
// matching computes edit distances against every wire string. Compare the
// sub-benchmarks with each other, not with a fixed number.
func BenchmarkExplain(b *testing.B) {
	cases := map[string]string{
		"exact":         catalog.DescKidRequired,
		"http-response": httpResponse(catalog.DescIatTooOld),
		"curl-verbose":  curlVerbose(catalog.DescIatTooOld),
		"template":      `unexpected "scope" claim value`,
		"close":         "JWT header kid propery is requird",
		"unknown-long":  strings.Repeat("lorem ipsum ", 40),
	}
	for name, in := range cases {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Explain(in, atServerTime())
			}
		})
	}
}
