package bus

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
)

func TestDeliveryInOrderToEverySubscriber(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, a), startSubscriber(t, b)}})
	c := event.NewClient(bus.URL, nil)

	const n = 50
	for i := range n {
		typ := "PostCreated"
		if i%10 == 0 {
			typ = "NobodyKnowsThisType"
		}
		publish(t, c, typ, map[string]int{"i": i})
	}
	for name, rc := range map[string]*recorder{"a": a, "b": b} {
		rc.waitCount(t, n)
		if diff := cmp.Diff(upTo(n), rc.seqs()); diff != "" {
			t.Errorf("subscriber %s seqs (-want +got):\n%s", name, diff)
		}
		if got := rc.events[0].Type; got != "NobodyKnowsThisType" {
			t.Errorf("subscriber %s first event type = %q, want the unknown type delivered", name, got)
		}
	}
}

func TestDeliveryToSubscriberThatComesUpLate(t *testing.T) {
	addr := freeAddr(t)
	bus := startBus(t, Config{Subscribers: []string{"http://" + addr + "/events"}})
	c := event.NewClient(bus.URL, nil)
	for i := range 20 {
		publish(t, c, "PostCreated", map[string]int{"i": i})
	}

	// Let delivery fail a few times, then bring the subscriber up.
	waitFor(t, "delivery failures", func() bool { return bus.bus.deliver.Status()[0].Failures >= 2 })
	rc := newRecorder()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	defer srv.Close()

	rc.waitCount(t, 20)
	if diff := cmp.Diff(upTo(20), rc.seqs()); diff != "" {
		t.Errorf("late subscriber seqs (-want +got):\n%s", diff)
	}
	waitFor(t, "failures reset", func() bool {
		st := bus.bus.deliver.Status()[0]
		return st.Failures == 0 && st.LastError == "" && st.Lag == 0
	})
}

func TestSlowSubscriberDoesNotBlockOthers(t *testing.T) {
	release := make(chan struct{})
	slow := newRecorder()
	slow.hook = func(w http.ResponseWriter, r *http.Request) bool {
		<-release
		return true
	}
	fast := newRecorder()
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, slow), startSubscriber(t, fast)}})
	defer close(release)
	c := event.NewClient(bus.URL, nil)

	for i := range 30 {
		publish(t, c, "PostCreated", map[string]int{"i": i})
	}
	fast.waitCount(t, 30)
	if got := len(slow.seqs()); got != 0 {
		t.Errorf("slow subscriber got %d events while held, want 0", got)
	}
}

func TestRetryWithBackoff(t *testing.T) {
	var attempts atomic.Int32
	rc := newRecorder()
	rc.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if attempts.Add(1) <= 3 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return false
		}
		return true
	}
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, rc)}})
	c := event.NewClient(bus.URL, nil)
	publish(t, c, "PostCreated", map[string]int{"i": 1})
	publish(t, c, "PostCreated", map[string]int{"i": 2})

	rc.waitCount(t, 2)
	if diff := cmp.Diff([]uint64{1, 2}, rc.seqs()); diff != "" {
		t.Errorf("seqs after retries (-want +got):\n%s", diff)
	}
	if got := attempts.Load(); got != 5 {
		t.Errorf("attempts = %d, want 5 (3 failures, then one per event)", got)
	}
}

func TestRefusedEventIsSkipped(t *testing.T) {
	rc := newRecorder()
	var calls atomic.Int32
	refuseFirst := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, `{"error":"bad event"}`, http.StatusBadRequest)
			return
		}
		rc.ServeHTTP(w, r)
	})
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, refuseFirst)}})
	c := event.NewClient(bus.URL, nil)
	publish(t, c, "T", map[string]int{})
	publish(t, c, "T", map[string]int{})

	rc.waitCount(t, 1)
	if diff := cmp.Diff([]uint64{2}, rc.seqs()); diff != "" {
		t.Errorf("seqs after a refusal (-want +got):\n%s", diff)
	}
	waitFor(t, "rejected count", func() bool { return bus.bus.deliver.Status()[0].Rejected == 1 })
}

func TestBatchNegotiation(t *testing.T) {
	rc := newRecorder()
	rc.batch = "10"
	first := make(chan struct{})
	appended := make(chan struct{})
	var n atomic.Int32
	rc.hook = func(w http.ResponseWriter, r *http.Request) bool {
		// Hold the first delivery until the rest of the log is written, so
		// that the pages are predictable.
		if n.Add(1) == 1 {
			close(first)
			<-appended
		}
		return true
	}
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, rc)}})
	c := event.NewClient(bus.URL, nil)
	publish(t, c, "PostCreated", map[string]int{"i": 0})
	<-first
	for i := range 25 {
		publish(t, c, "PostCreated", map[string]int{"i": i + 1})
	}
	close(appended)

	rc.waitCount(t, 26)
	if diff := cmp.Diff(upTo(26), rc.seqs()); diff != "" {
		t.Errorf("batched seqs (-want +got):\n%s", diff)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if diff := cmp.Diff([]int{0, 10, 10, 5}, rc.requests); diff != "" {
		t.Errorf("events per request, 0 for a single object (-want +got):\n%s", diff)
	}
}

func TestCursorsSurviveRestart(t *testing.T) {
	rc := newRecorder()
	url := startSubscriber(t, rc)
	dir := t.TempDir()

	bus := startBus(t, Config{DataDir: dir, Subscribers: []string{url}})
	c := event.NewClient(bus.URL, nil)
	for i := range 10 {
		publish(t, c, "PostCreated", map[string]int{"i": i})
	}
	rc.waitCount(t, 10)
	waitFor(t, "cursor at 10", func() bool { return bus.bus.deliver.Status()[0].Delivered == 10 })
	bus.Stop(t)

	// The restarted bus resumes after event 10 instead of from the start.
	bus = startBus(t, Config{DataDir: dir, Subscribers: []string{url}})
	c = event.NewClient(bus.URL, nil)
	for i := range 5 {
		publish(t, c, "PostCreated", map[string]int{"i": 10 + i})
	}
	rc.waitCount(t, 15)
	time.Sleep(50 * time.Millisecond) // room for an unwanted redelivery
	if diff := cmp.Diff(upTo(15), rc.seqs()); diff != "" {
		t.Errorf("seqs across a bus restart (-want +got):\n%s", diff)
	}
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
