//go:build !serveonly

package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// runTui runs "blogctl tui" with args, stdout a terminal or not, and
// returns its error's text.
func runTui(t *testing.T, terminal bool, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTerminal: terminal})
	cmd.SetArgs(append([]string{"tui"}, args...))
	cmd.SetOut(&errOut)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(t.Context())
	if err == nil {
		t.Fatalf("blogctl tui %v succeeded, want an error", args)
	}
	return err.Error()
}

// TestTuiHintsCarryFlags checks that what "blogctl tui" suggests names the
// flags the user gave, so that it works as it is.
func TestTuiHintsCarryFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	abs, err := filepath.Abs("data")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		terminal bool
		args     []string
		want     string
	}{
		{"kubernetes namespace", false, []string{"--target", "kubernetes", "-n", "trial-tui"},
			"run blogctl status --target kubernetes -n trial-tui"},
		{"kubernetes context", false, []string{"--context", "kind-blog", "--kubeconfig", "/tmp/my config"},
			"run blogctl status --target kubernetes --kubeconfig '/tmp/my config' --context kind-blog"},
		{"local data dir", false, []string{"--target", "local", "--data-dir", "data"},
			"run blogctl status --target local --data-dir " + abs},
		{"docker project", false, []string{"--target", "docker", "--project", "trial"},
			"run blogctl status --target docker --project trial"},
		{"local not running", true, []string{"--target", "local", "--data-dir", "data"},
			`start it with "blogctl up --target local --data-dir ` + abs + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runTui(t, tt.terminal, tt.args...); !strings.Contains(got, tt.want) {
				t.Errorf("blogctl tui %v = %q, want it to say %q", tt.args, got, tt.want)
			}
		})
	}
}
