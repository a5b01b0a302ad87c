package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// Stop asks the "blogctl up" running from dir to stop, as Ctrl-C in its
// terminal would, and waits until it has stopped every service.
func Stop(ctx context.Context, dir string) error {
	st, err := ReadState(dir)
	if err != nil {
		return err
	}
	if err := syscall.Kill(st.PID, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			removeState(dir)
			return fmt.Errorf("%w: its last \"blogctl up\" (pid %d) had already ended", ErrNotRunning, st.PID)
		}
		return fmt.Errorf("stopping \"blogctl up\" (pid %d): %w", st.PID, err)
	}

	// up removes its state file once every service has stopped.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(filepath.Join(dir, stateFile)); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if syscall.Kill(st.PID, 0) == syscall.ESRCH {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for \"blogctl up\" (pid %d) to stop: %w", st.PID, ctx.Err())
		case <-tick.C:
		}
	}
}

// LogPath returns the log file of a service, or of the gateway, of the
// system that runs, or ran, from dir.
func LogPath(dir, service string) (string, error) {
	if service != GatewayName && !slices.Contains(blog.Names(), service) {
		return "", fmt.Errorf("unknown service %q: use one of %v or %s", service, blog.Names(), GatewayName)
	}
	if dir == "" {
		dir = DefaultDataDir()
	}
	path := filepath.Join(dir, "logs", service+".log")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("reading the log of %s: %w; start the system with "+
			"\"blogctl up --target local\"", service, err)
	}
	return path, nil
}

// Logs copies a service's log to w. With follow, it goes on copying what is
// written to it until ctx ends.
func Logs(ctx context.Context, dir, service string, follow bool, w io.Writer) error {
	path, err := LogPath(dir, service)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the log of %s: %w", service, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil || !follow {
		return err
	}

	// A log file has no change notification that works everywhere; a short
	// poll of its end is cheap.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if _, err := io.Copy(w, f); err != nil {
			return fmt.Errorf("following the log of %s: %w", service, err)
		}
	}
}
