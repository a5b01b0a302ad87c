package bus

import (
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/blogctl/blogctl/internal/event"
)

// TestStoreLogID checks that a log keeps its identity across reopening,
// and that a new log, in a new directory or in place of a deleted file,
// gets a new one.
func TestStoreLogID(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	first := s.LogID()
	if b, err := hex.DecodeString(first); err != nil || len(b) != 16 {
		t.Errorf("LogID() = %q, want 16 random bytes in hex", first)
	}
	appendEvent(t, s, "PostCreated", "a")
	closeStore(t, s)

	tests := []struct {
		name     string
		dir      func() string
		wantSame bool
	}{
		{"reopened", func() string { return dir }, true},
		{"another directory", t.TempDir, false},
		{"file deleted", func() string {
			if err := os.Remove(filepath.Join(dir, "events.db")); err != nil {
				t.Fatal(err)
			}
			return dir
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t, tt.dir())
			defer closeStore(t, s)
			if got := s.LogID(); (got == first) != tt.wantSame {
				t.Errorf("LogID() = %q after the first log's %q; want the same: %v", got, first, tt.wantSame)
			}
		})
	}
}

func closeStore(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

// TestLogHeader checks that the bus names its log on its answers to
// GET /events and on every delivery.
func TestLogHeader(t *testing.T) {
	var mu sync.Mutex
	var delivered []string
	rc := newRecorder()
	rc.hook = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		delivered = append(delivered, r.Header.Get(event.LogHeader))
		mu.Unlock()
		return true
	}
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, rc)}})
	want := bus.bus.store.LogID()
	c := event.NewClient(bus.URL, nil)
	publish(t, c, "PostCreated", map[string]int{"i": 1})
	publish(t, c, "PostCreated", map[string]int{"i": 2})

	page, err := c.Read(t.Context(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if page.Log != want {
		t.Errorf("GET /events %s = %q, want the store's %q", event.LogHeader, page.Log, want)
	}
	rc.waitCount(t, 2)
	mu.Lock()
	defer mu.Unlock()
	for i, got := range delivered {
		if got != want {
			t.Errorf("delivery %d %s = %q, want the store's %q", i+1, event.LogHeader, got, want)
		}
	}
}
