package event_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/event"
)

// firstConnRefuses answers every request on the first TCP connection it
// accepts with status, as a proxy answers for an address it cannot route
// yet, and passes requests on later connections to the bus at busURL.
type firstConnRefuses struct {
	status int
	bus    http.Handler

	mu    sync.Mutex
	first string // the first connection's remote address
}

func newFirstConnRefuses(t *testing.T, status int, busURL string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(busURL)
	if err != nil {
		t.Fatal(err)
	}
	h := &firstConnRefuses{status: status, bus: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func (h *firstConnRefuses) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.first == "" {
		h.first = r.RemoteAddr
	}
	refuse := h.first == r.RemoteAddr
	h.mu.Unlock()
	if refuse {
		w.Header().Set("Server", "keryx")
		http.Error(w, "no route", h.status)
		return
	}
	h.bus.ServeHTTP(w, r)
}

// startRealBus serves a real bus on loopback until the test ends and
// returns its address.
func startRealBus(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveBus(t, ln)
	return "http://" + ln.Addr().String()
}

// TestRedialAfterRefusal puts the client in front of an address whose
// first connection answers anything but success, then stands in for the
// bus on any new connection: after a failed call, or a failed attempt
// within one, the client must dial afresh instead of reusing the
// keep-alive connection that refused it.
func TestRedialAfterRefusal(t *testing.T) {
	note := func() event.Event {
		ev, _ := event.New("Note", "", map[string]string{"n": "1"})
		return ev
	}
	ops := map[string]func(context.Context, *event.Client) error{
		"Read": func(ctx context.Context, c *event.Client) error {
			_, err := c.Read(ctx, 0, 10, 0)
			return err
		},
		"Publish": func(ctx context.Context, c *event.Client) error {
			_, err := c.Publish(ctx, note())
			return err
		},
		"PublishBatch": func(ctx context.Context, c *event.Client) error {
			_, err := c.PublishBatch(ctx, []event.Event{note(), note()})
			return err
		},
	}
	tests := []struct {
		op     string
		status int
		// calls is how many calls may fail before one must succeed: a 404
		// fails its call at once, a 503 is retried within Publish.
		calls int
	}{
		{"Read", http.StatusNotFound, 1},
		{"Read", http.StatusServiceUnavailable, 1},
		{"Publish", http.StatusNotFound, 1},
		{"Publish", http.StatusServiceUnavailable, 0},
		{"PublishBatch", http.StatusNotFound, 1},
		{"PublishBatch", http.StatusServiceUnavailable, 0},
	}
	busURL := startRealBus(t)
	for _, tt := range tests {
		t.Run(tt.op+"/"+http.StatusText(tt.status), func(t *testing.T) {
			front := newFirstConnRefuses(t, tt.status, busURL)
			c := event.NewClient(front.URL, nil)
			c.MaxElapsed = 5 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			op := ops[tt.op]
			for i := range tt.calls {
				if err := op(ctx, c); err == nil {
					t.Fatalf("%s() call %d on the refusing connection = nil, want an error", tt.op, i+1)
				}
			}
			if err := op(ctx, c); err != nil {
				t.Errorf("%s() after the first connection answered %d = %v, want success on a new connection",
					tt.op, tt.status, err)
			}
		})
	}
}
