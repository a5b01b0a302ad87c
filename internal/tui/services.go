package tui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
)

// ServiceStatus is one service of a local or Docker system: a process or
// a container, and what its health endpoint says.
type ServiceStatus struct {
	Name string
	// State is the process's or container's state: running, exited, down.
	State string
	// Health is what /readyz answered: ready, not ready, or unreachable.
	Health string
	// Address is where the service listens, or the container's name.
	Address string
	// Restarts counts how often the service was started again after it
	// stopped on its own.
	Restarts int
}

// Healthy reports whether the service runs and is ready.
func (s ServiceStatus) Healthy() bool { return s.Health == HealthReady }

// Health values.
const (
	HealthReady       = "ready"
	HealthNotReady    = "not ready"
	HealthUnreachable = "unreachable"
	// HealthUnknown says the system could not be read, so nobody knows.
	HealthUnknown = "unknown"
)

// StateUnknown is the state of a service while its system cannot be read.
const StateUnknown = "unknown"

// ServiceSource checks a local or Docker system's services every Every and
// sends their states into the dashboard. Health endpoints cannot be
// watched, so this is the one poll of the dashboard; it sends a message
// only when something changed.
type ServiceSource struct {
	// Name names the system in ConnMsg: "docker" or "local".
	Name string
	// List returns the services with their health. An error means the
	// system itself (the Docker engine, the state file) cannot be read.
	List func(ctx context.Context) ([]ServiceStatus, error)
	// Every is the pause between checks; zero means half a second, so
	// that a change shows within a second.
	Every time.Duration
	// Wake, when set, watches the system and calls kick on every change,
	// so that the next check comes at once rather than after Every. It
	// returns when ctx ends.
	Wake func(ctx context.Context, kick func())
}

// Start checks until ctx ends, sending on out.
func (s *ServiceSource) Start(ctx context.Context, out chan<- tea.Msg) {
	go s.poll(ctx, out)
}

func (s *ServiceSource) poll(ctx context.Context, out chan<- tea.Msg) {
	every := cmpOr(s.Every, 500*time.Millisecond)
	kick := make(chan struct{}, 1)
	if s.Wake != nil {
		go s.Wake(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}
	var last []ServiceStatus
	down, first := false, true
	for ctx.Err() == nil {
		items, err := s.List(ctx)
		switch {
		case err != nil && !down:
			down = true
			if !send(ctx, out, ConnMsg{Source: s.Name, Err: err}) {
				return
			}
		case err == nil && down:
			down = false
			if !send(ctx, out, ConnMsg{Source: s.Name}) {
				return
			}
		}
		if err == nil && (first || !slices.Equal(items, last)) {
			first, last = false, items
			if !send(ctx, out, ServicesMsg{Items: items}) {
				return
			}
		}
		wait(ctx, every, kick)
	}
}

// wait returns after d, or sooner on a kick or the end of ctx.
func wait(ctx context.Context, d time.Duration, kick <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-kick:
	case <-ctx.Done():
	}
}
