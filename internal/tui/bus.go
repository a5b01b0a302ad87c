package tui

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/blogctl/blogctl/internal/event"
)

// BusSource follows the event bus's log with long polls from a cursor, so
// a new event reaches the dashboard as soon as the bus stores it and an
// idle bus costs one request per Wait.
type BusSource struct {
	Client *event.Client
	// Resolve, when set, finds the bus again after a failed poll (and
	// first, when Client is nil), for a bus whose address can change: a
	// restarted local system or container.
	Resolve func(ctx context.Context) (*event.Client, error)
	// Wait is how long one poll waits for an event; zero means 30 seconds.
	Wait time.Duration
	// Retry is the first pause after a failed poll; zero means one second.
	// The pause doubles while the bus stays away, up to maxRetry.
	Retry time.Duration
}

// sourceBus names the event bus in ConnMsg.
const sourceBus = "event bus"

// maxRetry is the longest pause between polls of a lost bus.
const maxRetry = 8 * time.Second

// pageSize is how many events one poll asks for.
const pageSize = 200

// Start follows the bus until ctx ends, sending on out.
func (b *BusSource) Start(ctx context.Context, out chan<- tea.Msg) {
	go b.follow(ctx, out)
}

func (b *BusSource) follow(ctx context.Context, out chan<- tea.Msg) {
	wait := cmpOr(b.Wait, 30*time.Second)
	retry := cmpOr(b.Retry, time.Second)
	var since uint64
	down, pause := false, retry
	for ctx.Err() == nil {
		// While the bus is lost, ask without waiting, so that its return
		// shows at once rather than after a long poll.
		w := wait
		if down {
			w = 0
		}
		page, err := b.read(ctx, since, w)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !down && !send(ctx, out, ConnMsg{Source: sourceBus, Err: busError(err)}) {
				return
			}
			down = true
			sleep(ctx, pause)
			pause = min(2*pause, max(maxRetry, retry))
			continue
		}
		if down && !send(ctx, out, ConnMsg{Source: sourceBus}) {
			return
		}
		down, pause = false, retry

		// A head behind the cursor means the bus started a new log.
		if page.Head < since {
			since = 0
			if !send(ctx, out, BlogEventsMsg{Reset: true}) {
				return
			}
			continue
		}
		if len(page.Events) == 0 {
			continue
		}
		since = page.Events[len(page.Events)-1].Seq
		if !send(ctx, out, BlogEventsMsg{Events: page.Events}) {
			return
		}
	}
}

// read polls the bus once, finding it first if it is not known.
func (b *BusSource) read(ctx context.Context, since uint64, wait time.Duration) (event.Page, error) {
	if b.Client == nil {
		c, err := b.Resolve(ctx)
		if err != nil {
			return event.Page{}, err
		}
		b.Client = c
	}
	page, err := b.Client.Read(ctx, since, pageSize, wait)
	if err != nil && b.Resolve != nil {
		b.Client = nil
	}
	return page, err
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// busError shortens err for the banner: it drops the "reading the event
// bus at <url>" that the banner says in fewer words, reads the message out
// of a Kubernetes Status that the API server's proxy answers with, and
// adds the next step to a bus that is not there.
func busError(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	msg := err.Error()
	if i := strings.Index(msg, `{"kind":"Status"`); i >= 0 {
		var st struct{ Message string }
		if json.Unmarshal([]byte(msg[i:]), &st) == nil && st.Message != "" {
			msg = msg[:i] + st.Message
		}
	}
	if strings.HasPrefix(msg, "404 ") || strings.HasPrefix(msg, "503 ") {
		msg += " (is the system deployed here? or pass --event-bus-url)"
	}
	return errors.New(msg)
}
