package bus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
)

// TestPostEventsArray is the contract of POST /events with a JSON array:
// one answer placing every event in order, IDs stored once within an array
// and across arrays, and nothing stored from an array with a malformed
// element.
func TestPostEventsArray(t *testing.T) {
	b := startBus(t, Config{MaxBody: 4096})
	placed := func(pairs ...any) answer {
		evs := []any{}
		for i := 0; i < len(pairs); i += 2 {
			evs = append(evs, map[string]any{"id": pairs[i], "seq": float64(pairs[i+1].(int))})
		}
		return answer{Status: 200, Body: map[string]any{"status": "OK", "events": evs}}
	}
	refused := answer{Status: 400, Body: map[string]any{"error": "<message>"}}

	tests := []struct {
		name string
		body string
		want answer
	}{
		{
			name: "two events",
			body: `[{"type":"PostCreated","data":{"id":"p1","title":"a"},"id":"a"},{"type":"T","id":"b"}]`,
			want: placed("a", 1, "b", 2),
		},
		{
			name: "an id repeated within the array is stored once",
			body: `[{"type":"T","id":"c"},{"type":"T","id":"c"},{"type":"T","id":"d","seq":40}]`,
			want: placed("c", 3, "c", 3, "d", 4),
		},
		{
			name: "an id stored by an earlier array keeps its seq",
			body: `[{"type":"T","id":"a"},{"type":"T","id":"e"}]`,
			want: placed("a", 1, "e", 5),
		},
		{name: "element without a type", body: `[{"type":"T","id":"x1"},{"data":{}}]`, want: refused},
		{name: "element not an object", body: `[{"type":"T","id":"x2"},5]`, want: refused},
		{name: "null element", body: `[{"type":"T","id":"x3"},null]`, want: refused},
		{name: "type not a string", body: `[{"type":"T","id":"x4"},{"type":1}]`, want: refused},
		{
			name: "element id too long",
			body: `[{"type":"T","id":"x5"},{"type":"T","id":"` + strings.Repeat("x", MaxIDLen+1) + `"}]`,
			want: refused,
		},
		{name: "cut short", body: `[{"type":"T","id":"x6"},`, want: refused},
		{name: "empty array", body: `[]`, want: refused},
		{
			name: "array over the limit",
			body: `[{"type":"T","id":"x7","data":"` + strings.Repeat("x", 4096) + `"}]`,
			want: answer{Status: 413, Body: map[string]any{"error": "<message>"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, http.MethodPost, b.URL+"/events", tt.body)
			got.Head = ""
			if tt.want.Status != 200 {
				got.Body = shape(got.Body)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("POST /events %.60s (-want +got):\n%s", tt.body, diff)
			}
		})
	}

	// Nothing of a refused array was stored.
	got := do(t, http.MethodGet, b.URL+"/events", "")
	var ids []string
	for _, ev := range got.Body.([]any) {
		ids = append(ids, ev.(map[string]any)["id"].(string))
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, ids); diff != "" {
		t.Errorf("ids in the log (-want +got):\n%s", diff)
	}
}

// TestStoreAppendAll checks that an array commits all or none, and that
// IDs are stored once within it and across calls.
func TestStoreAppendAll(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	evs := func(ids ...string) []event.Event {
		var out []event.Event
		for _, id := range ids {
			out = append(out, event.Event{Type: "T", ID: id})
		}
		return out
	}
	seqs := func(evs []event.Event) []uint64 {
		var out []uint64
		for _, ev := range evs {
			out = append(out, ev.Seq)
		}
		return out
	}

	tests := []struct {
		name string
		in   []event.Event
		want []uint64
	}{
		{name: "new events", in: evs("a", "b"), want: []uint64{1, 2}},
		{name: "repeated within", in: evs("c", "c", "d"), want: []uint64{3, 3, 4}},
		{name: "repeated across", in: evs("b", "e"), want: []uint64{2, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AppendAll(ctx, tt.in)
			if err != nil {
				t.Fatalf("AppendAll() = %v", err)
			}
			if diff := cmp.Diff(tt.want, seqs(got)); diff != "" {
				t.Errorf("AppendAll() seqs (-want +got):\n%s", diff)
			}
		})
	}

	bad := append(evs("f"), event.Event{Type: "T", ID: "g", Data: json.RawMessage("{")})
	if _, err := s.AppendAll(ctx, bad); !errors.Is(err, event.ErrMalformed) {
		t.Errorf("AppendAll(data not JSON) = %v, want ErrMalformed", err)
	}
	if got := s.Head(); got != 5 {
		t.Errorf("Head() after a refused array = %d, want 5", got)
	}
}

// TestPublishBatch publishes arrays with the client to a real bus: events
// come back in order with their sequence numbers, a retried array is
// stored once, and an array the bus refuses fails at once.
func TestPublishBatch(t *testing.T) {
	b := startBus(t, Config{})
	c := event.NewClient(b.URL, nil)
	ctx := context.Background()
	batch := []event.Event{
		{Type: event.PostCreated, ID: "PostCreated/1", Data: json.RawMessage(`{"id":"1","title":"t"}`)},
		{Type: "Note"},
	}

	got, err := c.PublishBatch(ctx, batch)
	if err != nil {
		t.Fatalf("PublishBatch() = %v", err)
	}
	if len(got) != 2 || got[0].Seq != 1 || got[0].ID != "PostCreated/1" || got[1].Seq != 2 || got[1].ID == "" {
		t.Fatalf("PublishBatch() = %+v, want seqs 1 and 2, the given id and a new one", got)
	}
	if batch[1].ID != "" {
		t.Errorf("PublishBatch() changed its argument: %+v", batch[1])
	}

	again, err := c.PublishBatch(ctx, got)
	if err != nil || again[0].Seq != 1 || again[1].Seq != 2 {
		t.Errorf("PublishBatch(same ids) = %+v, %v, want seqs 1 and 2", again, err)
	}
	if head := b.bus.store.Head(); head != 2 {
		t.Errorf("head = %d, want 2", head)
	}

	_, err = c.PublishBatch(ctx, []event.Event{{Type: "T"}, {ID: "no-type"}})
	var se *event.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusBadRequest {
		t.Errorf("PublishBatch(element without type) = %v, want a 400", err)
	}
	if got, err := c.PublishBatch(ctx, nil); got != nil || err != nil {
		t.Errorf("PublishBatch(nil) = %v, %v, want nothing", got, err)
	}
}
