package tui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
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
	down, pause, reached := false, retry, false
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
			if !down && !send(ctx, out, busConnMsg(err, reached)) {
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
		down, pause, reached = false, retry, true

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
			return event.Page{}, &resolveError{err}
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

// resolveError says that the bus could not be found at all.
type resolveError struct{ err error }

func (e *resolveError) Error() string { return e.err.Error() }
func (e *resolveError) Unwrap() error { return e.err }

// busConnMsg says why the bus cannot be read: a lost connection, or, when
// it was never reached and is not there, a missing bus.
func busConnMsg(err error, reached bool) ConnMsg {
	var re *resolveError
	var se *event.StatusError
	missing := errors.As(err, &re) || errors.As(err, &se) && se.Code == http.StatusNotFound
	if reached || !missing {
		return ConnMsg{Source: sourceBus, Err: busError(err)}
	}
	if re != nil {
		return ConnMsg{Source: sourceBus, Err: re.err, Missing: true}
	}
	msg := se.Status + ": " + se.Message
	if st := kubeStatusMessage(se.Message); st != "" {
		msg = kubeNotFound.ReplaceAllString(st, "service $1")
	}
	return ConnMsg{Source: sourceBus, Err: errors.New(msg), Missing: true}
}

// kubeNotFound matches the API server's words for a missing Service.
var kubeNotFound = regexp.MustCompile(`services "([^"]+)"`)

// kubeStatusMessage reads the message of a Kubernetes Status in s, which
// the API server's proxy answers with; "" when there is none.
func kubeStatusMessage(s string) string {
	i := strings.Index(s, `{"kind":"Status"`)
	if i < 0 {
		return ""
	}
	var st struct{ Message string }
	if json.Unmarshal([]byte(s[i:]), &st) != nil {
		return ""
	}
	return st.Message
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
	if st := kubeStatusMessage(msg); st != "" {
		msg = msg[:strings.Index(msg, `{"kind":"Status"`)] + st
	}
	if strings.HasPrefix(msg, "404 ") || strings.HasPrefix(msg, "503 ") {
		msg += " (is the system deployed here? or pass --event-bus-url)"
	}
	return errors.New(msg)
}
