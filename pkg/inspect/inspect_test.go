package inspect

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/clientassert/clientassert/pkg/profile"
)

func makeToken(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2ln"
}

// The markers follow the server's comparisons with its clock tolerance:
// exp is refused when exp <= now - tolerance, nbf when nbf > now + tolerance.
func TestTimeStatus(t *testing.T) {
	p, err := profile.Get(profile.Default, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1795780800, 0)
	tol := int64(p.Tolerance.Seconds())
	for _, c := range []struct {
		claim string
		value int64
		want  string
	}{
		{"exp", now.Unix() - tol, StatusExpired},
		{"exp", now.Unix() - tol + 1, ""},
		{"exp", now.Unix() - 3600, StatusExpired},
		{"nbf", now.Unix() + tol + 1, StatusNotYetValid},
		{"nbf", now.Unix() + tol, ""},
		{"iat", now.Unix() + 3600, ""},
	} {
		in := Inspect(makeToken(`{"alg":"RS384"}`, fmt.Sprintf(`{%q:%d}`, c.claim, c.value)), now, p)
		if len(in.Times) != 1 || in.Times[0].Status != c.want {
			t.Errorf("%s %+d s: times %+v, want status %q", c.claim, c.value-now.Unix(), in.Times, c.want)
		}
	}
}

func TestDecoded(t *testing.T) {
	for _, c := range []struct {
		tok  string
		want bool
	}{
		{makeToken(`{"alg":"RS384"}`, `{"iss":"c"}`), true},
		{makeToken(`null`, `{"iss":"c"}`), false},
		{makeToken(`{"alg":"RS384"}`, `[1]`), false},
		{makeToken(`{"alg":`, `{}`), false},
		{"abc.def", false},
	} {
		if got := Inspect(c.tok, time.Unix(0, 0), profile.Profile{}).Decoded; got != c.want {
			t.Errorf("%s: decoded %v, want %v", c.tok, got, c.want)
		}
	}
}
