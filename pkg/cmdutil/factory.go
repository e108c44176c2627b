package cmdutil

import (
	"time"

	"github.com/clientassert/clientassert/pkg/iostreams"
)

// Factory carries the dependencies a command needs. Tests replace Now and
// IOStreams; nothing reads globals.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Now       func() time.Time
	Version   BuildInfo
	// Getenv lets tests control environment lookups such as CLIENTASSERT_SECRET.
	Getenv func(string) string
}

// BuildInfo is stamped by the linker at release time.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}
