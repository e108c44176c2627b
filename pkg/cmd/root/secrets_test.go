package root_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clientassert/clientassert/pkg/cmd/root"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

// secretKey is one private key in the forms a user may paste or export it,
// with every run of its private bytes that must never be printed.
type secretKey struct {
	name  string
	forms map[string]string // form name -> text
	// windows are the 16-character runs of the private forms that do not
	// occur in any public form of the key or in another key of its kind.
	windows []string
}

const windowLen = 16

// TestNoCommandEchoesAPrivateKey walks the real command tree and runs every
// command, in every output format, with a private key in each input slot:
// the argument, each flag that takes a value, stdin (alone and through a
// "-" flag), and every CLIENTASSERT_* variable that any help text names.
// The key comes as text (PEM, PEM with openssl's Bag Attributes, a private
// JWK) and as a file path where a path is expected. No run may print any
// 16-character run of the key's private bytes, in any encoding the tool
// could print it in.
func TestNoCommandEchoesAPrivateKey(t *testing.T) {
	fixtures, err := filepath.Abs("../../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []*secretKey{rsaSecret(t, filepath.Join(fixtures, "keys", "rsa.pem")), ecSecret(t, filepath.Join(fixtures, "keys", "ec.pem"))}
	token := strings.TrimSpace(readFile(t, filepath.Join(fixtures, "tokens", "valid-rs384.jwt")))
	companions := map[string]string{
		"client-id": "client-1",
		"kid":       "k1",
		"jwks":      filepath.Join(fixtures, "keys", "jwks.json"),
		"now":       "2026-11-27T12:00:00Z",
	}

	dir := t.TempDir()
	t.Chdir(dir)
	keyFiles := map[*secretKey]map[string]string{}
	for _, s := range secrets {
		keyFiles[s] = map[string]string{}
		for form, text := range s.forms {
			p := filepath.Join(dir, s.name+"-"+form)
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			keyFiles[s][form] = p
		}
	}

	cmds := leafCommands(t)
	envs := envNames(cmds)
	if !slices.Contains(envs, "CLIENTASSERT_KEY") {
		t.Fatalf("no help text names CLIENTASSERT_KEY; found %v", envs)
	}
	runs, leaks := 0, 0
	for _, c := range cmds {
		if c.Name() == "serve" {
			// serve runs until it is signalled; its start-up failures are
			// the same redacted error line, checked in pkg/cmd/serve.
			continue
		}
		path := strings.Fields(c.CommandPath())[1:]
		flags := valueFlags(c)
		for fi, format := range formats(c) {
			base := slices.Clone(path)
			if format != "" {
				base = append(base, "--format", format)
			}
			for _, s := range secrets {
				for form, text := range s.forms {
					file := keyFiles[s][form]
					var cases []sweepCase
					add := func(slot string, args []string, stdin string, env map[string]string) {
						// Other formats share the code that reads input:
						// they get only the run that goes deepest.
						first := 0
						if fi > 0 {
							first = 2
						}
						for v := first; v < 3; v++ {
							full := slices.Clone(base)
							full = append(full, args...)
							if v >= 1 {
								for _, name := range []string{"client-id", "kid", "now"} {
									if slices.Contains(flags, name) && !strings.Contains(slot, "--"+name) {
										full = append(full, "--"+name, companions[name])
									}
								}
							}
							if v == 2 {
								if slices.Contains(flags, "jwks") && !strings.Contains(slot, "--jwks") && !strings.Contains(slot, "--key") && !strings.Contains(slot, "--request") {
									full = append(full, "--jwks", companions["jwks"])
								}
								if c.Args == nil || c.Args(c, []string{token}) == nil {
									if slot != "arg" && !strings.Contains(slot, "--request") && !strings.HasPrefix(slot, "stdin") {
										full = append(full, token)
									}
								}
							}
							cases = append(cases, sweepCase{slot: slot, args: full, stdin: stdin, env: env})
						}
					}
					add("arg", []string{text}, "", nil)
					add("arg file", []string{file}, "", nil)
					add("arg --", []string{"--", text}, "", nil)
					add("stdin", nil, text, nil)
					add("stdin -", []string{"-"}, text, nil)
					for _, fl := range flags {
						add("--"+fl, []string{"--" + fl, text}, "", nil)
						add("--"+fl+"=", []string{"--" + fl + "=" + text}, "", nil)
						add("--"+fl+" file", []string{"--" + fl, file}, "", nil)
						add("--"+fl+" -", []string{"--" + fl, "-"}, text, nil)
					}
					for _, name := range envs {
						add("$"+name, nil, "", map[string]string{name: text})
						add("$"+name+" file", nil, "", map[string]string{name: file})
					}
					for _, sc := range cases {
						runs++
						out := runSweep(t, sc, envs)
						if w := leakedWindow(out, s.windows); w != "" {
							leaks++
							if leaks <= 40 {
								t.Errorf("clientassert %s (slot %s, key %s %s, stdin %d bytes, env %v) printed private key bytes %q:\n%s",
									strings.Join(shorten(sc.args), " "), sc.slot, s.name, form, len(sc.stdin), keysOf(sc.env), w, clip(out))
							}
						}
					}
				}
			}
		}
	}
	if leaks > 40 {
		t.Errorf("%d leaking runs in all; the first 40 are shown", leaks)
	}
	if runs < 1000 {
		t.Fatalf("only %d runs: the sweep lost its reach", runs)
	}
	t.Logf("%d runs over %d commands, %d environment variables", runs, len(cmds), len(envs))
}

type sweepCase struct {
	slot  string
	args  []string
	stdin string
	env   map[string]string
}

func runSweep(t *testing.T, sc sweepCase, envs []string) string {
	t.Helper()
	for _, name := range envs {
		t.Setenv(name, sc.env[name])
	}
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(sc.stdin)
	code := root.Main(sc.args, ios)
	if code < 0 || code > 2 {
		t.Errorf("clientassert %s: exit %d", strings.Join(shorten(sc.args), " "), code)
	}
	return out.String() + "\x00" + errOut.String()
}

func leakedWindow(out string, windows []string) string {
	for _, w := range windows {
		if strings.Contains(out, w) {
			return w
		}
	}
	return ""
}

// leafCommands are the runnable commands of the real tree.
func leafCommands(t *testing.T) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range commandTree(t) {
		if c.Runnable() && c.HasParent() {
			out = append(out, c)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d runnable commands", len(out))
	}
	return out
}

// valueFlags are the flags of c that take a value a key could be put in.
func valueFlags(c *cobra.Command) []string {
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		switch f.Value.Type() {
		case "bool", "int", "duration":
			return
		}
		if f.Name == "format" || f.Name == "help" {
			return
		}
		names = append(names, f.Name)
	})
	return names
}

