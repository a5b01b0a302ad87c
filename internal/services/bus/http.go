package bus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// MaxWait caps the long-poll wait of GET /events.
const MaxWait = 60 * time.Second

// streamPage is how many events GET /events reads from the store at a time.
const streamPage = 512

// writers keeps the buffers GET /events writes through, which are too big
// to allocate for each of the many small reads the services make.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// api serves the bus's routes.
type api struct {
	log     *slog.Logger
	store   *Store
	deliver *Deliverer
	// stopping ends long polls when the bus shuts down.
	stopping <-chan struct{}
	// polls counts the long polls waiting.
	polls atomic.Int64
}

// routes registers the bus's routes on rt.
func (a *api) routes(rt *httpapi.Router) {
	rt.Handle("POST /events", a.postEvent)
	rt.Handle("GET /events", a.getEvents)
	rt.Handle("GET /subscribers", a.getSubscribers)
}

// receipt is the answer to POST /events: the course's {"status":"OK"} and
// where the event went.
type receipt struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	Seq    uint64 `json:"seq"`
}

// batchReceipt is the answer to POST /events with an array of events:
// where each went, in the order given.
type batchReceipt struct {
	Status string      `json:"status"`
	Events []placement `json:"events"`
}

type placement struct {
	ID  string `json:"id"`
	Seq uint64 `json:"seq"`
}

// postEvent stores one event, as the course's services publish, or a JSON
// array of events in one commit, all or none.
func (a *api) postEvent(w http.ResponseWriter, r *http.Request) error {
	body, err := httpapi.ReadBody(r)
	if err != nil {
		return err
	}
	if body = bytes.TrimSpace(body); len(body) > 0 && body[0] == '[' {
		return a.postEvents(w, r, body)
	}
	ev, err := decodeEvent(body)
	if err != nil {
		return err
	}
	stored, err := a.store.Append(r.Context(), ev)
	if err != nil {
		return storeError(err, "a "+ev.Type+" event")
	}
	return httpapi.WriteJSON(w, http.StatusOK, receipt{Status: "OK", ID: stored.ID, Seq: stored.Seq})
}

func (a *api) postEvents(w http.ResponseWriter, r *http.Request, body []byte) error {
	evs, err := decodeEvents(body)
	if err != nil {
		return err
	}
	stored, err := a.store.AppendAll(r.Context(), evs)
	if err != nil {
		return storeError(err, fmt.Sprintf("%d events", len(evs)))
	}
	out := batchReceipt{Status: "OK", Events: make([]placement, len(stored))}
	for i, ev := range stored {
		out.Events[i] = placement{ID: ev.ID, Seq: ev.Seq}
	}
	return httpapi.WriteJSON(w, http.StatusOK, out)
}

// storeError says what failed storing what, as an unavailable bus while
// it shuts down.
func storeError(err error, what string) error {
	if errors.Is(err, ErrClosed) {
		return fmt.Errorf("%w: the event bus is shutting down; retry", httpapi.ErrUnavailable)
	}
	return fmt.Errorf("storing %s: %w", what, err)
}

// decodeEvent parses the body of POST /events. Its errors wrap
// event.ErrMalformed. The seq a client sends is ignored: the bus sets it.
func decodeEvent(body []byte) (event.Event, error) {
	ev, err := event.Decode(body)
	if err != nil {
		return event.Event{}, err
	}
	if len(ev.ID) > MaxIDLen {
		return event.Event{}, fmt.Errorf("%w: \"id\" is longer than %d bytes", event.ErrMalformed, MaxIDLen)
	}
	ev.Seq = 0
	return ev, nil
}

