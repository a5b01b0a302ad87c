package tui

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWrapWords checks that a long line of a diagnosis breaks only at
// spaces, keeps its indentation, and cuts a word only when it is longer
// than a line.
func TestWrapWords(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		width int
		want  []string
	}{
		{"fits", "fix: run blogctl doctor --fix", 40,
			[]string{"fix: run blogctl doctor --fix"}},
		{"never after a hyphen", "fix: run blogctl doctor --fix", 24,
			[]string{"fix: run blogctl doctor", "--fix"}},
		{"host name whole", "  pulling from registry-1.docker.io failed", 28,
			[]string{"  pulling from", "  registry-1.docker.io", "  failed"}},
		{"word longer than a line", "image localhost:5001/blogctl/posts@sha256:0123", 16,
			[]string{"image", "localhost:5001/b", "logctl/posts@sha", "256:0123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapWords(tt.line, tt.width)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wrapWords(%q, %d) (-want +got):\n%s", tt.line, tt.width, diff)
			}
			for _, l := range got {
				if len(l) > tt.width {
					t.Errorf("line %q is wider than %d", l, tt.width)
				}
			}
		})
	}
}
