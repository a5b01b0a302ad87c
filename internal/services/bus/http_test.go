package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
)

// answer is a decoded HTTP answer.
type answer struct {
	Status int
	Head   string
	Body   any
}

func do(t *testing.T, method, url, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{Status: resp.StatusCode, Head: resp.Header.Get(event.HeadHeader)}
	if err := json.Unmarshal(b, &a.Body); err != nil {
		t.Fatalf("%s %s = %q, want JSON", method, url, b)
	}
	return a
}

// shape replaces the values of the fields a test cannot predict.
func shape(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "id":
				out[k] = "<id>"
			case "error":
				out[k] = "<message>"
			default:
				out[k] = shape(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = shape(x)
		}
		return out
	}
	return v
}

func TestPostEvents(t *testing.T) {
	b := startBus(t, Config{MaxBody: 1024})
	errBody := map[string]any{"error": "<message>"}

	tests := []struct {
		name string
		body string
		want answer
	}{
		{
			name: "course event",
			body: `{"type":"PostCreated","data":{"id":"0a1b2c3d","title":"hi"}}`,
			want: answer{Status: 200, Body: map[string]any{"status": "OK", "id": "<id>", "seq": 1.0}},
		},
		{
			name: "unknown type is stored",
			body: `{"type":"SomethingNew","data":{"x":1}}`,
			want: answer{Status: 200, Body: map[string]any{"status": "OK", "id": "<id>", "seq": 2.0}},
		},
		{
			name: "client id and seq: id kept, seq set by the bus",
			body: `{"type":"PostCreated","data":{},"id":"fixed","seq":99}`,
			want: answer{Status: 200, Body: map[string]any{"status": "OK", "id": "<id>", "seq": 3.0}},
		},
		{
			name: "repeated id is not stored twice",
			body: `{"type":"PostCreated","data":{},"id":"fixed"}`,
			want: answer{Status: 200, Body: map[string]any{"status": "OK", "id": "<id>", "seq": 3.0}},
		},
		{name: "malformed JSON", body: `{"type":`, want: answer{Status: 400, Body: errBody}},
		{name: "not an object", body: `[1,2]`, want: answer{Status: 400, Body: errBody}},
		{name: "missing type", body: `{"data":{}}`, want: answer{Status: 400, Body: errBody}},
		{name: "type not a string", body: `{"type":5}`, want: answer{Status: 400, Body: errBody}},
		{name: "empty body", body: ``, want: answer{Status: 400, Body: errBody}},
		{
			name: "id too long",
			body: `{"type":"T","id":"` + strings.Repeat("x", MaxIDLen+1) + `"}`,
			want: answer{Status: 400, Body: errBody},
		},
		{
			name: "body over the limit",
			body: `{"type":"T","data":"` + strings.Repeat("x", 2048) + `"}`,
			want: answer{Status: 413, Body: errBody},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, http.MethodPost, b.URL+"/events", tt.body)
			got.Head, got.Body = "", shape(got.Body)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("POST /events %.40s (-want +got):\n%s", tt.body, diff)
			}
		})
	}

	// Nothing refused was stored.
	if got := b.bus.store.Head(); got != 3 {
		t.Errorf("head after the posts = %d, want 3", got)
	}
}

