package event

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// HeadHeader is the response header of GET /events that carries the bus's
// last sequence number, so a reader knows when it has caught up.
const HeadHeader = "Blogctl-Head-Seq"

// BatchHeader is the response header a subscriber sets on its answer to a
// delivery to say that it accepts a JSON array of up to that many events in
// one request. A subscriber that never sets it, such as the course's
// services, gets one event per request.
const BatchHeader = "Blogctl-Batch"

// LogHeader carries the identity of the bus's log: a random ID created
// with the log, the same for as long as that log lasts and new for a new
// one. The bus sends it on its answers to GET /events and on every
// delivery, so that a service whose state was folded from one log can tell
// when it meets another. A bus that does not send it, such as the
// course's, is not checked.
const LogHeader = "Blogctl-Log"

// Client talks to the event bus.
type Client struct {
	base string
	http *http.Client
	// MaxElapsed bounds how long Publish retries; zero means until the
	// context ends.
	MaxElapsed time.Duration
}

// NewClient returns a client of the bus at busURL, given either as the bus's
// address (http://event-bus-srv:4005) or, as the course writes it, as its
// events URL (http://event-bus-srv:4005/events).
func NewClient(busURL string, hc *http.Client) *Client {
	if hc == nil {
		// Keep a connection per concurrent publisher: the default of two
		// idle connections a host makes busy services reconnect all the time.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		// A Service whose address no proxy routes yet swallows the
		// connection: give up on it soon and try again.
		t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		t.ResponseHeaderTimeout = maxWait + readGrace
		hc = &http.Client{Timeout: 90 * time.Second, Transport: t}
	}
	base := strings.TrimSuffix(strings.TrimSuffix(busURL, "/"), "/events")
	return &Client{base: base, http: hc}
}

// URL returns the bus's address.
func (c *Client) URL() string { return c.base }

// CloseIdleConnections closes the client's idle connections, so that its
// next request dials afresh. The client does so itself after every request
// that fails or is answered with anything but success: what answered may
// be a proxy or load balancer in front of an address not routed yet, or a
// pod that went away, and a kept-alive connection would reach it again.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Receipt is the bus's answer to a publish.
type Receipt struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	Seq    uint64 `json:"seq"`
}

// Publish stores ev in the bus's log and returns it with its ID and sequence
// number. It gives ev an ID if it has none, so that retrying after a lost
// answer stores it once, and retries while the bus is unreachable or
// failing, until ctx ends or MaxElapsed passes.
func (c *Client) Publish(ctx context.Context, ev Event) (Event, error) {
	if ev.ID == "" {
		ev.ID = NewID()
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return Event{}, fmt.Errorf("encoding %s event: %w", ev.Type, err)
	}

	op := func() (Receipt, error) { return c.post(ctx, body) }
	r, err := backoff.Retry(ctx, op, c.retryOptions()...)
	if err != nil {
		return Event{}, fmt.Errorf("publishing %s to the event bus at %s: %w", ev.Type, c.base, err)
	}
	ev.ID, ev.Seq = r.ID, r.Seq
	return ev, nil
}

// BatchReceipt is the bus's answer to a publish of several events: where
// each went, in the order sent.
type BatchReceipt struct {
	Status string `json:"status"`
	Events []struct {
		ID  string `json:"id"`
		Seq uint64 `json:"seq"`
	} `json:"events"`
}

// PublishBatch stores evs in the bus's log in one request and one commit,
// all or none, and returns them in order with their IDs and sequence
// numbers. Like Publish, it gives each event without an ID one and
// retries while the bus is unreachable or failing. An ID repeated in evs
// or already in the log is stored once. Only blogctl's bus takes a batch.
func (c *Client) PublishBatch(ctx context.Context, evs []Event) ([]Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	evs = slices.Clone(evs)
	for i := range evs {
		if evs[i].ID == "" {
			evs[i].ID = NewID()
		}
	}
	body, err := json.Marshal(evs)
	if err != nil {
		return nil, fmt.Errorf("encoding %d events: %w", len(evs), err)
	}

	op := func() (BatchReceipt, error) {
		var r BatchReceipt
		err := c.postAs(ctx, body, &r)
		return r, err
	}
	r, err := backoff.Retry(ctx, op, c.retryOptions()...)
	if err == nil && len(r.Events) != len(evs) {
		err = fmt.Errorf("the bus placed %d events of %d; is it blogctl's?", len(r.Events), len(evs))
	}
	if err != nil {
		return nil, fmt.Errorf("publishing %d events to the event bus at %s: %w", len(evs), c.base, err)
	}
	for i, p := range r.Events {
		evs[i].ID, evs[i].Seq = p.ID, p.Seq
	}
	return evs, nil
}