// decodeEvents parses a JSON array of events, each as decodeEvent does. One
// malformed element fails them all, so that nothing of the array is stored.
func decodeEvents(body []byte) ([]event.Event, error) {
	var evs []event.Event
	if err := json.Unmarshal(body, &evs); err != nil {
		return nil, fmt.Errorf("%w: %w", event.ErrMalformed, err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%w: an empty array: send at least one event", event.ErrMalformed)
	}
	for i := range evs {
		ev := &evs[i]
		switch {
		case ev.Type == "":
			return nil, fmt.Errorf("%w: event %d of the array has no \"type\"", event.ErrMalformed, i)
		case len(ev.ID) > MaxIDLen:
			return nil, fmt.Errorf("%w: event %d of the array: \"id\" is longer than %d bytes",
				event.ErrMalformed, i, MaxIDLen)
		}
		ev.Seq = 0
	}
	return evs, nil
}

// readQuery is the parsed query of GET /events.
type readQuery struct {
	since uint64
	limit int
	wait  time.Duration
}

func parseReadQuery(q url.Values) (readQuery, error) {
	var rq readQuery
	var err error
	if s := q.Get("since"); s != "" {
		if rq.since, err = strconv.ParseUint(s, 10, 64); err != nil {
			return rq, httpapi.Invalid("since=%q: want a sequence number, 0 or more", s)
		}
	}
	if s := q.Get("limit"); s != "" {
		if rq.limit, err = strconv.Atoi(s); err != nil || rq.limit < 0 {
			return rq, httpapi.Invalid("limit=%q: want a count, 0 (no limit) or more", s)
		}
	}
	if s := q.Get("wait"); s != "" {
		if rq.wait, err = parseWait(s); err != nil {
			return rq, httpapi.Invalid("wait=%q: want a duration such as 30s or a number of seconds", s)
		}
	}
	rq.wait = min(rq.wait, MaxWait)
	return rq, nil
}

// parseWait reads a Go duration ("30s") or a number of seconds ("30").
func parseWait(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		s = strconv.FormatFloat(n, 'f', -1, 64) + "s"
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}

func (a *api) getEvents(w http.ResponseWriter, r *http.Request) error {
	rq, err := parseReadQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if rq.wait > 0 {
		a.waitFor(r.Context(), rq.since, rq.wait)
	}

	// Serve up to the head as it is now, so the header and body agree.
	head := a.store.Head()
	first, err := a.store.Read(rq.since, pageSize(rq.limit, streamPage), 0)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(event.HeadHeader, strconv.FormatUint(head, 10))
	h.Set(event.LogHeader, a.store.LogID())
	w.WriteHeader(http.StatusOK)

	// From here the status is sent: a failure can only cut the stream.
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(w)
	if err := a.stream(bw, first, rq.limit, head); err != nil {
		a.log.Debug("sending events cut short", "since", rq.since, "err", err)
	}
	bw.Reset(nil)
	writers.Put(bw)
	return nil
}

// stream writes the JSON array of events from page onwards, reading further
// pages until limit events (all if zero) or the head. It sends each page as
// it goes, and stops at the first error, such as a client gone away.
func (a *api) stream(bw *bufio.Writer, page []Record, limit int, head uint64) error {
	bw.WriteByte('[')
	n := 0
	for len(page) > 0 {
		for _, rec := range page {
			if rec.Seq > head || (limit > 0 && n >= limit) {
				break
			}
			if n > 0 {
				bw.WriteByte(',')
			}
			bw.Write(rec.JSON)
			n++
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		last := page[len(page)-1].Seq
		if last >= head || (limit > 0 && n >= limit) {
			break
		}
		var err error
		if page, err = a.store.Read(last, pageSize(limit-n, streamPage), 0); err != nil {
			return err
		}
	}
	bw.WriteByte(']')
	return bw.Flush()
}

// pageSize returns how many events to read next: page, or fewer when the
// limit left is smaller.
func pageSize(left, page int) int {
	if left > 0 {
		return min(left, page)
	}
	return page
}

// waitFor returns once the log has an event after since, wait has passed,
// the request is gone or the bus is stopping.
func (a *api) waitFor(ctx context.Context, since uint64, wait time.Duration) {
	a.polls.Add(1)
	defer a.polls.Add(-1)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		changed := a.store.Changed()
		if a.store.Head() > since {
			return
		}
		select {
		case <-changed:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		case <-a.stopping:
			return
		}
	}
}

func (a *api) getSubscribers(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, a.deliver.Status())
}
