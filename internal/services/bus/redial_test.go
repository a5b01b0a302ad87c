package bus

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
)

// TestDeliveryRedialsAfterFailure stands a subscriber behind an address
// whose first TCP connection answers 404, as a proxy does for an address
// it cannot route yet, while later connections reach the subscriber: the
// bus must dial afresh after the failed attempt instead of retrying on the
// kept-alive connection forever.
func TestDeliveryRedialsAfterFailure(t *testing.T) {
	var mu sync.Mutex
	first := ""
	rc := newRecorder()
	rc.hook = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		if first == "" {
			first = r.RemoteAddr
		}
		refuse := first == r.RemoteAddr
		mu.Unlock()
		if refuse {
			w.Header().Set("Server", "keryx")
			http.NotFound(w, r)
		}
		return !refuse
	}
	bus := startBus(t, Config{Subscribers: []string{startSubscriber(t, rc)}})
	c := event.NewClient(bus.URL, nil)
	publish(t, c, "PostCreated", map[string]int{"i": 1})
	publish(t, c, "PostCreated", map[string]int{"i": 2})

	rc.waitCount(t, 2)
	if diff := cmp.Diff([]uint64{1, 2}, rc.seqs()); diff != "" {
		t.Errorf("seqs delivered after the first connection answered 404 (-want +got):\n%s", diff)
	}
}
