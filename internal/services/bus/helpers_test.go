package bus

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/event"
)

// testBus is a bus serving on loopback for a test.
type testBus struct {
	URL  string
	Dir  string
	bus  *Bus
	stop context.CancelFunc
	done chan error
}

// startBus serves a bus with cfg on a free loopback port until the test
// ends or Stop is called. An empty cfg.DataDir gets a fresh directory.
func startBus(t testing.TB, cfg Config) *testBus {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Delivery.RetryMin == 0 {
		cfg.Delivery.RetryMin = 5 * time.Millisecond
		cfg.Delivery.RetryMax = 50 * time.Millisecond
	}
	b, err := Open(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("Open(%+v) = %v", cfg, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb := &testBus{URL: "http://" + ln.Addr().String(), Dir: cfg.DataDir, bus: b}
	tb.stop, tb.done = cancel, make(chan error, 1)
	go func() { tb.done <- b.Serve(ctx, ln) }()
	t.Cleanup(func() { tb.Stop(t) })
	return tb
}

// Stop shuts the bus down cleanly and waits for it; later calls do nothing.
func (tb *testBus) Stop(t testing.TB) {
	t.Helper()
	if tb.stop == nil {
		return
	}
	tb.stop()
	tb.stop = nil
	if err := <-tb.done; err != nil {
		t.Errorf("Serve() = %v, want nil after a clean shutdown", err)
	}
}

// testLogger logs to the test at warn level and above.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// publish posts ev to the bus and returns the receipt.
func publish(t testing.TB, c *event.Client, typ string, data any) event.Event {
	t.Helper()
	ev, err := event.New(typ, "", data)
	if err != nil {
		t.Fatal(err)
	}
	ev, err = c.Publish(context.Background(), ev)
	if err != nil {
		t.Fatalf("Publish(%s) = %v", typ, err)
	}
	return ev
}

// recorder is a subscriber that records every event delivered to it, in
// order, and each request's size.
type recorder struct {
	mu       sync.Mutex
	events   []event.Event
	requests []int // events per request; 0 means a single event, not an array
	changed  chan struct{}
	batch    string // Blogctl-Batch answer header, if any
	// hook, if set, runs before each request is answered and may answer it
	// itself by returning false.
	hook func(w http.ResponseWriter, r *http.Request) bool
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.hook != nil && !rc.hook(w, r) {
		return
	}
	b, _ := io.ReadAll(r.Body)
	var evs []event.Event
	n := 0
	if err := json.Unmarshal(b, &evs); err != nil {
		ev, err := event.Decode(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		evs = []event.Event{ev}
	} else {
		n = len(evs)
	}

	rc.mu.Lock()
	rc.events = append(rc.events, evs...)
	rc.requests = append(rc.requests, n)
	rc.mu.Unlock()
	select {
	case rc.changed <- struct{}{}:
	default:
	}
	if rc.batch != "" {
		w.Header().Set(event.BatchHeader, rc.batch)
	}
	w.Write([]byte("{}"))
}

// seqs returns the sequence numbers received so far.
func (rc *recorder) seqs() []uint64 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]uint64, len(rc.events))
	for i, ev := range rc.events {
		out[i] = ev.Seq
	}
	return out
}

// waitCount waits until the recorder holds at least n events.
func (rc *recorder) waitCount(t testing.TB, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if got := len(rc.seqs()); got >= n {
			return
		}
		select {
		case <-rc.changed:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("subscriber got %d events, want %d", len(rc.seqs()), n)
		}
	}
}

// upTo returns 1, 2, ... n.
func upTo(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

// freeAddr returns a loopback address nothing listens on at the moment.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	return addr
}

// startSubscriber serves h on loopback until the test ends and returns its
// events URL.
func startSubscriber(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/events"
}

// pollers returns how many long polls are waiting on the bus.
func pollers(b *testBus) int64 { return b.bus.api.polls.Load() }
