//go:build !serveonly

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestsWords checks that "blogctl manifests --words" gives the
// words to the moderation container only, and that "up" describes the
// shared flag for every target, not only the local one.
func TestManifestsWords(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"manifests", "--out", dir, "--words", "plum,kiwi"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("blogctl manifests: %v (stderr %q)", err, errOut.String())
	}
	for file, want := range map[string]bool{"moderation.yaml": true, "posts.yaml": false, "event-bus.yaml": false} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(string(b), "- name: BLOGCTL_WORDS\n              value: \"plum,kiwi\"")
		if got != want {
			t.Errorf("%s sets BLOGCTL_WORDS=plum,kiwi: %v, want %v", file, got, want)
		}
	}

	up := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	upCmd, _, err := up.Find([]string{"up"})
	if err != nil {
		t.Fatal(err)
	}
	usage := upCmd.Flags().Lookup("words").Usage
	if strings.HasPrefix(usage, "local:") || !strings.Contains(usage, "every target") {
		t.Errorf("up --words says %q, want a description that covers every target", usage)
	}
}

// TestManifestsStorageConflict checks that asking for no storage class and
// for a class at once is refused, and writes nothing.
func TestManifestsStorageConflict(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k8s")
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"manifests", "--out", dir, "--no-storage-class", "--storage-class", "fast"})
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "give one of them") {
		t.Fatalf("blogctl manifests --no-storage-class --storage-class fast = %v, want a conflict error", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused command left %s behind (%v)", dir, err)
	}
}
