package projection_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/projection"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

// echo is a State that records the IDs it applies and answers every
// "Ping" event with a "Pong" effect whose ID is "Pong/<ping id>".
type echo struct{ applied []string }

func (e *echo) Apply(ev event.Event) ([]event.Event, error) {
	e.applied = append(e.applied, ev.ID)
	if ev.Type != "Ping" {
		return nil, nil
	}
	return []event.Event{{Type: "Pong", ID: "Pong/" + ev.ID, Data: []byte("{}")}}, nil
}

func appendAll(bus *st.Bus, typ string, ids ...string) []event.Event {
	var evs []event.Event
	for _, id := range ids {
		evs = append(evs, bus.Append(event.Event{Type: typ, ID: id, Data: []byte("{}")}))
	}
	return evs
}

// TestDeliverOrder checks that deliveries are applied once each, in log
// order, whatever order and repetition they arrive in.
func TestDeliverOrder(t *testing.T) {
	tests := []struct {
		name       string
		deliveries [][]int // indexes into the log, one slice per delivery
		want       []string
	}{
		{"in order", [][]int{{0}, {1}, {2}}, []string{"a", "b", "c"}},
		{"batched", [][]int{{0, 1, 2}}, []string{"a", "b", "c"}},
		{"repeated", [][]int{{0, 1}, {0, 1}, {1, 2}, {2}}, []string{"a", "b", "c"}},
		{"gap filled from the log", [][]int{{2}}, []string{"a", "b", "c"}},
		{"gap inside a batch", [][]int{{0, 2}}, []string{"a", "b", "c"}},
		{"backwards", [][]int{{2}, {1}, {0}}, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := st.New(t)
			log := appendAll(bus, "Note", "a", "b", "c")
			state := &echo{}
			p := projection.New(bus.Client(), state, nil)
			for _, d := range tt.deliveries {
				var evs []event.Event
				for _, i := range d {
					evs = append(evs, log[i])
				}
				if err := p.Deliver(context.Background(), evs); err != nil {
					t.Fatalf("Deliver(%v) = %v", d, err)
				}
			}
			if diff := cmp.Diff(tt.want, state.applied); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEffects checks that effects wait during the catch-up, that those
// the log already holds are not published again, and that live effects
// are published before Deliver returns.
func TestEffects(t *testing.T) {
	bus := st.New(t)
	appendAll(bus, "Ping", "p1", "p2")
	appendAll(bus, "Pong", "Pong/p1") // p1 was answered before a restart
	p := projection.New(bus.Client(), &echo{}, nil)
	if err := p.Ready(); err == nil {
		t.Errorf("Ready() before CatchUp = nil, want an error")
	}
	if err := p.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.Ready(); err != nil {
		t.Errorf("Ready() after CatchUp = %v, want nil", err)
	}
	if got := bus.Posted(); got != 1 {
		t.Errorf("events published by the catch-up = %d, want 1 (Pong/p2):\n%s", got, bus)
	}

	ping := appendAll(bus, "Ping", "p3")
	if err := p.Deliver(context.Background(), ping); err != nil {
		t.Fatal(err)
	}
	var pongs []string
	for _, ev := range bus.Events() {
		if ev.Type == "Pong" {
			pongs = append(pongs, ev.ID)
		}
	}
	if diff := cmp.Diff([]string{"Pong/p1", "Pong/p2", "Pong/p3"}, pongs); diff != "" {
		t.Errorf("Pong events in the log (-want +got):\n%s", diff)
	}
}

// TestEffectRetried checks that an effect whose publish failed is
// published by the next delivery, even a duplicate one.
func TestEffectRetried(t *testing.T) {
	bus := st.New(t)
	client := bus.Client()
	client.MaxElapsed = 1 // give up at once
	p := projection.New(client, &echo{}, nil)
	if err := p.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	ping := appendAll(bus, "Ping", "p1")

	bus.SetDown(true)
	if err := p.Deliver(context.Background(), ping); err == nil {
		t.Fatalf("Deliver() with the bus down = nil, want an error")
	}
	bus.SetDown(false)
	if err := p.Deliver(context.Background(), ping); err != nil {
		t.Fatalf("Deliver() again = %v", err)
	}
	if n := bus.Count("Pong"); n != 1 {
		t.Errorf("Pong events = %d, want 1:\n%s", n, bus)
	}
}

// TestAwait checks that Await sees an event applied while it waits, and
// gives up after its wait when none comes.
func TestAwait(t *testing.T) {
	bus := st.New(t)
	log := appendAll(bus, "Note", "a")
	state := &echo{}
	p := projection.New(bus.Client(), state, nil)
	seen := func() bool { return len(state.applied) > 0 }

	if p.Await(context.Background(), 10*time.Millisecond, seen) {
		t.Fatalf("Await() before any delivery = true, want false")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		if err := p.Deliver(context.Background(), log); err != nil {
			t.Errorf("Deliver() = %v", err)
		}
	}()
	if !p.Await(context.Background(), 10*time.Second, seen) {
		t.Errorf("Await() during a delivery = false, want true")
	}
}