// formats lists the values of --format, from its completion, or "" when
// the command has no --format.
func formats(c *cobra.Command) []string {
	if c.Flags().Lookup("format") == nil {
		return []string{""}
	}
	complete, ok := c.GetFlagCompletionFunc("format")
	if !ok {
		return []string{""}
	}
	values, _ := complete(c, nil, "")
	return values
}

var envName = regexp.MustCompile(`CLIENTASSERT_[A-Z0-9_]*[A-Z0-9]`)

// envNames collects every CLIENTASSERT_* variable that a help text names.
func envNames(cmds []*cobra.Command) []string {
	seen := map[string]bool{}
	for _, c := range cmds {
		text := c.Long + c.Example
		c.Flags().VisitAll(func(f *pflag.Flag) { text += " " + f.Usage })
		for _, m := range envName.FindAllString(text, -1) {
			seen[m] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func rsaSecret(t *testing.T, path string) *secretKey {
	t.Helper()
	text := readFile(t, path)
	block, _ := pem.Decode([]byte(text))
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key := parsed.(*rsa.PrivateKey)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	jwk := map[string]string{
		"kty": "RSA", "kid": "k1",
		"n": b64(key.N), "e": b64(big.NewInt(int64(key.E))),
		"d": b64(key.D), "p": b64(key.Primes[0]), "q": b64(key.Primes[1]),
		"dp": b64(key.Precomputed.Dp), "dq": b64(key.Precomputed.Dq), "qi": b64(key.Precomputed.Qinv),
	}
	jwkText, _ := json.Marshal(jwk)
	s := &secretKey{name: "rsa", forms: map[string]string{
		"pkcs8":  text,
		"pkcs1":  pkcs1,
		"bag":    "Bag Attributes\n    localKeyID: 01 00 00 00 \n    friendlyName: client\nKey Attributes: <No Attributes>\n" + text,
		"jwk":    string(jwkText),
		"inline": strings.ReplaceAll(strings.TrimSpace(text), "\n", " "),
	}}
	other, err := rsa.GenerateKey(rand.Reader, key.N.BitLen())
	if err != nil {
		t.Fatal(err)
	}
	public := publicCorpus(t, &key.PublicKey, key.N.Bytes(), other)
	private := []string{pemBody(text), pemBody(pkcs1)}
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		private = append(private, jwk[m])
	}
	s.windows = windows(private, public)
	return s
}

func ecSecret(t *testing.T, path string) *secretKey {
	t.Helper()
	text := readFile(t, path)
	block, _ := pem.Decode([]byte(text))
	var key *ecdsa.PrivateKey
	if parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		key = parsed.(*ecdsa.PrivateKey)
	} else if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
	size := (key.Curve.Params().BitSize + 7) / 8
	d := key.D.FillBytes(make([]byte, size))
	jwk := map[string]string{
		"kty": "EC", "crv": key.Curve.Params().Name, "kid": "k1",
		"x": base64.RawURLEncoding.EncodeToString(key.X.FillBytes(make([]byte, size))),
		"y": base64.RawURLEncoding.EncodeToString(key.Y.FillBytes(make([]byte, size))),
		"d": base64.RawURLEncoding.EncodeToString(d),
	}
	jwkText, _ := json.Marshal(jwk)
	sec1, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sec1Text := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
	s := &secretKey{name: "ec", forms: map[string]string{
		"pem":  text,
		"sec1": sec1Text,
		"bag":  "Bag Attributes\n    localKeyID: 01 00 00 00 \nKey Attributes: <No Attributes>\n" + text,
		"jwk":  string(jwkText),
	}}
	other, err := ecdsa.GenerateKey(key.Curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point := elliptic.Marshal(key.Curve, key.X, key.Y) //nolint:staticcheck // the raw point is what a public form holds
	public := publicCorpus(t, &key.PublicKey, point, other)
	private := []string{pemBody(text), pemBody(sec1Text), jwk["d"]}
	for k := 0; k < 3; k++ {
		private = append(private, base64.StdEncoding.EncodeToString(d[k:]), base64.RawURLEncoding.EncodeToString(d[k:]))
	}
	s.windows = windows(private, public)
	return s
}

// publicCorpus is every text that may be printed about a key: its public
// forms, and the structure that any key of the same kind shares.
func publicCorpus(t *testing.T, pub any, raw []byte, other any) string {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, err := x509.MarshalPKCS8PrivateKey(other)
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{base64.StdEncoding.EncodeToString(spki), base64.StdEncoding.EncodeToString(otherDER)}
	if rk, ok := other.(*rsa.PrivateKey); ok {
		parts = append(parts, base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(rk)))
	}
	if ek, ok := other.(*ecdsa.PrivateKey); ok {
		sec1, _ := x509.MarshalECPrivateKey(ek)
		parts = append(parts, base64.StdEncoding.EncodeToString(sec1))
	}
	for k := 0; k < 3 && k < len(raw); k++ {
		parts = append(parts, base64.StdEncoding.EncodeToString(raw[k:]), base64.RawURLEncoding.EncodeToString(raw[k:]))
	}
	return strings.Join(parts, "\n")
}

func windows(private []string, public string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range private {
		for i := 0; i+windowLen <= len(p); i++ {
			w := p[i : i+windowLen]
			if !seen[w] && !strings.Contains(public, w) {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

func pemBody(text string) string {
	block, _ := pem.Decode([]byte(text))
	return base64.StdEncoding.EncodeToString(block.Bytes)
}

func b64(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func shorten(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if len(a) > 40 {
			a = a[:20] + fmt.Sprintf("...(%d bytes)", len(a))
		}
		out[i] = strings.ReplaceAll(a, "\n", `\n`)
	}
	return out
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}
