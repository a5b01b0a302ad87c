package projection_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
	"github.com/blogctl/blogctl/internal/services/projection"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

// logBuffer collects a logger's output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// errors returns the lines logged at error level.
func (b *logBuffer) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for line := range strings.Lines(b.buf.String()) {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// caughtUp returns a projection of an echo state caught up with bus,
// whose log is named "A" and holds a and b, and the log it writes.
func caughtUp(t *testing.T, bus *st.Bus) (*projection.Projection, *echo, *logBuffer) {
	t.Helper()
	bus.SetLog("A")
	appendAll(bus, "Note", "a", "b")
	logs := &logBuffer{}
	state := &echo{}
	p := projection.New(bus.Client(), state, slog.New(slog.NewTextHandler(logs, nil)))
	if err := p.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p, state, logs
}

// deliver posts evs to h as the bus would, naming log, and returns the
// answer's status.
func deliver(t *testing.T, h http.Handler, log string, evs []event.Event) int {
	t.Helper()
	body, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body))
	if log != "" {
		req.Header.Set(event.LogHeader, log)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func eventsHandler(p *projection.Projection) http.Handler {
	rt := httpapi.NewRouter(httpapi.Options{})
	rt.Handle("POST /events", p.HandleEvents)
	return rt
}

// TestLogReplaced catches a projection up with a log named A, then changes
// what the bus serves and delivers: the same log or a bus that names none
// is business as usual; a new log, met by a delivery or by a read, stops
// the projection for good, with one error logged, nothing applied, and
// deliveries answered 503 so that the bus keeps them.
func TestLogReplaced(t *testing.T) {
	tests := []struct {
		name string
		// then changes the bus and returns the events to deliver.
		then func(bus *st.Bus) []event.Event
		// read, if set, meets the bus with Sync before the delivery.
		read         bool
		wantReplaced bool
		wantApplied  []string
	}{
		{
			name:        "same log",
			then:        func(bus *st.Bus) []event.Event { return appendAll(bus, "Note", "c") },
			wantApplied: []string{"a", "b", "c"},
		},
		{
			name: "bus names no log",
			then: func(bus *st.Bus) []event.Event {
				bus.SetLog("")
				return appendAll(bus, "Note", "c")
			},
			wantApplied: []string{"a", "b", "c"},
		},
		{
			name: "new log met by a delivery",
			then: func(bus *st.Bus) []event.Event {
				bus.Replace("B")
				return appendAll(bus, "Note", "x", "y", "z")
			},
			wantReplaced: true,
			wantApplied:  []string{"a", "b"},
		},
		{
			name: "new log met by a read",
			then: func(bus *st.Bus) []event.Event {
				bus.Replace("B")
				return appendAll(bus, "Note", "x", "y", "z")
			},
			read:         true,
			wantReplaced: true,
			wantApplied:  []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := st.New(t)
			p, state, logs := caughtUp(t, bus)
			h := eventsHandler(p)
			evs := tt.then(bus)
			if tt.read {
				if err := p.Sync(context.Background()); !errors.Is(err, projection.ErrLogReplaced) {
					t.Errorf("Sync() from a new log = %v, want ErrLogReplaced", err)
				}
			}

			// Deliver twice: a refusal must hold, and be logged once.
			want := http.StatusOK
			if tt.wantReplaced {
				want = http.StatusServiceUnavailable
			}
			for i := range 2 {
				got := deliver(t, h, bus.Log(), evs)
				if got != want {
					t.Errorf("delivery %d: status %d, want %d", i+1, got, want)
				}
			}
			checkReplaced(t, p, logs, tt.wantReplaced)
			var applied []string
			p.View(func() { applied = append(applied, state.applied...) })
			if diff := cmp.Diff(tt.wantApplied, applied); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
		})
	}
}

// checkReplaced checks Err, Ready and the error log of p against whether
// the log was replaced.
func checkReplaced(t *testing.T, p *projection.Projection, logs *logBuffer, replaced bool) {
	t.Helper()
	if err := p.Err(); errors.Is(err, projection.ErrLogReplaced) != replaced {
		t.Errorf("Err() = %v, want ErrLogReplaced: %v", err, replaced)
	}
	if err := p.Ready(); (err != nil) != replaced {
		t.Errorf("Ready() = %v, want an error: %v", err, replaced)
	}
	errs := logs.errors()
	switch {
	case !replaced && len(errs) > 0:
		t.Errorf("logged errors %q, want none", errs)
	case replaced && len(errs) != 1:
		t.Errorf("logged %d errors %q, want one", len(errs), errs)
	case replaced:
		for _, want := range []string{"log A → B", "restarted", "--no-storage-class"} {
			if !strings.Contains(errs[0], want) {
				t.Errorf("error logged = %q, want it to say %q", errs[0], want)
			}
		}
	}
}

// TestServeStopsOnReplacedLog runs Serve against a bus whose log is
// replaced after the catch-up: a delivery from the new log is answered
// 503, and Serve returns ErrLogReplaced on its own, so that the process
// exits and is started again.
func TestServeStopsOnReplacedLog(t *testing.T) {
	bus := st.New(t)
	bus.SetLog("A")
	appendAll(bus, "Note", "a")
	p := projection.New(bus.Client(), &echo{}, nil)
	addr := freeAddr(t)
	done := make(chan error, 1)
	go func() {
		done <- projection.Serve(t.Context(), addr, eventsHandler(p), p, slog.New(slog.DiscardHandler))
	}()
	waitReady(t, p)

	bus.Replace("B")
	evs := appendAll(bus, "Note", "x")
	body, _ := json.Marshal(evs)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/events", bytes.NewReader(body))
	req.Header.Set(event.LogHeader, "B")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("delivery from the new log: status %d, want 503", resp.StatusCode)
	}
	select {
	case err := <-done:
		if !errors.Is(err, projection.ErrLogReplaced) {
			t.Errorf("Serve() = %v, want ErrLogReplaced", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("Serve() still serving 15 s after the log was replaced, want it to return")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, p *projection.Projection) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.Ready() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 10 s: %v", p.Ready())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
