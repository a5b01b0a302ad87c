//go:build !serveonly

package cli

import (
	"strings"
	"testing"

	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
)

// TestProjectFlag checks that every command that acts on a Docker-target
// system has --project, once, defaulting to the project up uses.
func TestProjectFlag(t *testing.T) {
	root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}})
	for _, name := range []string{"up", "down", "status", "logs", "tui"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Fatalf("finding blogctl %s: %v", name, err)
		}
		f := cmd.Flags().Lookup("project")
		if f == nil {
			t.Errorf("blogctl %s has no --project flag", name)
			continue
		}
		if f.DefValue != dockertarget.DefaultProject {
			t.Errorf("blogctl %s --project defaults to %q, want %q", name, f.DefValue, dockertarget.DefaultProject)
		}
	}
}

// TestProjectFromEnvironment checks that BLOGCTL_PROJECT reaches the
// Docker target's options, and that the flag wins over it.
func TestProjectFromEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default", "", nil, dockertarget.DefaultProject},
		{"environment", "staging", nil, "staging"},
		{"flag wins", "staging", []string{"--project", "review"}, "review"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(EnvName("project"), tt.env)
			}
			root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}})
			cmd, _, err := root.Find([]string{"status"})
			if err != nil {
				t.Fatal(err)
			}
			o := &dockerStatusOptions{}
			o.addFlags(cmd)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := applyEnv(cmd.Flags()); err != nil {
				t.Fatal(err)
			}
			if got := o.project(); got != tt.want {
				t.Errorf("project = %q, want %q", got, tt.want)
			}
		})
	}
}
