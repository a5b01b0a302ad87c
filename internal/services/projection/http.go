package projection

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// Batch is the most events a service asks the bus to deliver in one
// request, with the event.BatchHeader of its answers.
const Batch = 256

var (
	emptyObject = []byte("{}")
	batchValue  = strconv.Itoa(Batch)
)

// HandleEvents is the handler of POST /events: it takes one event, as the
// course's bus sends, or an array of them, applies them, and answers {}.
//
// A delivery from a log other than the one the state was folded from is
// answered 503 and applied not at all: see ErrLogReplaced.
func (p *Projection) HandleEvents(w http.ResponseWriter, r *http.Request) error {
	if err := p.checkLog(r.Header.Get(event.LogHeader)); err != nil {
		return refuseReplaced(w)
	}
	body, err := httpapi.ReadBody(r)
	if err != nil {
		return err
	}
	evs, err := DecodeEvents(body)
	if err != nil {
		return fmt.Errorf("%w: %w", httpapi.ErrInvalid, err)
	}
	if err := p.Deliver(r.Context(), evs); err != nil {
		if errors.Is(err, ErrLogReplaced) {
			return refuseReplaced(w)
		}
		return fmt.Errorf("applying %d delivered events: %w", len(evs), err)
	}
	w.Header().Set(event.BatchHeader, batchValue)
	return httpapi.WriteRawJSON(w, http.StatusOK, emptyObject)
}

// DecodeEvents parses a delivery: one event or a JSON array of events, each
// with a type.
func DecodeEvents(b []byte) ([]event.Event, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		ev, err := event.Decode(b)
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	}
	var evs []event.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		return nil, fmt.Errorf("%w: %w", event.ErrMalformed, err)
	}
	for i := range evs {
		if evs[i].Type == "" {
			return nil, fmt.Errorf("%w: event %d of the array has no \"type\"", event.ErrMalformed, i)
		}
		if len(evs[i].Data) == 0 {
			evs[i].Data = json.RawMessage("{}")
		}
	}
	return evs, nil
}

// Serve serves h on addr until ctx ends, while p catches up with the log in
// the background. It returns when the server has shut down gracefully. It
// tunes the process's garbage collector for a server: see httpapi.TuneGC.
//
// If the bus's log is found replaced, Serve shuts the server down and
// returns an error wrapping ErrLogReplaced: the process must exit with a
// failure, so that its supervisor starts it again and it folds the new log.
func Serve(ctx context.Context, addr string, h http.Handler, p *Projection,
	log *slog.Logger) error {
	httpapi.TuneGC()
	ln, err := httpapi.Listen(addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "event_bus", p.bus.URL())

	// Serve until ctx ends or the bus's log is found replaced.
	sctx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	go func() {
		select {
		case <-p.LogReplaced():
			stopServing()
		case <-sctx.Done():
		}
	}()

	// Catch up until caught up, or until the server stops for any reason.
	cctx, stopCatchUp := context.WithCancel(sctx)
	var wg sync.WaitGroup
	var cerr error
	wg.Go(func() { cerr = p.CatchUp(cctx) })
	serr := httpapi.Serve(sctx, httpapi.NewServer(h, log), ln, 0)
	stopCatchUp()
	wg.Wait()
	if errors.Is(cerr, context.Canceled) {
		cerr = nil
	}
	log.Info("stopped", "applied", p.Applied())
	if err := p.Err(); err != nil {
		return errors.Join(serr, err)
	}
	return errors.Join(serr, cerr)
}

// NewBusClient returns a client of the bus at url whose connection pool
// fits many concurrent publishers: the default keeps two idle connections
// per host, and a busy service would open and close one per request. A
// publish gives up after 10 s, so that a client is told the bus is down
// rather than left waiting.
func NewBusClient(url string) *event.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	c := event.NewClient(url, &http.Client{Transport: tr, Timeout: 60 * time.Second})
	c.MaxElapsed = 10 * time.Second
	return c
}
