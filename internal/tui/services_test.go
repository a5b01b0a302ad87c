package tui

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
)

// TestServiceSourceWakes checks that a kick from Wake brings the next
// check at once, however long Every is.
func TestServiceSourceWakes(t *testing.T) {
	up := []ServiceStatus{{Name: "posts", State: "running", Health: HealthReady}}
	down := []ServiceStatus{{Name: "posts", State: "exited", Health: HealthUnreachable}}
	var mu sync.Mutex
	current := up
	kicked := make(chan func(), 1)
	src := &ServiceSource{Name: "Docker engine", Every: time.Hour,
		List: func(context.Context) ([]ServiceStatus, error) {
			mu.Lock()
			defer mu.Unlock()
			return current, nil
		},
		Wake: func(ctx context.Context, kick func()) { kicked <- kick; <-ctx.Done() },
	}
	out := make(chan tea.Msg, 8)
	src.Start(t.Context(), out)
	waitFor(t, out, "the first list", func(msg tea.Msg) bool { _, ok := msg.(ServicesMsg); return ok })

	mu.Lock()
	current = down
	mu.Unlock()
	(<-kicked)()
	waitFor(t, out, "the exited service", func(msg tea.Msg) bool {
		s, ok := msg.(ServicesMsg)
		return ok && s.Items[0].State == "exited"
	})
}

// fakeEvents is an engine whose event streams are fed by the test.
type fakeEvents struct {
	dockertarget.Engine
	mu      sync.Mutex
	filters []client.Filters
	streams chan chan events.Message
	errs    chan chan error
}

func (f *fakeEvents) Events(_ context.Context, o client.EventsListOptions) client.EventsResult {
	f.mu.Lock()
	f.filters = append(f.filters, o.Filters)
	f.mu.Unlock()
	msgs, errs := make(chan events.Message), make(chan error, 1)
	f.streams <- msgs
	f.errs <- errs
	return client.EventsResult{Messages: msgs, Err: errs}
}

// TestDockerChanges checks that the engine's events about the project's
// containers kick, but for the health checks' execs, and that a lost
// stream is opened again.
func TestDockerChanges(t *testing.T) {
	f := &fakeEvents{streams: make(chan chan events.Message, 2), errs: make(chan chan error, 2)}
	wake := DockerChanges(&dockertarget.System{Engine: f, Project: "demo"})
	if wake == nil {
		t.Fatal("DockerChanges of an engine with events = nil, want a watch")
	}
	kicks := make(chan struct{}, 8)
	go wake(t.Context(), func() { kicks <- struct{}{} })

	msgs, errs := <-f.streams, <-f.errs
	msgs <- events.Message{Type: events.ContainerEventType, Action: events.ActionExecStart + ": /bin/check"}
	msgs <- events.Message{Type: events.ContainerEventType, Action: events.ActionDie}
	select {
	case <-kicks:
	case <-time.After(10 * time.Second):
		t.Fatal("no kick within 10s of a container's death")
	}
	if len(kicks) != 0 {
		t.Errorf("a health check's exec kicked")
	}
	f.mu.Lock()
	got := f.filters[0].Clone()
	f.mu.Unlock()
	if _, ok := got["label"]["dev.blogctl.project=demo"]; !ok {
		t.Errorf("events filtered by %v, want the label of project demo", got)
	}

	errs <- errors.New("engine restarted")
	select {
	case <-f.streams:
	case <-time.After(10 * time.Second):
		t.Fatal("the lost event stream was not opened again within 10s")
	}

	if w := DockerChanges(&dockertarget.System{Engine: struct{ dockertarget.Engine }{}}); w != nil {
		t.Errorf("DockerChanges of an engine without events is not nil")
	}
}
