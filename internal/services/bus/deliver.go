package bus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/blogctl/blogctl/internal/event"
)

// Delivery defaults.
const (
	// maxBatch caps the batch size a subscriber may ask for.
	maxBatch = 1000
	// pageEvents and pageBytes bound one page read from the store for a
	// subscriber, and so the memory a subscriber costs.
	pageEvents = 256
	pageBytes  = 4 << 20
	// cursorFlush is how often delivered positions are persisted.
	cursorFlush = 200 * time.Millisecond
)

// DeliveryOptions tune the Deliverer; zero values take the defaults.
type DeliveryOptions struct {
	// Client sends deliveries; the default, with connections of its own,
	// times out after 10 s. Its idle connections are closed after every
	// failed attempt, so that the next one dials afresh.
	Client *http.Client
	// RetryMin and RetryMax bound the exponential backoff between
	// attempts to deliver to a failing subscriber: 100 ms and 5 s.
	RetryMin, RetryMax time.Duration
}

// Deliverer sends the store's log to every subscriber, in log order and at
// least once. Each subscriber has its own goroutine reading pages from its
// persisted cursor, so a subscriber that is down or slow holds back no one
// else and costs a bounded amount of memory however far behind it is.
type Deliverer struct {
	store *Store
	log   *slog.Logger
	opts  DeliveryOptions
	subs  []*subscriber
}

// SubscriberStatus is one subscriber's delivery state, as served by
// GET /subscribers.
type SubscriberStatus struct {
	URL string `json:"url"`
	// Delivered is the sequence number of the last event the subscriber
	// acknowledged.
	Delivered uint64 `json:"delivered"`
	// Lag is how many events of the log it has yet to acknowledge.
	Lag uint64 `json:"lag"`
	// Batch is the number of events it accepts per request.
	Batch int `json:"batch"`
	// LastError is the last failed delivery's error, cleared on success.
	LastError string `json:"lastError,omitempty"`
	// Failures counts consecutive failed attempts.
	Failures int `json:"failures"`
	// Rejected counts events the subscriber refused with a 4xx status and
	// that were skipped.
	Rejected uint64 `json:"rejected"`
}

// subscriber is one delivery target and its progress.
type subscriber struct {
	url string

	mu        sync.Mutex
	delivered uint64
	saved     uint64
	batch     int
	lastErr   string
	failures  int
	rejected  uint64
}

// NewDeliverer returns a deliverer of store's log to the subscriber URLs,
// resuming each from its persisted cursor.
func NewDeliverer(store *Store, urls []string, log *slog.Logger, opts DeliveryOptions) (*Deliverer, error) {
	cursors, err := store.Cursors()
	if err != nil {
		return nil, err
	}
	if opts.Client == nil {
		// A transport of its own: closing its idle connections after a
		// failure must not touch the rest of the process's.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		opts.Client = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 100 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 5 * time.Second
	}

	d := &Deliverer{store: store, log: log, opts: opts}
	seen := map[string]bool{}
	for _, u := range urls {
		if u == "" || seen[u] {
			continue
		}
		if err := checkURL(u); err != nil {
			return nil, err
		}
		seen[u] = true
		c := cursors[u]
		d.subs = append(d.subs, &subscriber{url: u, delivered: c, saved: c, batch: 1})
	}
	return d, nil
}

// checkURL checks that a subscriber URL is one the bus can POST to.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("subscriber %q is not an http URL: give it as http://host:port/events", raw)
	}
	return nil
}

// Run delivers until ctx ends, then persists every subscriber's position
// and returns.
func (d *Deliverer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, sub := range d.subs {
		wg.Go(func() { d.serve(ctx, sub) })
	}

	t := time.NewTicker(cursorFlush)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := d.saveCursors(); err != nil {
				d.log.Warn("saving delivery cursors", "err", err)
			}
		case <-ctx.Done():
			wg.Wait()
			return d.saveCursors()
		}
	}
}

// Status returns every subscriber's delivery state.
func (d *Deliverer) Status() []SubscriberStatus {
	head := d.store.Head()
	out := make([]SubscriberStatus, 0, len(d.subs))
	for _, sub := range d.subs {
		sub.mu.Lock()
		out = append(out, SubscriberStatus{
			URL:       sub.url,
			Delivered: sub.delivered,
			Lag:       head - min(head, sub.delivered),
			Batch:     sub.batch,
			LastError: sub.lastErr,
			Failures:  sub.failures,
			Rejected:  sub.rejected,
		})
		sub.mu.Unlock()
	}
	return out
}

// saveCursors persists the positions that moved since the last save.
func (d *Deliverer) saveCursors() error {
	moved := map[string]uint64{}
	for _, sub := range d.subs {
		sub.mu.Lock()
		if sub.delivered != sub.saved {
			moved[sub.url] = sub.delivered
		}
		sub.mu.Unlock()
	}
	if err := d.store.SaveCursors(moved); err != nil {
		return err
	}
	for _, sub := range d.subs {
		sub.mu.Lock()
		if seq, ok := moved[sub.url]; ok {
			sub.saved = seq
		}
		sub.mu.Unlock()
	}
	return nil
}

