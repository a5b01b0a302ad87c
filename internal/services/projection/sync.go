package projection

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/blogctl/blogctl/internal/event"
)

const (
	// pageLimit is how many events one read of the log asks for.
	pageLimit = 1000
	// publishers bounds how many batches of effects are published at once.
	publishers = 8
	// batchEvents and batchBytes bound a batch of effects, well within the
	// bus's default body limit of 1 MiB.
	batchEvents = 256
	batchBytes  = 256 << 10
)

// CatchUp rebuilds the state from the log, up to the head the bus reports
// at the first successful read, retrying with backoff while the bus is
// unreachable, until ctx ends. Then it publishes the effects the log does
// not hold yet and marks the projection ready.
func (p *Projection) CatchUp(ctx context.Context) error {
	start := time.Now()
	target, err := p.retry(ctx, "reading the log", func() (uint64, error) {
		return p.firstRead(ctx)
	})
	if err != nil {
		return err
	}
	if _, err := p.retry(ctx, "reading the log", func() (uint64, error) {
		return 0, p.syncTo(ctx, target)
	}); err != nil {
		return err
	}

	// Live from here: effects are published as they arise. Publish those
	// that catching up left over.
	p.mu.Lock()
	p.live = true
	held := len(p.outbox)
	p.mu.Unlock()
	if _, err := p.retry(ctx, "publishing held effects", func() (uint64, error) {
		return 0, p.Flush(ctx)
	}); err != nil {
		return err
	}
	p.ready.Store(true)
	p.log.Info("caught up with the event bus", "bus", p.bus.URL(), "applied", p.Applied(),
		"effects_published", held, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// firstRead reads the first page of the log and returns the head to catch
// up to.
func (p *Projection) firstRead(ctx context.Context) (uint64, error) {
	page, err := p.read(ctx, p.Applied())
	if err != nil {
		return 0, err
	}
	p.head.Store(page.Head)
	p.mu.Lock()
	p.applyLocked(page.Events)
	p.mu.Unlock()
	return page.Head, nil
}

// retry runs op until it succeeds or ctx ends, backing off between
// attempts and logging each failure.
func (p *Projection) retry(ctx context.Context, doing string,
	op func() (uint64, error)) (uint64, error) {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 100 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	notify := func(err error, wait time.Duration) {
		// Whatever failed, the next attempt dials afresh: a kept-alive
		// connection may lead to a proxy or a pod that went away.
		p.bus.CloseIdleConnections()
		p.log.Warn("event bus not available yet, retrying", "doing", doing,
			"bus", p.bus.URL(), "in", wait.Round(time.Millisecond), "err", err)
	}
	// A 404 means that what answers at the bus's address is not the bus,
	// or not yet: a proxy in front of it, or a Service not routed yet. It
	// is logged and retried, like an unreachable bus.
	op404 := func() (uint64, error) {
		v, err := op()
		if errors.Is(err, ErrLogReplaced) {
			return v, backoff.Permanent(err)
		}
		var se *event.StatusError
		if errors.As(err, &se) && se.Code == http.StatusNotFound {
			return v, fmt.Errorf("%s answered 404 Not Found: not the event bus, or not yet; "+
				"check --event-bus-url if this goes on: %s", p.bus.URL(), se.Message)
		}
		return v, err
	}
	v, err := backoff.Retry(ctx, op404, backoff.WithBackOff(b),
		backoff.WithMaxElapsedTime(0), backoff.WithNotify(notify))
	if err != nil {
		return 0, fmt.Errorf("%s from the event bus at %s: %w", doing, p.bus.URL(), err)
	}
	return v, nil
}

// Sync applies the log up to the bus's current head, so that what the bus
// has stored is visible. A service calls it before answering that an
// entity does not exist. The effects of the events it applies stay in the
// outbox: the bus delivers those events too, and the delivery publishes
// them before it is acknowledged, off the caller's critical path.
func (p *Projection) Sync(ctx context.Context) error {
	page, err := p.read(ctx, p.Applied())
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.applyLocked(page.Events)
	p.mu.Unlock()
	return p.syncTo(ctx, page.Head)
}

// read reads a page of the log after since, and checks that it comes
// from the log the state was folded from.
func (p *Projection) read(ctx context.Context, since uint64) (event.Page, error) {
	page, err := p.bus.Read(ctx, since, pageLimit, 0)
	if err != nil {
		return event.Page{}, err
	}
	if err := p.checkLog(page.Log); err != nil {
		return event.Page{}, err
	}
	return page, nil
}

// syncTo applies the log until the applied position reaches target.
func (p *Projection) syncTo(ctx context.Context, target uint64) error {
	for {
		since := p.Applied()
		if since >= target {
			return nil
		}
		page, err := p.read(ctx, since)
		if err != nil {
			return err
		}
		if len(page.Events) == 0 {
			return fmt.Errorf("reading the log after %d: the bus returned nothing though its head is %d",
				since, target)
		}
		p.mu.Lock()
		p.applyLocked(page.Events)
		p.mu.Unlock()
		p.head.Store(max(p.head.Load(), page.Head))
	}
}

// Flush publishes the effects in the outbox, in batches of at most
// batchEvents events and about batchBytes of JSON, at most publishers
// batches at once, and removes each once the bus has stored it. Before the
// projection is live it does nothing: effects wait for the end of the
// catch-up.
func (p *Projection) Flush(ctx context.Context) error {
	p.mu.RLock()
	if !p.live || len(p.outbox) == 0 {
		p.mu.RUnlock()
		return nil
	}
	effects := make([]event.Event, 0, len(p.outbox))
	for _, ev := range p.outbox {
		effects = append(effects, ev)
	}
	p.mu.RUnlock()

	batches := split(effects, batchEvents, batchBytes)
	var wg sync.WaitGroup
	errs := make([]error, len(batches))
	sem := make(chan struct{}, publishers)
	for i, batch := range batches {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = p.publish(ctx, batch)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// split cuts evs into batches of at most n events and, unless one event
// alone is bigger, at most size bytes of data.
func split(evs []event.Event, n, size int) [][]event.Event {
	var out [][]event.Event
	start, bytes := 0, 0
	for i, ev := range evs {
		if i > start && (i-start >= n || bytes+len(ev.Data) > size) {
			out = append(out, evs[start:i])
			start, bytes = i, 0
		}
		bytes += len(ev.Data)
	}
	if start < len(evs) {
		out = append(out, evs[start:])
	}
	return out
}

// publish stores a batch of effects in the bus, in one request, and takes
// them out of the outbox. A batch over the bus's body limit is published
// in halves.
func (p *Projection) publish(ctx context.Context, batch []event.Event) error {
	_, err := p.bus.PublishBatch(ctx, batch)
	var se *event.StatusError
	if len(batch) > 1 && errors.As(err, &se) && se.Code == http.StatusRequestEntityTooLarge {
		half := len(batch) / 2
		return errors.Join(p.publish(ctx, batch[:half]), p.publish(ctx, batch[half:]))
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	for _, ev := range batch {
		delete(p.outbox, ev.ID)
	}
	p.mu.Unlock()
	return nil
}
