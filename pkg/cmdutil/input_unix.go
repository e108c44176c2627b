//go:build unix

package cmdutil

import "syscall"

// openNonBlock keeps open(2) from waiting for a writer on a FIFO.
const openNonBlock = syscall.O_NONBLOCK