// serve delivers the log to sub until ctx ends, sleeping while sub has
// everything and waking on each append.
func (d *Deliverer) serve(ctx context.Context, sub *subscriber) {
	for ctx.Err() == nil {
		changed := d.store.Changed()
		from := sub.position()
		if from >= d.store.Head() {
			select {
			case <-changed:
			case <-ctx.Done():
			}
			continue
		}

		page, err := d.store.Read(from, pageEvents, pageBytes)
		if err != nil {
			d.log.Error("reading events to deliver", "subscriber", sub.url, "err", err)
			sleep(ctx, d.opts.RetryMax)
			continue
		}
		if err := d.sendPage(ctx, sub, page); err != nil && ctx.Err() == nil {
			d.log.Error("delivering events", "subscriber", sub.url, "err", err)
			sleep(ctx, d.opts.RetryMax)
		}
	}
}

// sendPage delivers page to sub in requests of sub's batch size, advancing
// its position after each acknowledged request. It returns early if ctx
// ends.
func (d *Deliverer) sendPage(ctx context.Context, sub *subscriber, page []Record) error {
	for len(page) > 0 {
		batch := sub.batchSize()
		n := min(batch, len(page))
		body := encodeBatch(page[:n], batch > 1)
		if err := d.sendRetrying(ctx, sub, body); err != nil {
			return err
		}
		sub.advance(page[n-1].Seq)
		page = page[n:]
	}
	return nil
}

// encodeBatch returns the request body for recs: the one event itself, or
// a JSON array when the subscriber takes batches.
func encodeBatch(recs []Record, array bool) []byte {
	if !array {
		return recs[0].JSON
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r.JSON)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// sendRetrying posts body to sub until it is acknowledged or refused, with
// exponential backoff between attempts. It fails only when ctx ends.
func (d *Deliverer) sendRetrying(ctx context.Context, sub *subscriber, body []byte) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = d.opts.RetryMin
	b.MaxInterval = d.opts.RetryMax
	op := func() (struct{}, error) {
		err := d.send(ctx, sub, body)
		if err != nil {
			// What answered may be a proxy or a pod that went away: a
			// kept-alive connection would reach it again.
			d.opts.Client.CloseIdleConnections()
		}
		if err != nil && ctx.Err() == nil && !errors.Is(err, errRejected) {
			d.failed(sub, err)
		}
		return struct{}{}, err
	}
	_, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(0))
	if errors.Is(err, errRejected) {
		// Retrying cannot change a refusal: skip the events, loudly.
		d.log.Warn("subscriber refused events; skipping them", "subscriber", sub.url, "err", err)
		sub.reject()
		return nil
	}
	return err
}

// errRejected marks a 4xx answer that a retry cannot mend.
var errRejected = errors.New("rejected by the subscriber")

// send makes one delivery attempt and records the batch size the
// subscriber asks for.
func (d *Deliverer) send(ctx context.Context, sub *subscriber, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.url, bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(fmt.Errorf("building a request to %s: %w", sub.url, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(event.LogHeader, d.store.LogID())
	resp, err := d.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("delivering to %s: %w", sub.url, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))

	switch code := resp.StatusCode; {
	case code/100 == 2:
		sub.succeeded(d.log, parseBatch(resp.Header.Get(event.BatchHeader)))
		return nil
	case refusal(code):
		return backoff.Permanent(fmt.Errorf("%w: %s: %s", errRejected, resp.Status, bytes.TrimSpace(msg)))
	default:
		return fmt.Errorf("delivering to %s: %s: %s", sub.url, resp.Status, bytes.TrimSpace(msg))
	}
}

// refusal reports whether a status means the subscriber refuses the
// events for good. Not found, timeouts and throttling are retried, since
// they are what a subscriber starting up or overloaded answers.
func refusal(code int) bool {
	switch code {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return code/100 == 4
}

// parseBatch reads a Blogctl-Batch header: 1 when absent or invalid.
func parseBatch(h string) int {
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxBatch)
}

func (d *Deliverer) failed(sub *subscriber, err error) {
	sub.mu.Lock()
	sub.failures++
	sub.lastErr = err.Error()
	n := sub.failures
	sub.mu.Unlock()

	// Say it loudly once, then at every doubling of the count, so a long
	// outage leaves a few lines with the latest error rather than one
	// every few seconds; the status route and debug logs tell the rest.
	switch {
	case n == 1:
		d.log.Warn("delivery failed; retrying with backoff", "subscriber", sub.url, "err", err)
	case n&(n-1) == 0:
		d.log.Warn("delivery still failing", "subscriber", sub.url, "failures", n, "err", err)
	default:
		d.log.Debug("delivery failed again", "subscriber", sub.url, "failures", n, "err", err)
	}
}

func (s *subscriber) succeeded(log *slog.Logger, batch int) {
	s.mu.Lock()
	recovered := s.failures
	s.failures, s.lastErr, s.batch = 0, "", batch
	s.mu.Unlock()
	if recovered > 0 {
		log.Info("delivery recovered", "subscriber", s.url, "after_failures", recovered)
	}
}

func (s *subscriber) reject() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected++
	s.failures, s.lastErr = 0, ""
}

func (s *subscriber) position() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered
}

func (s *subscriber) batchSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batch
}

func (s *subscriber) advance(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered = max(s.delivered, seq)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
