package manifest

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadPathsMissing checks that a missing path is explained as a file
// or as a directory "blogctl manifests" can write.
func TestReadPathsMissing(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, want, wantNot string
	}{
		{"file", filepath.Join(dir, "nope.yaml"), "file " + filepath.Join(dir, "nope.yaml") + " does not exist",
			"blogctl manifests"},
		{"directory", filepath.Join(dir, "b2"), "blogctl manifests --out " + filepath.Join(dir, "b2"), ""},
		{"directory with a slash", filepath.Join(dir, "k8s") + "/", "blogctl manifests --out", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPaths([]string{tt.path})
			if err == nil || !strings.Contains(err.Error(), tt.want) ||
				tt.wantNot != "" && strings.Contains(err.Error(), tt.wantNot) {
				t.Errorf("ReadPaths(%q) = %v, want it to say %q and not %q", tt.path, err, tt.want, tt.wantNot)
			}
		})
	}
}
