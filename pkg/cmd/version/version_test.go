package version

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clientassert/clientassert/pkg/cmdutil"
	"github.com/clientassert/clientassert/pkg/iostreams"
)

func TestResolveKeepsStampedValues(t *testing.T) {
	stamped := cmdutil.BuildInfo{Version: "v1.2.3", Commit: "0123abc", Date: "2026-11-27T12:00:00Z"}
	if got := Resolve(stamped); got != stamped {
		t.Errorf("got %+v", got)
	}
}

// Unstamped builds fall back to the Go build info, and never print blanks.
func TestResolveFallsBack(t *testing.T) {
	got := Resolve(cmdutil.BuildInfo{Commit: "feed"})
	if got.Version == "" || got.Date == "" || got.Commit != "feed" {
		t.Errorf("got %+v", got)
	}
}

func run(t *testing.T, b cmdutil.BuildInfo, args ...string) (*bytes.Buffer, error) {
	ios, _, out, _ := iostreams.Test()
	cmd := NewCmdVersion(&cmdutil.Factory{IOStreams: ios, Version: b}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	return out, cmd.Execute()
}

func TestOutput(t *testing.T) {
	b := cmdutil.BuildInfo{Version: "v1.2.3", Commit: "0123abc", Date: "2026-11-27T12:00:00Z"}
	out, err := run(t, b)
	if err != nil || out.String() != "clientassert v1.2.3 (commit 0123abc, built 2026-11-27T12:00:00Z)\n" {
		t.Errorf("%v %q", err, out)
	}
	out, err = run(t, b, "--format", "json")
	var got cmdutil.BuildInfo
	if err != nil || json.Unmarshal(out.Bytes(), &got) != nil || got != b {
		t.Errorf("%v %q", err, out)
	}
	if _, err := run(t, b, "--format", "yaml"); err == nil || !strings.Contains(err.Error(), `invalid --format "yaml"`) {
		t.Errorf("err %v", err)
	}
}