func TestGetEvents(t *testing.T) {
	b := startBus(t, Config{})
	c := event.NewClient(b.URL+"/events", nil)
	for i := range 5 {
		publish(t, c, "PostCreated", event.Post{ID: "p", Title: string(rune('a' + i))})
	}
	publish(t, c, "Unknown", map[string]int{"n": 1})

	tests := []struct {
		query    string
		status   int
		wantSeqs []uint64
	}{
		{query: "", status: 200, wantSeqs: upTo(6)},
		{query: "?since=0", status: 200, wantSeqs: upTo(6)},
		{query: "?since=4", status: 200, wantSeqs: []uint64{5, 6}},
		{query: "?since=6", status: 200, wantSeqs: []uint64{}},
		{query: "?since=100", status: 200, wantSeqs: []uint64{}},
		{query: "?limit=2", status: 200, wantSeqs: []uint64{1, 2}},
		{query: "?since=2&limit=3", status: 200, wantSeqs: []uint64{3, 4, 5}},
		{query: "?limit=0", status: 200, wantSeqs: upTo(6)},
		{query: "?since=5&wait=10s", status: 200, wantSeqs: []uint64{6}},
		{query: "?since=-1", status: 400},
		{query: "?since=x", status: 400},
		{query: "?limit=-2", status: 400},
		{query: "?wait=forever", status: 400},
		{query: "?wait=-1s", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := do(t, http.MethodGet, b.URL+"/events"+tt.query, "")
			if got.Status != tt.status {
				t.Fatalf("GET /events%s = %d %v, want %d", tt.query, got.Status, got.Body, tt.status)
			}
			if tt.status != 200 {
				if diff := cmp.Diff(map[string]any{"error": "<message>"}, shape(got.Body)); diff != "" {
					t.Errorf("GET /events%s body (-want +got):\n%s", tt.query, diff)
				}
				return
			}
			if got.Head != "6" {
				t.Errorf("GET /events%s %s = %q, want \"6\"", tt.query, event.HeadHeader, got.Head)
			}
			if diff := cmp.Diff(tt.wantSeqs, seqsOf(t, got.Body)); diff != "" {
				t.Errorf("GET /events%s seqs (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

// seqsOf checks that body is an array of events of the contract's shape and
// returns their seqs.
func seqsOf(t *testing.T, body any) []uint64 {
	t.Helper()
	arr, ok := body.([]any)
	if !ok {
		t.Fatalf("body = %v, want a JSON array", body)
	}
	seqs := []uint64{}
	for _, x := range arr {
		ev, _ := x.(map[string]any)
		if _, ok := ev["type"].(string); !ok {
			t.Errorf("event %v has no string type", x)
		}
		if _, ok := ev["data"].(map[string]any); !ok {
			t.Errorf("event %v has no data object", x)
		}
		if id, _ := ev["id"].(string); id == "" {
			t.Errorf("event %v has no id", x)
		}
		seq, _ := ev["seq"].(float64)
		seqs = append(seqs, uint64(seq))
	}
	return seqs
}

func TestGetEventsLongPoll(t *testing.T) {
	b := startBus(t, Config{})
	c := event.NewClient(b.URL, nil)

	// A poll with nothing new answers an empty page once the wait passes.
	page, err := c.Read(context.Background(), 0, 0, 20*time.Millisecond)
	if err != nil || len(page.Events) != 0 || page.Head != 0 {
		t.Fatalf("Read(0, wait 20ms) on an empty bus = %+v, %v, want an empty page", page, err)
	}

	// A poll that is waiting answers with the event published meanwhile.
	got := make(chan event.Page, 1)
	go func() {
		p, err := c.Read(context.Background(), 0, 0, time.Minute)
		if err != nil {
			t.Errorf("Read(wait) = %v", err)
		}
		got <- p
	}()
	waitFor(t, "the poll to wait", func() bool { return pollers(b) > 0 })
	publish(t, c, "PostCreated", event.Post{ID: "1", Title: "t"})
	p := <-got
	if len(p.Events) != 1 || p.Events[0].Seq != 1 || p.Head != 1 {
		t.Errorf("Read(wait) = %+v, want the one event published while waiting", p)
	}
}

func TestHealthAndSubscribers(t *testing.T) {
	sub := newRecorder()
	srv := startSubscriber(t, sub)
	b := startBus(t, Config{Subscribers: []string{srv}})
	c := event.NewClient(b.URL, nil)
	publish(t, c, "Whatever", map[string]string{})
	sub.waitCount(t, 1)

	for _, path := range []string{"/healthz", "/readyz"} {
		if got := do(t, http.MethodGet, b.URL+path, ""); got.Status != 200 {
			t.Errorf("GET %s = %d %v, want 200", path, got.Status, got.Body)
		}
	}

	// The cursor moves after the answer: wait for it.
	want := []any{map[string]any{
		"url": srv, "delivered": 1.0, "lag": 0.0, "batch": 1.0, "failures": 0.0, "rejected": 0.0,
	}}
	var got answer
	for range 100 {
		if got = do(t, http.MethodGet, b.URL+"/subscribers", ""); cmp.Equal(want, got.Body) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(want, got.Body); diff != "" {
		t.Errorf("GET /subscribers (-want +got):\n%s", diff)
	}
	if got := do(t, http.MethodGet, b.URL+"/nowhere", ""); got.Status != 404 {
		t.Errorf("GET /nowhere = %d, want 404", got.Status)
	}
}

// TestGetEventsPaged reads a log longer than one page of the stream.
func TestGetEventsPaged(t *testing.T) {
	b := startBus(t, Config{})
	const total = 2*streamPage + 100
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < total; i += 16 {
				ev := event.Event{Type: "T", Data: json.RawMessage(`{}`)}
				if _, err := b.bus.store.Append(context.Background(), ev); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	tests := []struct {
		query string
		want  []uint64
	}{
		{query: "", want: upTo(total)},
		{query: "?since=100&limit=700", want: upTo(800)[100:]},
		{query: fmt.Sprintf("?since=%d", total-3), want: []uint64{total - 2, total - 1, total}},
	}
	for _, tt := range tests {
		got := do(t, http.MethodGet, b.URL+"/events"+tt.query, "")
		if diff := cmp.Diff(tt.want, seqsOf(t, got.Body)); diff != "" {
			t.Errorf("GET /events%s seqs (-want +got):\n%s", tt.query, diff)
		}
	}
}

// TestShutdownAnswersLongPolls checks that a clean shutdown answers a
// waiting long poll with an empty page instead of cutting it.
func TestShutdownAnswersLongPolls(t *testing.T) {
	b := startBus(t, Config{})
	c := event.NewClient(b.URL, nil)
	publish(t, c, "T", map[string]int{})

	type result struct {
		page event.Page
		err  error
	}
	got := make(chan result, 1)
	go func() {
		p, err := c.Read(context.Background(), 1, 0, time.Minute)
		got <- result{p, err}
	}()
	waitFor(t, "the poll to wait", func() bool { return pollers(b) > 0 })
	b.Stop(t)

	r := <-got
	if r.err != nil || len(r.page.Events) != 0 || r.page.Head != 1 {
		t.Errorf("Read(wait) across shutdown = %+v, %v, want an empty page at head 1", r.page, r.err)
	}
}
