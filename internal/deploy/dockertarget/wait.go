package dockertarget

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// pollInterval is how often waitHealthy looks at a container.
const pollInterval = 250 * time.Millisecond

// logLinesOnFailure is how many of a failed container's last log lines an
// error shows.
const logLinesOnFailure = "20"

// waitHealthy waits until the container's health check passes. A container
// that stops or restarts fails at once, with its last log lines.
func (s *System) waitHealthy(ctx context.Context, service, id string) error {
	name := s.ContainerName(service)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		got, err := s.Engine.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", name, err)
		}
		st := got.Container.State
		stopped := st.Status == container.StateExited || st.Status == container.StateDead
		switch {
		case stopped || st.Restarting || got.Container.RestartCount > 0:
			return fmt.Errorf("waiting for %s: %w with code %d; its last log lines:\n%s",
				name, ErrExited, st.ExitCode, s.lastLogs(context.WithoutCancel(ctx), id))
		case st.Health == nil && st.Running:
			return nil
		case st.Health != nil && st.Health.Status == container.Healthy:
			s.progressf("%s is healthy", name)
			return nil
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to be healthy (%s): %w; its last log lines:\n%s",
				name, healthDetail(st), ctx.Err(), s.lastLogs(context.WithoutCancel(ctx), id))
		case <-tick.C:
		}
	}
}

// healthDetail says what the last health check found.
func healthDetail(st *container.State) string {
	if st.Health == nil {
		return string(st.Status)
	}
	detail := string(st.Health.Status)
	if n := len(st.Health.Log); n > 0 {
		detail += ": " + strings.TrimSpace(st.Health.Log[n-1].Output)
	}
	return detail
}

// lastLogs returns the container's last log lines, or why they are missing.
func (s *System) lastLogs(ctx context.Context, id string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rc, err := s.Engine.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true, Tail: logLinesOnFailure,
	})
	if err != nil {
		return fmt.Sprintf("(no logs: %v)", err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := stdcopy.StdCopy(&b, &b, rc); err != nil {
		return fmt.Sprintf("(reading logs: %v)", err)
	}
	return indent(b.String())
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ")
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
