// Package bus is the blog system's event bus: it appends every event it is
// given to a durable log on disk before answering, serves the log over HTTP
// (GET /events, with since, limit and long-poll wait), and delivers it to
// every subscriber at least once, in log order, with retry and backoff.
//
// Besides the course's single event, POST /events takes a JSON array of
// events, which it stores in one commit, all or none, and answers with
// {"status":"OK","events":[{"id":...,"seq":...},...]} in the order given.
// The services publish the effects of a delivery that way, in one request.
//
// The log is a bbolt file (go.etcd.io/bbolt): pure Go with no cgo, one file,
// and ACID transactions that fsync before they commit, which is all an
// append-only log with a few indexes needs. Appends are group-committed, so
// concurrent publishers share one fsync, and an event is acknowledged only
// once its transaction has committed: a kill -9 loses no acknowledged event.
//
// The log has an identity, a random ID created with the file and kept in
// it. The bus sends it as the Blogctl-Log header (event.LogHeader) on its
// answers to GET /events and on every delivery, so that a service whose
// state came from a log that is gone (a bus whose file was deleted, or
// kept in a volume that died with its pod) notices and rebuilds.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// Config configures the bus.
type Config struct {
	// Addr is the address to listen on, ":4005" by default.
	Addr string
	// DataDir holds the log; DefaultDataDir() if empty.
	DataDir string
	// Subscribers are the URLs every event is POSTed to.
	Subscribers []string
	// MaxBody limits a published event's size: 1 MiB by default.
	MaxBody int64
	// Delivery tunes delivery to subscribers.
	Delivery DeliveryOptions
}

// Bus is an open event bus: its store, its deliverer and its HTTP routes.
type Bus struct {
	log      *slog.Logger
	store    *Store
	deliver  *Deliverer
	router   *httpapi.Router
	api      *api
	ready    atomic.Bool
	stopping chan struct{}
}

// DefaultDataDir returns where the bus keeps its log when not told:
// $XDG_DATA_HOME/blogctl/event-bus, or ~/.local/share/blogctl/event-bus.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "blogctl", "event-bus")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".", "blogctl-data", "event-bus")
	}
	return filepath.Join(home, ".local", "share", "blogctl", "event-bus")
}

// Open opens the bus's store and prepares delivery; Serve starts it.
func Open(cfg Config, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir()
	}
	store, err := OpenStore(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	deliver, err := NewDeliverer(store, cfg.Subscribers, log, cfg.Delivery)
	if err != nil {
		store.Close()
		return nil, err
	}

	b := &Bus{log: log, store: store, deliver: deliver, stopping: make(chan struct{})}
	b.router = httpapi.NewRouter(httpapi.Options{
		Logger:  log,
		MaxBody: cfg.MaxBody,
		Ready:   b.readiness,
	})
	b.api = &api{log: log, store: store, deliver: deliver, stopping: b.stopping}
	b.api.routes(b.router)
	return b, nil
}

// Handler returns the bus's HTTP handler.
func (b *Bus) Handler() http.Handler { return b.router }

func (b *Bus) readiness() error {
	if !b.ready.Load() {
		return errors.New("event delivery is starting")
	}
	return nil
}

// Serve delivers events and serves HTTP on ln until ctx ends. Then it stops
// taking requests, lets in-flight ones finish, stops delivery, persists
// the subscribers' positions and closes the store.
func (b *Bus) Serve(ctx context.Context, ln net.Listener) error {
	dctx, stopDelivery := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDelivery()
	var wg sync.WaitGroup
	var derr error
	wg.Go(func() { derr = b.deliver.Run(dctx) })
	b.ready.Store(true)
	b.log.Info("event bus serving", "addr", ln.Addr().String(),
		"head", b.store.Head(), "log", b.store.LogID(), "subscribers", len(b.deliver.subs))

	// End long polls as soon as shutdown begins.
	stopPolls := context.AfterFunc(ctx, func() { close(b.stopping) })
	defer stopPolls()
	serr := httpapi.Serve(ctx, httpapi.NewServer(b.router, b.log), ln, 0)

	b.ready.Store(false)
	stopDelivery()
	wg.Wait()
	cerr := b.store.Close()
	b.log.Info("event bus stopped", "head", b.store.Head())
	return errors.Join(serr, derr, cerr)
}

// Run opens the bus with cfg and serves it on cfg.Addr until ctx ends. It
// tunes the process's garbage collector for a server: see httpapi.TuneGC.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.Addr == "" {
		cfg.Addr = ":4005"
	}
	httpapi.TuneGC()
	b, err := Open(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		b.store.Close()
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	return b.Serve(ctx, ln)
}
