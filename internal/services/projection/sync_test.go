package projection_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
