package event_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/bus"
)

// serveBus runs a real bus on ln until the test ends.
func serveBus(t *testing.T, ln net.Listener) {
	t.Helper()
	b, err := bus.Open(bus.Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bus Serve() = %v", err)
		}
	})
}

// TestPublishWaitsForTheBus publishes before the bus listens: Publish
// retries until it is up, and a second publish of the same event is stored
// once.
func TestPublishWaitsForTheBus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	c := event.NewClient("http://"+addr+"/events", nil)
	ev, err := event.New(event.PostCreated, "PostCreated/1", event.Post{ID: "1", Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		ev  event.Event
		err error
	}
	got := make(chan result, 1)
	go func() {
		e, err := c.Publish(context.Background(), ev)
		got <- result{e, err}
	}()

	// Bring the bus up on the address the client is retrying.
	time.Sleep(100 * time.Millisecond)
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s again: %v", addr, err)
	}
	serveBus(t, ln)

	r := <-got
	if r.err != nil || r.ev.Seq != 1 || r.ev.ID != "PostCreated/1" {
		t.Fatalf("Publish() = %+v, %v, want seq 1 and the given id", r.ev, r.err)
	}
	again, err := c.Publish(context.Background(), ev)
	if err != nil || again.Seq != 1 {
		t.Errorf("Publish(same id) = seq %d, %v, want seq 1", again.Seq, err)
	}

	page, err := c.Read(context.Background(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Event{{Type: event.PostCreated, Data: ev.Data, ID: "PostCreated/1", Seq: 1}}
	if diff := cmp.Diff(want, page.Events); diff != "" || page.Head != 1 {
		t.Errorf("Read(0) head %d, events (-want +got):\n%s", page.Head, diff)
	}
}

// TestPublishRefused checks that an answer no retry can mend fails at once.
func TestPublishRefused(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"malformed event: missing \"type\""}`))
	}))
	defer srv.Close()

	c := event.NewClient(srv.URL, nil)
	_, err := c.Publish(context.Background(), event.Event{Type: "X"})
	if n := calls.Load(); err == nil || n != 1 {
		t.Fatalf("Publish() to a refusing bus = %v after %d calls, want an error after 1", err, n)
	}
	if want := `missing "type"`; !strings.Contains(err.Error(), want) {
		t.Errorf("Publish() error = %q, want it to carry %q", err, want)
	}
}

// TestPublishGivesUp checks MaxElapsed against a bus that never answers.
func TestPublishGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	c := event.NewClient("http://"+addr, nil)
	c.MaxElapsed = 300 * time.Millisecond
	_, err = c.Publish(context.Background(), event.Event{Type: "X"})
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("Publish() to no bus = %v, want the connection error", err)
	}
}
