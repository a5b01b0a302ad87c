// Package bustest serves a real event bus for the tests of other packages.
package bustest

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/blogctl/blogctl/internal/services/bus"
)

// Serve opens a bus with cfg and serves it until stop is called or the
// test ends, and returns its URL. An empty cfg.DataDir is a temporary
// directory; an empty cfg.Addr is any free loopback port. Serving the same
// DataDir and Addr again after stop restarts the bus where it was.
func Serve(t testing.TB, cfg bus.Config) (url string, stop func()) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	b, err := bus.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Serve(ctx, ln) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the event bus stopped with an error: %v", err)
		}
	})
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}
