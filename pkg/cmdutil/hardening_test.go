package cmdutil

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/iostreams"
)

func testFactory(stdin string) *Factory {
	ios, in, _, _ := iostreams.Test()
	in.WriteString(stdin)
	return &Factory{IOStreams: ios, Now: time.Now, Getenv: func(string) string { return "" }}
}

// A FIFO with no writer, a device, a socket and a directory are refused at
// once, in every slot; stdin through "-" still works.
func TestReadInputRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f := testFactory("eyJ.eyJ.sig")
	for path, kind := range map[string]string{fifo: "FIFO", "/dev/null": "device", sock: "socket", dir: "directory"} {
		for _, read := range []func(*Factory, string, string) ([]byte, error){ReadInput, ReadKeyInput} {
			done := make(chan error, 1)
			go func() { _, err := read(f, path, "token"); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), kind) || ExitCode(err) != ExitUsage {
					t.Errorf("%s: error %v, want one naming a %s", path, err, kind)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: reading blocked", path)
			}
		}
	}
	if data, err := ReadInput(f, "-", "token"); err != nil || string(data) != "eyJ.eyJ.sig" {
		t.Errorf("stdin: %q, %v", data, err)
	}
	if _, _, err := ReadToken(testFactory(""), []string{fifo}); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("a token argument naming a FIFO: %v", err)
	}
}

const pemKey = "-----BEGIN PRIVATE KEY-----\nMIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDnDzu5IKfzjOYW\n-----END PRIVATE KEY-----\n"

func TestKeyTextKind(t *testing.T) {
	cases := map[string]string{
		pemKey: KindPEMPrivateKey,
		"Bag Attributes\n    localKeyID: 01 00 00 00\nKey Attributes: <No Attributes>\n" + pemKey: KindPEMPrivateKey,
		"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE":                                                KindPEMPrivateKey,
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF":                                             KindPEMPrivateKey,
		"-----BEGIN PUBLIC KEY-----\nMIIB":                                                        KindPEM,
		`{"kty":"EC","crv":"P-384","x":"abcd","y":"efgh","d":"secretvalue"}`:                      KindPrivateJWK,
		`{"keys":[{"kty":"RSA","n":"abcd","e":"AQAB","p":"secretvalue"}]}`:                        KindPrivateJWK,
		`{"kty":"RSA","n":"abcd","e":"AQAB"}`:                                                     KindJWK,
		"key.pem":                                                                                 "",
		"eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln":                                               "",
	}
	for in, want := range cases {
		if got := KeyTextKind(in); got != want {
			t.Errorf("KeyTextKind(%.30q) = %q, want %q", in, got, want)
		}
	}
}

// A value given as a path is never echoed when it could be a secret.
func TestReadInputNeverEchoesKeyText(t *testing.T) {
	f := testFactory("")
	bag := "Bag Attributes\n    friendlyName: x\n" + pemKey
	for _, v := range []string{pemKey, bag, strings.ReplaceAll(pemKey, "\n", " "), `{"kty":"RSA","d":"c2VjcmV0c2VjcmV0"}`, strings.Repeat("A", 2000)} {
		_, err := ReadKeyInput(f, v, "--key file")
		msg := FormatError(err)
		if err == nil || strings.Contains(msg, "MIIEvwIBADANBgkq") || strings.Contains(msg, "c2VjcmV0c2VjcmV0") || strings.Contains(msg, "AAAAAAAAAAAAAAAAAAAA") || !strings.Contains(msg, "looks like") {
			t.Errorf("%.20q: %q", v, msg)
		}
	}
	// Key text read from a slot that does not take keys is refused unseen.
	_, err := ReadInput(testFactory(bag), "-", "token")
	if msg := FormatError(err); err == nil || strings.Contains(msg, "MIIEvwIBADANBgkq") || !strings.Contains(msg, KindPEMPrivateKey) {
		t.Errorf("stdin key: %q", msg)
	}
	if data, err := ReadKeyInput(testFactory(bag), "-", "--key file"); err != nil || string(data) != bag {
		t.Errorf("a key slot must read the key: %v", err)
	}
}

