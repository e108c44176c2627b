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
// in error messages ("token", "request", "key set").
func ReadInput(f *Factory, path, what string) ([]byte, error) {
	if path == "" || path == "-" {
		if f.IOStreams.IsStdinTTY() {
			return nil, Errorf("no %s given", what).WithHint("pass it as an argument, or pipe it on stdin")
		}
		return readCapped(f.IOStreams.In, "stdin", what)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, what, err)
	}
	defer file.Close()
	if st, err := file.Stat(); err == nil && st.IsDir() {
		return nil, Errorf("cannot read %s %s: is a directory", what, path)
	}
	return readCapped(file, path, what)
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
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Errorf("cannot read %s %s: no such file", what, path)
	case errors.Is(err, fs.ErrPermission):
		return Errorf("cannot read %s %s: permission denied", what, path)
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
