// Package projection keeps a service's state as a fold of the event bus's
// log, which is how the posts, comments, query and moderation services
// survive any crash without a store of their own.
//
// A service holds its state in memory. At start it rebuilds it by reading
// the bus's log from the beginning, page by page, retrying with backoff
// while the bus is not up yet, and reports not-ready until it has caught up
// with the head it saw. No acknowledged post or comment can be lost,
// because posts and comments answer only once the bus has durably stored
// their event; and no state can drift, because every service derives all of
// it from that one log. The price is a start time that grows with the log:
// a service replays some 150,000 events a second. A service records its own
// writes at once, so that it reads them back before the bus delivers them.
//
// Each event takes effect once. Events carry the bus's sequence number and
// are applied strictly in that order: a delivered event at or below the
// applied position is a duplicate and is ignored, and one beyond the next
// position reveals a gap, which is filled by reading the log first. Events
// without a sequence number (sent straight to a service by a tool of the
// course) are applied as they come, and the state makes them idempotent by
// entity: a comment already present is not added again.
//
// Applying an event may cause new events (moderation answers CommentCreated
// with CommentModerated). Those effects carry deterministic IDs, so the bus
// stores each once however often it is published. They wait in an outbox
// until published or seen in the log: while catching up they are held back,
// and those the log already holds further on are dropped, so a restart does
// not republish history. Live, a delivery is acknowledged only after its
// effects are published, together, in one request to the bus per batch.
//
// The state belongs to one log. blogctl's bus names its log with a random
// identity (event.LogHeader) on every read and delivery; the projection
// remembers the first it sees. A different one means the bus's log was
// replaced, by a bus that lost its data: its sequence numbers start again
// from 1, and the projection would take new events for ones already
// applied. So it applies nothing more, answers deliveries 503 so that the
// bus keeps them, logs what happened, and Serve returns ErrLogReplaced, so
// that the process exits and, started again, folds the new log. A bus that
// names no log is not checked.
package projection

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blogctl/blogctl/internal/event"
)

// State is a service's state, folded from events.
type State interface {
	// Apply folds ev into the state and returns the events it causes, each
	// with a deterministic ID. It is called with the projection's lock
	// held, once per event, in log order for events with a sequence number.
	// An event it cannot use is an error, which is logged and skipped: the
	// log cannot be refused.
	Apply(ev event.Event) ([]event.Event, error)
}

// Projection folds the bus's log into a State and keeps it current with the
// events the bus delivers.
type Projection struct {
	bus   *event.Client
	log   *slog.Logger
	state State

	mu      sync.RWMutex
	applied uint64                 // sequence number of the last applied event
	live    bool                   // caught up once: effects are published at once
	outbox  map[string]event.Event // effects not yet known to be in the log
	moved   chan struct{}          // closed and replaced each time events are applied

	ready atomic.Bool
	head  atomic.Uint64 // the head to catch up to, for /readyz

	logMu       sync.Mutex
	logID       string        // identity of the log the state is folded from
	replacedErr error         // set once the bus's log is found replaced
	replaced    chan struct{} // closed then
}

// New returns a projection of state fed by the bus at bus.
func New(bus *event.Client, state State, log *slog.Logger) *Projection {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Projection{
		bus: bus, log: log, state: state,
		outbox: make(map[string]event.Event), moved: make(chan struct{}),
		replaced: make(chan struct{}),
	}
}

// View runs fn with the state locked for reading.
func (p *Projection) View(fn func()) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	fn()
}

// Applied returns the sequence number of the last event applied.
func (p *Projection) Applied() uint64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.applied
}

// Ready reports, for /readyz, whether the projection has caught up with
// the log since the service started.
func (p *Projection) Ready() error {
	if err := p.Err(); err != nil {
		return err
	}
	if p.ready.Load() {
		return nil
	}
	return fmt.Errorf("catching up with the event bus at %s: at %d of %d",
		p.bus.URL(), p.Applied(), p.head.Load())
}

// Deliver applies events delivered by the bus, in order, filling any gap
// from the log, and publishes their effects before returning.
func (p *Projection) Deliver(ctx context.Context, evs []event.Event) error {
	for len(evs) > 0 {
		p.mu.Lock()
		rest := p.applyLocked(evs)
		p.mu.Unlock()
		evs = rest
		if len(evs) == 0 {
			break
		}

		// A gap before evs[0]: read the log up to it.
		if err := p.syncTo(ctx, evs[0].Seq-1); err != nil {
			return err
		}
	}
	return p.Flush(ctx)
}

// Record applies an event the service itself has just had stored, so that
// the service reads its own writes before the bus delivers the event back.
// The state must make it idempotent by entity, as an event without a
// sequence number.
func (p *Projection) Record(ev event.Event) {
	ev.Seq = 0
	p.mu.Lock()
	p.applyLocked([]event.Event{ev})
	p.mu.Unlock()
}

// Await waits until cond, called with the state locked for reading,
// holds, re-checking it each time events are applied, for at most wait.
// It reports whether cond held. A service calls it before Sync when an
// entity may have just been created: the bus's delivery usually brings it
// sooner and at less cost than a read of the log.
func (p *Projection) Await(ctx context.Context, wait time.Duration, cond func() bool) bool {
	var t *time.Timer
	for {
		p.mu.RLock()
		ok, moved := cond(), p.moved
		p.mu.RUnlock()
		if ok {
			return true
		}
		if t == nil {
			t = time.NewTimer(wait)
			defer t.Stop()
		}
		select {
		case <-moved:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// applyLocked applies evs in order until it meets a gap, and returns the
// events from the gap on. p.mu must be held.
func (p *Projection) applyLocked(evs []event.Event) []event.Event {
	if len(evs) > 0 {
		close(p.moved)
		p.moved = make(chan struct{})
	}
	for i, ev := range evs {
		if ev.Seq != 0 {
			if ev.Seq <= p.applied {
				continue // a duplicate
			}
			if ev.Seq > p.applied+1 {
				return evs[i:]
			}
			p.applied = ev.Seq
		}
		delete(p.outbox, ev.ID)
		effects, err := p.state.Apply(ev)
		if err != nil {
			p.log.Warn("skipping an event", "type", ev.Type, "id", ev.ID, "seq", ev.Seq, "err", err)
			continue
		}
		for _, eff := range effects {
			p.outbox[eff.ID] = eff
		}
	}
	return nil
}
