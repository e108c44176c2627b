//go:build !unix

package cmdutil

// openNonBlock is zero where open(2) has no such flag.
const openNonBlock = 0
