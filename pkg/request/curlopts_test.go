package request

import (
	"slices"
	"testing"
)

// The option lists are searched by bisection: an entry out of order would
// silently stop being found.
func TestCurlOptionListsAreSorted(t *testing.T) {
	for name, list := range map[string][]string{"curlArgOptions": curlArgOptions, "curlFlagOptions": curlFlagOptions} {
		for i := 1; i < len(list); i++ {
			if list[i-1] >= list[i] {
				t.Errorf("%s: %q comes before %q", name, list[i-1], list[i])
			}
		}
	}
	for _, opt := range []string{"data", "data-urlencode", "write-out", "abstract-unix-socket"} {
		if !listed(curlArgOptions, opt) || listed(curlFlagOptions, opt) {
			t.Errorf("%s should take an argument", opt)
		}
	}
	for _, opt := range []string{"silent", "anyauth", "xattr", "http1.1"} {
		if !listed(curlFlagOptions, opt) || listed(curlArgOptions, opt) {
			t.Errorf("%s should be a flag", opt)
		}
	}
	if slices.ContainsFunc(curlArgOptions, func(o string) bool { return listed(curlFlagOptions, o) }) {
		t.Error("an option is both a flag and takes an argument")
	}
}
