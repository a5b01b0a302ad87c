// Package servicetest helps unit-test the services: an in-memory event bus
// that stores events with sequence numbers, dedupes them by ID,
// serves GET /events?since=N&limit=L, and delivers its log to handlers on
// demand. The real bus is package bus; system tests use that one.
package servicetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/blogctl/blogctl/internal/event"
)

// Bus is a fake event bus serving on loopback.
type Bus struct {
	// URL is the bus's address.
	URL string

	mu     sync.Mutex
	log    []event.Event
	byID   map[string]event.Event
	down   bool
	logID  string
	posted int
	cursor map[http.Handler]uint64
}

// New starts a fake bus that stops when the test ends.
func New(t testing.TB) *Bus {
	b := &Bus{byID: make(map[string]event.Event), cursor: make(map[http.Handler]uint64)}
	srv := httptest.NewServer(http.HandlerFunc(b.serveHTTP))
	t.Cleanup(srv.Close)
	b.URL = srv.URL
	return b
}

// Client returns a client of the bus.
func (b *Bus) Client() *event.Client { return event.NewClient(b.URL, nil) }

// SetDown makes the bus answer 503 to everything while down is true.
func (b *Bus) SetDown(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
}

// SetLog makes the bus name its log id, as event.LogHeader on its answers
// to GET /events and on the deliveries of Pump; an empty id, the default,
// names none, as the course's bus.
func (b *Bus) SetLog(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logID = id
}

// Replace empties the log and names the new one id, as a bus that lost its
// data and started a new log does.
func (b *Bus) Replace(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log, b.byID, b.logID = nil, make(map[string]event.Event), id
	b.cursor = make(map[http.Handler]uint64)
}

// Log returns the name the bus gives its log, empty if none.
func (b *Bus) Log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.logID
}

// Events returns a copy of the log.
func (b *Bus) Events() []event.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]event.Event(nil), b.log...)
}

// Append stores ev as a publisher would, and returns it as stored.
func (b *Bus) Append(ev event.Event) event.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.ID == "" {
		ev.ID = event.NewID()
	}
	if old, ok := b.byID[ev.ID]; ok {
		return old
	}
	ev.Seq = uint64(len(b.log) + 1)
	b.log = append(b.log, ev)
	b.byID[ev.ID] = ev
	return ev
}

func (b *Bus) serveHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	down := b.down
	b.mu.Unlock()
	switch {
	case down:
		http.Error(w, `{"error":"down"}`, http.StatusServiceUnavailable)
	case r.Method == http.MethodPost && r.URL.Path == "/events":
		b.publish(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/events":
		b.read(w, r)
	default:
		http.NotFound(w, r)
	}
}

// publish stores one event, or an array of them, all or none, as the real
// bus does.
func (b *Bus) publish(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, `{"error":"reading the body"}`, http.StatusBadRequest)
		return
	}
	body = bytes.TrimSpace(body)
	array := len(body) > 0 && body[0] == '['
	var evs []event.Event
	if !array {
		body = append(append([]byte{'['}, body...), ']')
	}
	if err := json.Unmarshal(body, &evs); err != nil || len(evs) == 0 || slices.ContainsFunc(evs,
		func(ev event.Event) bool { return ev.Type == "" }) {
		http.Error(w, `{"error":"malformed event"}`, http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.posted += len(evs)
	b.mu.Unlock()
	placed := make([]map[string]any, len(evs))
	for i, ev := range evs {
		ev = b.Append(ev)
		placed[i] = map[string]any{"id": ev.ID, "seq": ev.Seq}
	}
	if array {
		writeJSON(w, map[string]any{"status": "OK", "events": placed})
		return
	}
	writeJSON(w, map[string]any{"status": "OK", "id": placed[0]["id"], "seq": placed[0]["seq"]})
}

func (b *Bus) read(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	b.mu.Lock()
	head := uint64(len(b.log))
	page := []event.Event{}
	if since < head {
		page = append(page, b.log[since:]...)
	}
	b.mu.Unlock()
	if limit > 0 && len(page) > limit {
		page = page[:limit]
	}
	w.Header().Set(event.HeadHeader, strconv.FormatUint(head, 10))
	if id := b.Log(); id != "" {
		w.Header().Set(event.LogHeader, id)
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Pump delivers the log to every handler, as arrays of at most batch
// events to POST /events, until no handler's delivery adds an event. It
// fails the test on a delivery that is not answered 200.
func (b *Bus) Pump(t testing.TB, batch int, handlers ...http.Handler) {
	t.Helper()
	for {
		moved := false
		for _, h := range handlers {
			for b.deliverOnce(t, h, batch) {
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

func (b *Bus) deliverOnce(t testing.TB, h http.Handler, batch int) bool {
	t.Helper()
	b.mu.Lock()
	from := b.cursor[h]
	to := min(uint64(len(b.log)), from+uint64(batch))
	page := append([]event.Event(nil), b.log[from:to]...)
	b.mu.Unlock()
	if len(page) == 0 {
		return false
	}
	body, _ := json.Marshal(page)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body))
	if id := b.Log(); id != "" {
		req.Header.Set(event.LogHeader, id)
	}
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("delivering events %d..%d: %d %s", from+1, to, rec.Code, rec.Body)
	}
	b.mu.Lock()
	b.cursor[h] = to
	b.mu.Unlock()
	return true
}

// Posted returns how many events were POSTed to the bus, duplicates
// included.
func (b *Bus) Posted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.posted
}

// Count returns how many events of type typ the log holds.
func (b *Bus) Count(typ string) int {
	n := 0
	for _, ev := range b.Events() {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// String describes the log, for test failures.
func (b *Bus) String() string {
	var buf bytes.Buffer
	for _, ev := range b.Events() {
		fmt.Fprintf(&buf, "%d %s %s %s\n", ev.Seq, ev.Type, ev.ID, ev.Data)
	}
	return buf.String()
}
