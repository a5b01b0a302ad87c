package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version and Commit are set at link time with
// -X github.com/blogctl/blogctl/internal/cli.Version=... and likewise Commit.
var (
	Version = "dev"
	Commit  = ""
)

// BuildInfo describes this binary.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// CurrentBuild returns the version, commit and toolchain of this binary. When
// no commit was linked in, it falls back to what the Go toolchain recorded.
func CurrentBuild() BuildInfo {
	b := BuildInfo{
		Version:   Version,
		Commit:    Commit,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if b.Commit != "" {
		return b
	}
	b.Commit = "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				b.Commit = s.Value
			}
		}
	}
	return b
}

type versionOptions struct {
	streams *Streams
	output  string
}

func newVersionCmd(s *Streams) *cobra.Command {
	o := &versionOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print blogctl's version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return o.run()
		},
	}
	addOutputFlag(cmd, &o.output)
	return cmd
}

func (o *versionOptions) run() error {
	b := CurrentBuild()
	return printOutput(o.streams.Out, o.output, b, func() string {
		return fmt.Sprintf("blogctl %s\ncommit: %s\ngo: %s\nplatform: %s\n",
			b.Version, b.Commit, b.GoVersion, b.Platform)
	})
}
