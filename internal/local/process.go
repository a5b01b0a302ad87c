package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// errStopWaiting ends a wait for readiness that another failure made moot.
var errStopWaiting = errors.New("stopped waiting")

// process is one running service.
type process struct {
	name    string
	url     string
	logPath string
	cmd     *exec.Cmd
	prefix  *prefixWriter
	logFile *os.File
	started time.Time
	// done is closed when the process has exited; err then holds how.
	done chan struct{}
	err  error
}

// command is how to run one service.
type command struct {
	binary, name, url string
	env               []string
	// keepLog appends to the log rather than starting it afresh, so that
	// the log of a crash survives the restart.
	keepLog bool
}

// startProcess starts "<binary> serve <name>" with env, its output going to
// its log file in logDir, and to out, prefixed, when out is not nil.
func startProcess(c command, logDir string, out *console) (*process, error) {
	binary, name, url := c.binary, c.name, c.url
	logPath := filepath.Join(logDir, name+".log")
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if c.keepLog {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(logPath, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the log of %s: %w", name, err)
	}
	p := &process{name: name, url: url, logPath: logPath, logFile: f, done: make(chan struct{})}

	var w io.Writer = f
	if out != nil {
		p.prefix = &prefixWriter{c: out, prefix: fmt.Sprintf("[%s] ", name)}
		w = io.MultiWriter(f, p.prefix)
	}
	p.cmd = exec.Command(binary, "serve", name)
	p.cmd.Env = c.env
	p.cmd.Stdout, p.cmd.Stderr = w, w
	p.cmd.SysProcAttr = childAttr()
	if err := p.cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s with %s: %w", name, binary, err)
	}
	p.started = time.Now()

	go func() {
		p.err = p.cmd.Wait()
		if p.prefix != nil {
			p.prefix.Flush()
		}
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to grace and then kills the process.
func (p *process) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// waitReady polls the service's /readyz until it answers 200, the process
// exits or ctx ends.
func (p *process) waitReady(ctx context.Context, hc *http.Client) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := "no answer yet"
	for {
		ok, why := probe(ctx, hc, p.url+"/readyz")
		if ok {
			return nil
		}
		if ctx.Err() == nil {
			// Keep the last answer from before the deadline: the
			// deadline's own error says nothing about the service.
			last = why
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready (%v)%s", p.name, p.err, p.tail())
		case <-ctx.Done():
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return errStopWaiting
			}
			return fmt.Errorf("%s is not ready at %s/readyz (%s)%s", p.name, p.url, last, p.tail())
		case <-tick.C:
		}
	}
}

// probe asks url once and says whether it answered 200, and if not, why.
func probe(ctx context.Context, hc *http.Client, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && errno == syscall.ECONNREFUSED {
			return false, "connection refused"
		}
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode == http.StatusOK {
		return true, ""
	}
	return false, fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(body))
}

// tail returns the last lines of the process's log, ready to append to an
// error message.
func (p *process) tail() string {
	lines := lastLines(p.logPath, 15)
	if len(lines) == 0 {
		return fmt.Sprintf("; its log %s is empty", p.logPath)
	}
	return fmt.Sprintf("; the last lines of its log %s:\n    %s", p.logPath,
		strings.Join(lines, "\n    "))
}

// lastLines returns up to n last lines of the file at path.
func lastLines(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const window = 16 << 10
	if st, err := f.Stat(); err == nil && st.Size() > window {
		_, _ = f.Seek(-window, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines[max(0, len(lines)-n):]
}
