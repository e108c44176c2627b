//go:build unix

package lint

import "syscall"

// processCPU is the user and system CPU time the test process has used, in
// nanoseconds, or -1 when unknown.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
