package projection_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/projection"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

// TestCatchUpRetries404 puts a proxy in front of the bus that answers 404
// for its first requests, as a Service does before it routes: CatchUp
// retries instead of giving up, and catches up once the bus answers.
func TestCatchUpRetries404(t *testing.T) {
	bus := st.New(t)
	appendAll(bus, "Note", "a", "b")
	var calls atomic.Int32
	busURL := bus.Client().URL()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.NotFound(w, r)
			return
		}
		resp, err := http.Get(busURL + r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}))
	defer proxy.Close()

	state := &echo{}
	p := projection.New(event.NewClient(proxy.URL, nil), state, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.CatchUp(ctx); err != nil {
		t.Fatalf("CatchUp() behind a proxy that answers 404 at first = %v, want success", err)
	}
	if got := len(state.applied); got != 2 {
		t.Errorf("applied %d events, want 2", got)
	}
	if n := calls.Load(); n < 3 {
		t.Errorf("the proxy saw %d requests, want the two 404s and then a success", n)
	}
}

// TestCatchUpRedialsAfter404 puts the bus behind an address whose first
// TCP connection answers 404 for good, as a proxy does for an address not
// routed yet, while new connections reach the bus: the catch-up must dial
// afresh after the 404 instead of retrying on the same kept-alive
// connection until it is killed.
func TestCatchUpRedialsAfter404(t *testing.T) {
	bus := st.New(t)
	appendAll(bus, "Note", "a", "b")
	target, err := url.Parse(bus.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	first := ""
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if first == "" {
			first = r.RemoteAddr
		}
		refuse := first == r.RemoteAddr
		mu.Unlock()
		if refuse {
			w.Header().Set("Server", "keryx")
			http.NotFound(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	state := &echo{}
	p := projection.New(event.NewClient(front.URL, nil), state, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.CatchUp(ctx); err != nil {
		t.Fatalf("CatchUp() behind a first connection that answers 404 = %v, want success", err)
	}
	if got := len(state.applied); got != 2 {
		t.Errorf("applied %d events, want 2", got)
	}
}
