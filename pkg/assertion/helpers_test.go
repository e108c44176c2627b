package assertion

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/clientassert/clientassert/internal/fixtures"
	"github.com/clientassert/clientassert/pkg/keys"
	"github.com/clientassert/clientassert/pkg/profile"
)

const testClientID = "8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3"

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func loadKey(t testing.TB, name string) *keys.Key {
	t.Helper()
	set := fixtures.KeySet(t, name)
	if len(set.Keys) != 1 {
		t.Fatalf("%s holds %d keys", name, len(set.Keys))
	}
	return set.Keys[0]
}

func redox(t testing.TB) profile.Profile {
	t.Helper()
	p, err := profile.Get("redox", "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// segments decodes the header and payload of a compact token as raw JSON.
func segments(t testing.TB, tok string) (header, payload string, sig []byte) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts: %q", len(parts), tok)
	}
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("segment %q: %v", s, err)
		}
		return b
	}
	return string(dec(parts[0])), string(dec(parts[1])), dec(parts[2])
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func profileGet(name string) (profile.Profile, error) { return profile.Get(name, "") }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
