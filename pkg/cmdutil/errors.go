// Package cmdutil holds what every subcommand shares: the factory of
// dependencies, typed errors that map to exit codes, and input helpers.
package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Exit codes are a contract with scripts and CI.
const (
	ExitOK       = 0 // nothing wrong
	ExitFindings = 1 // the command ran and found errors (lint findings, failed checks)
	ExitUsage    = 2 // the command could not run: usage error or unreadable input
)

// UsageError is bad input or bad flags: the command could not run.
// Hints are printed after the error as "hint:" lines.
type UsageError struct {
	Msg   string
	Hints []string
}

func (e *UsageError) Error() string { return e.Msg }

// Errorf builds a UsageError. The message follows the house style:
// lower case, no trailing period.
func Errorf(format string, args ...any) *UsageError {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// WithHint appends a hint line and returns the same error for chaining.
func (e *UsageError) WithHint(format string, args ...any) *UsageError {
	e.Hints = append(e.Hints, fmt.Sprintf(format, args...))
	return e
}

// FindingsError means the command ran to the end and its result is a
// failure (exit 1). The report has already been printed.
type FindingsError struct{ Summary string }

func (e *FindingsError) Error() string { return e.Summary }

// ErrSilentFindings is a FindingsError with nothing more to print.
var ErrSilentFindings = &FindingsError{}

// ExitCode maps any error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FindingsError
	if errors.As(err, &fe) {
		return ExitFindings
	}
	return ExitUsage
}

// FormatError renders an error as the one-line house style plus hints.
// Messages from cobra and the standard library are normalised: first
// letter lower-cased, trailing period and newlines dropped. Messages quote
// their input, so this is also where key text is redacted and every other
// byte a terminal would act on is escaped (iostreams.Safe).
func FormatError(err error) string {
	var b strings.Builder
	b.WriteString("clientassert: error: ")
	b.WriteString(safeLine(err.Error()))
	b.WriteByte('\n')
	var ue *UsageError
	if errors.As(err, &ue) {
		for _, h := range ue.Hints {
			b.WriteString("hint: ")
			b.WriteString(iostreams.Safe(RedactKeyText(strings.TrimRight(h, "\r\n"))))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func safeLine(msg string) string {
	return iostreams.Safe(Normalize(RedactKeyText(msg)))
}

// Normalize makes an arbitrary message fit on one line in house style.
func Normalize(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	msg = strings.TrimRight(msg, ".")
	if msg == "" {
		return "unknown error"
	}
	r := []rune(msg)
	if len(r) > 1 && r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z') {
		r[0] = r[0] - 'A' + 'a'
	}
	return string(r)
}

// MaxOneArg is cobra.MaximumNArgs(1) with a message in house style.
func MaxOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return Errorf("too many arguments: %s takes at most one %s", cmd.CommandPath(), what).
				WithHint("quote the %s if it contains spaces, or pass it on stdin", what)
		}
		return nil
	}
}