func (c *Client) retryOptions() []backoff.RetryOption {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 50 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	opts := []backoff.RetryOption{backoff.WithBackOff(b)}
	if c.MaxElapsed > 0 {
		opts = append(opts, backoff.WithMaxElapsedTime(c.MaxElapsed))
	} else {
		opts = append(opts, backoff.WithMaxElapsedTime(0))
	}
	return opts
}

func (c *Client) post(ctx context.Context, body []byte) (Receipt, error) {
	var r Receipt
	err := c.postAs(ctx, body, &r)
	return r, err
}

// postAs makes one POST /events with body and decodes the answer into r.
// After a failure, the next request dials afresh.
func (c *Client) postAs(ctx context.Context, body []byte, r any) error {
	err := c.tryPost(ctx, body, r)
	if err != nil {
		c.CloseIdleConnections()
	}
	return err
}

func (c *Client) tryPost(ctx context.Context, body []byte, r any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/events", bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if err := statusError(resp, b); err != nil {
		return err
	}
	if err := json.Unmarshal(b, r); err != nil {
		return backoff.Permanent(fmt.Errorf("decoding the bus's answer: %w", err))
	}
	return nil
}

// StatusError is a non-2xx answer of the bus.
type StatusError struct {
	Code    int
	Status  string
	Message string
}

func (e *StatusError) Error() string { return e.Status + ": " + e.Message }

// statusError turns a non-2xx answer into a *StatusError: permanent for a
// 4xx, which a retry cannot mend, and retryable otherwise.
func statusError(resp *http.Response, body []byte) error {
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	err := &StatusError{Code: resp.StatusCode, Status: resp.Status, Message: msg}
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests {
		return backoff.Permanent(err)
	}
	return err
}

// maxWait is the longest long-poll the bus grants; readGrace is how long
// a read may take beyond the wait it asked for.
const (
	maxWait   = 60 * time.Second
	readGrace = 15 * time.Second
)

// Page is a run of the bus's log.
type Page struct {
	Events []Event
	// Head is the bus's last sequence number when it answered.
	Head uint64
	// Log is the identity of the bus's log (see LogHeader), empty when the
	// bus does not say.
	Log string
}

// Read returns the events after sequence number since, at most limit of
// them (zero for the bus's default). When there are none yet, the bus waits
// up to wait for one before answering with an empty page. After a failure,
// the next request dials afresh.
func (c *Client) Read(ctx context.Context, since uint64, limit int, wait time.Duration) (Page, error) {
	p, err := c.read(ctx, since, limit, wait)
	if err != nil {
		c.CloseIdleConnections()
	}
	return p, err
}

func (c *Client) read(ctx context.Context, since uint64, limit int, wait time.Duration) (Page, error) {
	q := url.Values{"since": {strconv.FormatUint(since, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if wait > 0 {
		q.Set("wait", wait.String())
	}

	// A read that hangs, on a connection nobody answers, ends after the
	// wait it asked for plus a grace, so that the caller can retry.
	ctx, cancel := context.WithTimeout(ctx, min(wait, maxWait)+readGrace)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/events?"+q.Encode(), nil)
	if err != nil {
		return Page{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Page{}, fmt.Errorf("reading the event bus at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return Page{}, fmt.Errorf("reading the event bus at %s: %w", c.base, statusError(resp, b))
	}
	var p Page
	if err := json.NewDecoder(resp.Body).Decode(&p.Events); err != nil {
		return Page{}, fmt.Errorf("decoding events from %s: %w", c.base, err)
	}
	p.Head, _ = strconv.ParseUint(resp.Header.Get(HeadHeader), 10, 64)
	p.Log = resp.Header.Get(LogHeader)
	for _, ev := range p.Events {
		p.Head = max(p.Head, ev.Seq)
	}
	return p, nil
}

// NewID returns a random ID of 8 lowercase hex characters, the course's
// shape of IDs.
func NewID() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}
