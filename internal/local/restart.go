package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RestartPolicy says what the supervisor does when a service exits while
// the system is up.
type RestartPolicy string

// Restart policies. A service runs until it is told to stop, so any exit it
// was not asked for counts as a failure.
const (
	// RestartOnFailure starts the service again after a backoff, and keeps
	// the rest of the system running.
	RestartOnFailure RestartPolicy = "on-failure"
	// RestartNever stops the whole system, with the service's last log
	// lines.
	RestartNever RestartPolicy = "never"
)

// Defaults of the restart backoff, as Kubernetes' CrashLoopBackOff: the
// delay doubles from DefaultRestartDelay up to DefaultMaxRestartDelay, and
// starts again from the first once a service has stayed up
// DefaultRestartResetAfter.
const (
	DefaultRestartDelay      = 1 * time.Second
	DefaultMaxRestartDelay   = 30 * time.Second
	DefaultRestartResetAfter = 60 * time.Second
)

// ParseRestartPolicy reads a --restart value; empty means RestartOnFailure.
func ParseRestartPolicy(s string) (RestartPolicy, error) {
	switch p := RestartPolicy(s); p {
	case "":
		return RestartOnFailure, nil
	case RestartOnFailure, RestartNever:
		return p, nil
	}
	return "", fmt.Errorf("unknown restart policy %q: use %s or %s", s, RestartOnFailure, RestartNever)
}

// restartBackoff is the delay before each restart of one service.
type restartBackoff struct {
	exp        backoff.ExponentialBackOff
	resetAfter time.Duration
}

func newRestartBackoff(cfg Config) *restartBackoff {
	b := &restartBackoff{
		exp: backoff.ExponentialBackOff{
			InitialInterval: cfg.RestartDelay,
			Multiplier:      2,
			MaxInterval:     cfg.MaxRestartDelay,
		},
		resetAfter: cfg.RestartResetAfter,
	}
	b.exp.Reset()
	return b
}

// next returns the delay before restarting a service that ran for up.
func (b *restartBackoff) next(up time.Duration) time.Duration {
	if up >= b.resetAfter {
		b.exp.Reset()
	}
	return b.exp.NextBackOff()
}

// unit is one service under the supervisor: how to run it, its current
// process and how often it was started again.
type unit struct {
	cmd      command
	mu       sync.Mutex
	proc     *process
	restarts int
}

func (u *unit) current() (*process, int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.proc, u.restarts
}

// keep watches one service until ctx ends. Under RestartNever a process
// that exits is sent to exited; otherwise it is started again after a
// backoff.
func (s *supervisor) keep(ctx context.Context, u *unit, exited chan<- *process) {
	b := newRestartBackoff(s.cfg)
	for {
		p, restarts := u.current()
		select {
		case <-ctx.Done():
			return
		case <-p.done:
		}
		if ctx.Err() != nil {
			return
		}
		if s.cfg.Restart == RestartNever {
			exited <- p
			return
		}

		delay := b.next(time.Since(p.started))
		s.out.Printf("%s stopped on its own (%v); restarting it in %s (restart %d)%s",
			p.name, p.err, delay, restarts+1, p.tail())
		p, ok := s.restart(ctx, u, b, delay)
		if !ok {
			return
		}
		s.awaitReady(ctx, p, restarts+1)
	}
}

// restart starts u's service again once delay has passed, retrying with
// the backoff while it cannot start. It returns false if ctx ended first.
func (s *supervisor) restart(ctx context.Context, u *unit, b *restartBackoff,
	delay time.Duration) (*process, bool) {
	for {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, false
		case <-t.C:
		}
		if ctx.Err() != nil {
			return nil, false
		}

		p, err := startProcess(u.cmd, s.logDir, s.verbose())
		if err == nil {
			s.replace(u, p)
			return p, true
		}
		delay = b.next(0)
		s.out.Printf("restarting %s: %v; trying again in %s", u.cmd.name, err, delay)
	}
}

// replace makes p the current process of u and records it in the state
// file.
func (s *supervisor) replace(u *unit, p *process) {
	u.mu.Lock()
	u.proc = p
	u.restarts++
	u.mu.Unlock()
	if err := s.writeState(); err != nil {
		s.out.Printf("warning: %v; \"blogctl status --target local\" shows the old pid of %s",
			err, u.cmd.name)
	}
}

// awaitReady says on the console when a restarted service is ready again,
// or that it is still waiting. It returns when the service is ready, has
// exited or ctx ends.
func (s *supervisor) awaitReady(ctx context.Context, p *process, restart int) {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
		err := p.waitReady(wctx, hc)
		timedOut := errors.Is(wctx.Err(), context.DeadlineExceeded)
		cancel()
		switch {
		case err == nil:
			s.out.Printf("%s is ready again (restart %d)", p.name, restart)
			return
		case ctx.Err() != nil, p.exited():
			return
		case timedOut:
			s.out.Printf("%s is still not ready %s after restart %d; still waiting",
				p.name, s.cfg.ReadyTimeout, restart)
		default:
			return
		}
	}
}
