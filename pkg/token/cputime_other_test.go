//go:build !unix

package token

func processCPU() int64 { return -1 }
