package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// stateFile is the name of the file, in the data directory, where a running
// "up" says where everything is.
const stateFile = "state.json"

// ErrNotRunning reports that no local system runs from a data directory.
var ErrNotRunning = errors.New("the local blog system is not running")

// State is what a running "up" writes in its data directory.
type State struct {
	PID       int            `json:"pid"`
	StartedAt time.Time      `json:"startedAt"`
	Services  []ServiceState `json:"services"`
}

// ServiceState is one service of a running system; the gateway is one too.
type ServiceState struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	PID  int    `json:"pid,omitempty"`
	Log  string `json:"log,omitempty"`
	// Restarts counts how often the service was started again after it
	// exited on its own.
	Restarts int `json:"restarts,omitempty"`
}

func (s *supervisor) state() State {
	st := State{PID: os.Getpid(), StartedAt: s.startedAt}
	st.Services = append(st.Services,
		ServiceState{Name: GatewayName, URL: s.plan.url(GatewayName), PID: os.Getpid()})
	for _, u := range s.units {
		p, restarts := u.current()
		st.Services = append(st.Services, ServiceState{
			Name: p.name, URL: p.url, PID: p.cmd.Process.Pid, Log: p.logPath, Restarts: restarts,
		})
	}
	return st
}

// writeState writes the state file afresh; it is safe to call from any
// goroutine.
func (s *supervisor) writeState() error {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return writeState(s.cfg.DataDir, s.state())
}

func writeState(dir string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the state file: %w", err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("writing the state file: %w", err)
	}
	return nil
}

func removeState(dir string) { _ = os.Remove(filepath.Join(dir, stateFile)) }

// ReadState reads the state file of the system running from dir.
func ReadState(dir string) (State, error) {
	if dir == "" {
		dir = DefaultDataDir()
	}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, fmt.Errorf("%w from %s: start it with \"blogctl up --target local\"",
			ErrNotRunning, dir)
	}
	if err != nil {
		return State{}, fmt.Errorf("reading the state file: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("reading the state file %s: %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

// Health is a service's address and how its /readyz answers.
type Health struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	PID  int    `json:"pid,omitempty"`
	// Restarts counts how often the service was started again after it
	// exited on its own.
	Restarts int    `json:"restarts"`
	Health   string `json:"health"`
	Detail   string `json:"detail,omitempty"`
}

// Health values.
const (
	Ready    = "ready"
	NotReady = "not ready"
	Down     = "down"
)

// Status asks every service of the system running from dir how it is.
func Status(ctx context.Context, dir string) ([]Health, error) {
	st, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	if st.PID > 0 && syscall.Kill(st.PID, 0) == syscall.ESRCH {
		return nil, fmt.Errorf("%w: its last \"blogctl up\" (pid %d) ended without cleaning up; "+
			"start it with \"blogctl up --target local\"", ErrNotRunning, st.PID)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	out := make([]Health, len(st.Services))
	done := make(chan struct{}, len(st.Services))
	for i, svc := range st.Services {
		go func() {
			out[i] = check(ctx, hc, svc)
			done <- struct{}{}
		}()
	}
	for range st.Services {
		<-done
	}
	return out, nil
}

func check(ctx context.Context, hc *http.Client, svc ServiceState) Health {
	h := Health{Name: svc.Name, URL: svc.URL, PID: svc.PID, Restarts: svc.Restarts, Health: Ready}
	ok, why := probe(ctx, hc, svc.URL+"/readyz")
	switch {
	case ok:
	case why == "connection refused":
		h.Health, h.Detail = Down, why
	default:
		h.Health, h.Detail = NotReady, why
	}
	return h
}

// FormatStatus renders the health of every service as a table.
func FormatStatus(hs []Health) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tURL\tPID\tRESTARTS\tHEALTH")
	for _, h := range hs {
		health := h.Health
		if h.Detail != "" {
			health += " (" + h.Detail + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", h.Name, h.URL, h.PID, h.Restarts, health)
	}
	tw.Flush()
	return b.String()
}
