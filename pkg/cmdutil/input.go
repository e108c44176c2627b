package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// MaxInputBytes caps every file or stdin read: no legitimate token, request
// or key set comes close, and a cap keeps garbage input from eating memory.
const MaxInputBytes = 4 << 20

// ReadInput reads a named file, or stdin for "" and "-". what names the input
// in error messages ("token", "request", "key set"). It is the one way user
// input is read: a file that is not a regular file (a FIFO, a device, a
// socket, a directory) is refused without blocking on it, and text that
// holds a private key is refused, since no input but a key slot takes one
// and the others may echo what they read (key slots use ReadKeyInput).
func ReadInput(f *Factory, path, what string) ([]byte, error) {
	data, err := readInput(f, path, what)
	if err != nil {
		return nil, err
	}
	if kind := KeyTextKind(string(data)); kind == KindPEMPrivateKey || kind == KindPrivateJWK {
		return nil, Errorf("the %s in %s looks like %s, not a %s", what, displayPath(path), kind, what).
			WithHint("a private key is read only where a key is expected, e.g. --key")
	}
	return data, nil
}

// ReadKeyInput is ReadInput for the inputs that take key material: --key,
// --jwks, key files and secrets.
func ReadKeyInput(f *Factory, path, what string) ([]byte, error) {
	return readInput(f, path, what)
}

func readInput(f *Factory, path, what string) ([]byte, error) {
	if path == "" || path == "-" {
		if f.IOStreams.IsStdinTTY() {
			return nil, Errorf("no %s given", what).WithHint("pass it as an argument, or pipe it on stdin")
		}
		return readCapped(f.IOStreams.In, "stdin", what)
	}
	if kind := suspiciousValue(path); kind != "" {
		// Opening it would only fail, and the error would echo it.
		return nil, Errorf("cannot read %s: the value looks like %s, not a path", what, kind).
			WithHint("pass the path of a file that holds it, or - to read it from stdin")
	}
	file, err := openRegular(path)
	if err != nil {
		return nil, fileError(path, what, err)
	}
	defer file.Close()
	return readCapped(file, path, what)
}

// errSpecialFile names a file that is not a regular file.
type errSpecialFile struct{ kind string }

func (e *errSpecialFile) Error() string {
	if e.kind == "a directory" {
		return "is a directory"
	}
	return "is " + e.kind + ", not a regular file"
}

// openRegular opens path without blocking (a FIFO with no writer would
// otherwise hang the open forever) and refuses anything but a regular file.
func openRegular(path string) (*os.File, error) {
	file, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		// A socket cannot be opened at all; say what it is.
		if st, serr := os.Stat(path); serr == nil && specialKind(st.Mode()) != "" {
			return nil, &errSpecialFile{kind: specialKind(st.Mode())}
		}
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if kind := specialKind(st.Mode()); kind != "" {
		file.Close()
		return nil, &errSpecialFile{kind: kind}
	}
	return file, nil
}

func specialKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

func displayPath(path string) string {
	if path == "" || path == "-" {
		return "stdin"
	}
	return path
}

func readCapped(r io.Reader, name, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, Errorf("cannot read %s from %s: %s", what, name, Normalize(err.Error()))
	}
	if len(data) > MaxInputBytes {
		return nil, Errorf("%s in %s is larger than %d MiB", what, name, MaxInputBytes>>20)
	}
	return data, nil
}

func fileError(path, what string, err error) error {
	var special *errSpecialFile
	switch {
	case errors.As(err, &special):
		e := Errorf("cannot read %s %s: %s", what, path, special.Error())
		if special.kind != "a directory" {
			e.WithHint("give a regular file, or - to read it from stdin")
		}
		return e
	case errors.Is(err, fs.ErrNotExist):
		return Errorf("cannot read %s %s: no such file", what, path)
	case errors.Is(err, fs.ErrPermission):
		return Errorf("cannot read %s %s: permission denied", what, path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return Errorf("cannot read %s %s: %s", what, path, Normalize(err.Error()))
}

// ParseTime reads --now: RFC 3339, or Unix seconds (possibly fractional).
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, Errorf("empty time")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs >= 0 && secs < 1e11 {
		whole := int64(secs)
		frac := secs - float64(whole)
		return time.Unix(whole, int64(frac*1e9)).UTC(), nil
	}
	return time.Time{}, Errorf("invalid time %q", s).WithHint("use RFC 3339 (2026-11-27T12:00:00Z) or Unix seconds (1795780800)")
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, so a failure never leaves a half-written file. Without force an
// existing file is an error.
func WriteFileAtomic(path string, data []byte, perm os.FileMode, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return Errorf("%s already exists", path).WithHint("pass --force to overwrite it")
		}
	}
	dir := "."
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		dir = path[:i+1]
	}
	tmp, err := os.CreateTemp(dir, ".clientassert-*")
	if err != nil {
		return Errorf("cannot write %s: %s", path, Normalize(errors.Unwrap(err).Error()))
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return Errorf("cannot write %s: %s", path, Normalize(err.Error()))
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return Errorf("cannot write %s: %s", path, Normalize(err.Error()))
	}
	if err := tmp.Close(); err != nil {
		return Errorf("cannot write %s: %s", path, Normalize(err.Error()))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Errorf("cannot write %s: %s", path, Normalize(fmt.Sprint(errors.Unwrap(err))))
	}
	return nil
}
