package projection_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/bus"
	"github.com/blogctl/blogctl/internal/services/bus/bustest"
	"github.com/blogctl/blogctl/internal/services/projection"
)

// bulky answers every "Ping" with a "Pong" carrying size bytes of data.
type bulky struct{ size int }

func (b bulky) Apply(ev event.Event) ([]event.Event, error) {
	if ev.Type != "Ping" {
		return nil, nil
	}
	data, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", b.size)})
	return []event.Event{{Type: "Pong", ID: "Pong/" + ev.ID, Data: data}}, nil
}

// TestFlushBatches publishes many effects to a real bus whose body limit
// is far smaller than them all: they go in batches, those over the limit
// in halves, and each is stored once.
func TestFlushBatches(t *testing.T) {
	url, _ := bustest.Serve(t, bus.Config{MaxBody: 2048})
	ctx := t.Context()
	client := event.NewClient(url, nil)
	p := projection.New(client, bulky{size: 300}, nil)
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var pings []event.Event
	for i := range 40 {
		pings = append(pings, event.Event{Type: "Ping", ID: fmt.Sprintf("p%d", i), Data: []byte("{}")})
	}
	pings, err := client.PublishBatch(ctx, pings)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second delivery is a duplicate and publishes nothing new
		if err := p.Deliver(ctx, pings); err != nil {
			t.Fatalf("Deliver() = %v", err)
		}
	}

	page, err := client.Read(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	pongs := map[string]int{}
	for _, ev := range page.Events {
		if ev.Type == "Pong" {
			pongs[ev.ID]++
		}
	}
	for _, ping := range pings {
		if n := pongs["Pong/"+ping.ID]; n != 1 {
			t.Errorf("Pong/%s stored %d times, want once", ping.ID, n)
		}
	}
	if len(page.Events) != 80 {
		t.Errorf("events in the log = %d, want 40 pings and 40 pongs", len(page.Events))
	}
}
