//go:build !serveonly

package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestBuildAndPushBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"build outside a source tree", []string{"build", "--source", t.TempDir()},
			[]string{"no blogctl source found", "--source"}},
		{"build an unknown service", []string{"build", "nosuch"}, []string{`unknown service "nosuch"`, "posts"}},
		{"push an unknown service", []string{"push", "nosuch"}, []string{`unknown service "nosuch"`}},
		{"logs of an unknown service", []string{"logs", "nosuch", "--target", "docker"},
			[]string{`unknown service "nosuch"`, "gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if err == nil {
				t.Fatalf("blogctl %v succeeded, want an error", tt.args)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("blogctl %v = %q, want it to contain %q", tt.args, err, w)
				}
			}
			if out.Len() != 0 {
				t.Errorf("blogctl %v wrote %q on stdout, want nothing", tt.args, out.String())
			}
		})
	}
}

// TestCommandsNameWhatNeedsTheEngine checks that a command that finds no
// Docker engine says what it was doing, and where it looked.
func TestCommandsNameWhatNeedsTheEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/no-engine.sock")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"push", "posts"}, "pushing the images needs a Docker engine: no Docker engine reachable at DOCKER_HOST="},
		{[]string{"build", "posts"}, "building the images needs a Docker engine: no Docker engine reachable at DOCKER_HOST="},
		{[]string{"status", "--target", "docker"}, "reaching the system on Docker needs a Docker engine"},
		{[]string{"up", "--target", "docker"}, "running the system on Docker needs a Docker engine"},
	} {
		var out, errOut bytes.Buffer
		cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("blogctl %v with no engine = %v, want %q", tt.args, err, tt.want)
		}
	}
}
