package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
)

func openTestStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatalf("OpenStore(%s) = %v", dir, err)
	}
	return s
}

func appendEvent(t *testing.T, s *Store, typ, id string) event.Event {
	t.Helper()
	ev, err := s.Append(context.Background(), event.Event{Type: typ, ID: id, Data: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatalf("Append(%s, %q) = %v", typ, id, err)
	}
	return ev
}

func TestStoreAppendIdempotent(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()

	tests := []struct {
		name    string
		id      string
		wantSeq uint64
		wantID  string
	}{
		{name: "first event", id: "a", wantSeq: 1, wantID: "a"},
		{name: "second event", id: "b", wantSeq: 2, wantID: "b"},
		{name: "repeated id keeps its seq", id: "a", wantSeq: 1, wantID: "a"},
		{name: "next new event", id: "c", wantSeq: 3, wantID: "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := appendEvent(t, s, "PostCreated", tt.id)
			if ev.Seq != tt.wantSeq || ev.ID != tt.wantID {
				t.Errorf("Append(%q) = seq %d id %q, want seq %d id %q", tt.id, ev.Seq, ev.ID, tt.wantSeq, tt.wantID)
			}
		})
	}
	if got := s.Head(); got != 3 {
		t.Errorf("Head() = %d, want 3", got)
	}

	// An event without ID gets a random one of the course's shape.
	ev := appendEvent(t, s, "PostCreated", "")
	if len(ev.ID) != 8 || ev.Seq != 4 {
		t.Errorf("Append(no id) = id %q seq %d, want an 8-character id and seq 4", ev.ID, ev.Seq)
	}

	_, err := s.Append(context.Background(), event.Event{Type: "X", ID: strings.Repeat("x", MaxIDLen+1)})
	if !errors.Is(err, event.ErrMalformed) {
		t.Errorf("Append(long id) = %v, want ErrMalformed", err)
	}
	_, err = s.Append(context.Background(), event.Event{Type: "X", Data: json.RawMessage("{")})
	if !errors.Is(err, event.ErrMalformed) {
		t.Errorf("Append(data not JSON) = %v, want ErrMalformed", err)
	}
}

func TestStoreRead(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	for i := range 10 {
		appendEvent(t, s, "T", fmt.Sprint(i))
	}
	size := len(mustRead(t, s, 0, 1, 0)[0].JSON)

	tests := []struct {
		since           uint64
		limit, maxBytes int
		want            []uint64
	}{
		{since: 0, want: upTo(10)},
		{since: 7, want: []uint64{8, 9, 10}},
		{since: 10, want: nil},
		{since: 99, want: nil},
		{since: 2, limit: 3, want: []uint64{3, 4, 5}},
		{since: 0, maxBytes: 2*size + 1, want: []uint64{1, 2}},
		{since: 0, maxBytes: 1, want: []uint64{1}},
	}
	for _, tt := range tests {
		recs := mustRead(t, s, tt.since, tt.limit, tt.maxBytes)
		var got []uint64
		for _, r := range recs {
			got = append(got, r.Seq)
			var ev event.Event
			if err := json.Unmarshal(r.JSON, &ev); err != nil || ev.Seq != r.Seq {
				t.Errorf("record %d = %s, want JSON with seq %d", r.Seq, r.JSON, r.Seq)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Read(%d, %d, %d) seqs (-want +got):\n%s", tt.since, tt.limit, tt.maxBytes, diff)
		}
	}
}

func mustRead(t *testing.T, s *Store, since uint64, limit, maxBytes int) []Record {
	t.Helper()
	recs, err := s.Read(since, limit, maxBytes)
	if err != nil {
		t.Fatalf("Read(%d) = %v", since, err)
	}
	return recs
}

// TestStoreConcurrentAppends checks that group-committed appends from many
// goroutines get distinct, gapless sequence numbers, and that repeated IDs
// within and across groups are stored once.
func TestStoreConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	const writers, each = 32, 40

	var mu sync.Mutex
	got := map[string]uint64{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Every writer also re-sends writer 0's IDs.
				for _, id := range []string{fmt.Sprintf("%d-%d", w, i), fmt.Sprintf("0-%d", i)} {
					ev, err := s.Append(context.Background(), event.Event{Type: "T", ID: id})
					if err != nil {
						t.Errorf("Append(%s) = %v", id, err)
						return
					}
					mu.Lock()
					if prev, ok := got[id]; ok && prev != ev.Seq {
						t.Errorf("Append(%s) = seq %d, earlier %d", id, ev.Seq, prev)
					}
					got[id] = ev.Seq
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	var seqs []uint64
	for _, seq := range got {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	if diff := cmp.Diff(upTo(writers*each), seqs); diff != "" {
		t.Errorf("sequence numbers (-want +got):\n%s", diff)
	}

	// Reopened, the store has the same head and the same events.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	if got := s.Head(); got != writers*each {
		t.Errorf("Head() after reopening = %d, want %d", got, writers*each)
	}
	if again := appendEvent(t, s, "T", "3-7"); again.Seq != got["3-7"] {
		t.Errorf("Append(3-7) after reopening = seq %d, want %d", again.Seq, got["3-7"])
	}
}

func TestStoreCursors(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	want := map[string]uint64{"http://a/events": 3, "http://b/events": 9}
	if err := s.SaveCursors(want); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTestStore(t, dir)
	defer s.Close()
	got, err := s.Cursors()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Cursors() after reopening (-want +got):\n%s", diff)
	}
}

func TestStoreClosed(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(context.Background(), event.Event{Type: "T"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
}

func TestStoreLocked(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	defer s.Close()
	if _, err := OpenStore(dir); err == nil || !strings.Contains(err.Error(), "another event bus") {
		t.Errorf("OpenStore(dir in use) = %v, want an error naming the likely cause", err)
	}
}
