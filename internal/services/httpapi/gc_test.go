package httpapi

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMemoryMax(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" for no file
		want    int64
		wantOK  bool
	}{
		{name: "a limit", content: "134217728\n", want: 134217728, wantOK: true},
		{name: "no limit", content: "max\n"},
		{name: "no limit in cgroup v1", content: "9223372036854771712\n"},
		{name: "garbage", content: "lots"},
		{name: "no file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "memory.max")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, ok := memoryMax(path)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("memoryMax(%q) = %d, %v, want %d, %v", tt.content, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