// FormatError is the one place error text reaches the terminal: key text
// is redacted and control characters cannot forge lines or reach the
// terminal.
func TestFormatErrorIsSafe(t *testing.T) {
	err := Errorf("no key with kid %s in %s", "evil\x1b]0;title\x07\nclientassert: error: forged", "set\u202etxt.json").
		WithHint("known kids: %q, %s", "a", "b\x1b[2J\nhint: forged")
	got := FormatError(err)
	if strings.Count(got, "\n") != 2 || strings.ContainsAny(got, "\x1b\x07\u202e") || strings.Contains(got, "\nhint: forged") {
		t.Errorf("unsafe output:\n%s", got)
	}
	if !strings.Contains(got, `\x1b`) || !strings.Contains(got, `\u202e`) {
		t.Errorf("escapes not visible:\n%s", got)
	}
	got = FormatError(errors.New("cannot use " + pemKey + " here, nor {\"d\":\"c2VjcmV0c2VjcmV0\"}"))
	if strings.Contains(got, "MIIEvwIBADANBgkq") || strings.Contains(got, "c2VjcmV0c2VjcmV0") || !strings.Contains(got, "<a PEM private key>") {
		t.Errorf("key text not redacted: %s", got)
	}
}

// A PEM key given where a token goes starts with '-' and reaches the flag
// parser first; its error names what the argument looked like.
func TestFlagErrorNeverEchoesKeyText(t *testing.T) {
	cmd := &cobra.Command{Use: "lint", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.SetFlagErrorFunc(FlagError)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	for _, args := range [][]string{{pemKey}, {"-" + pemKey}, {"--" + pemKey}} {
		cmd.SetArgs(args)
		err := cmd.Execute()
		msg := FormatError(err)
		if err == nil || strings.Contains(msg, "MIIEvwIBADANBgkq") || !strings.Contains(msg, "looks like") {
			t.Errorf("%.20q: %q", args, msg)
		}
	}
}

// A bare token keeps what the server would receive: only one final line
// ending goes silently; white space around it stays, with a note.
func TestReadTokenTrimsOnlyWhatAShellAdds(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln"
	cases := []struct {
		arg, stdin string
		want       string
		note       string
	}{
		{"", jwt + "\n", jwt, ""},
		{"", jwt + "\r\n", jwt, ""},
		{jwt, "", jwt, ""},
		{" " + jwt, "", " " + jwt, `" " before it`},
		{"", jwt + "\n\n", jwt + "\n", `"\n" after it`},
		{jwt + "\t", "", jwt + "\t", `"\t" after it`},
		{`"` + jwt + `"`, "", jwt, "removed surrounding quotes"},
		{"Bearer " + jwt, "", jwt, "Bearer"},
	}
	for _, c := range cases {
		var args []string
		if c.arg != "" {
			args = []string{c.arg}
		}
		tok, notes, err := ReadToken(testFactory(c.stdin), args)
		if err != nil || tok != c.want {
			t.Errorf("%q/%q: token %q, err %v", c.arg, c.stdin, tok, err)
			continue
		}
		joined := strings.Join(notes, "\n")
		if (c.note == "") != (joined == "") || !strings.Contains(joined, c.note) {
			t.Errorf("%q/%q: notes %q, want %q", c.arg, c.stdin, notes, c.note)
		}
	}
}

// A token argument that names a file and is not a JWT is read from it.
func TestReadTokenReadsAFile(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln"
	path := filepath.Join(t.TempDir(), "stale-token.jwt")
	if err := os.WriteFile(path, []byte(jwt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, notes, err := ReadToken(testFactory(""), []string{path})
	if err != nil || tok != jwt || len(notes) != 1 || !strings.Contains(notes[0], path) {
		t.Errorf("token %q, notes %q, err %v", tok, notes, err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, []byte(pemKey), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadToken(testFactory(""), []string{keyFile}); err == nil || strings.Contains(FormatError(err), "MIIEvwIBADANBgkq") {
		t.Errorf("a key file as the token: %v", err)
	}
}

func TestLooksLikeJWT(t *testing.T) {
	for s, want := range map[string]bool{
		"eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJjIn0.c2ln": true,
		"a.b.":                     true,
		"a.b.c.d.e":                true,
		"examples/stale-token.jwt": false,
		".b.c":                     false,
		"a.b":                      false,
		"a b.c.d":                  false,
	} {
		if got := LooksLikeJWT(s); got != want {
			t.Errorf("LooksLikeJWT(%q) = %v", s, got)
		}
	}
}
