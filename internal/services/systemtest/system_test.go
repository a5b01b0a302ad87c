package systemtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
)

// binary is the blogctl binary that TestMain builds.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "blogctl-systemtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "blogctl")
	build := exec.Command("go", "build", "-tags", "serveonly", "-o", binary,
		"github.com/blogctl/blogctl/cmd/blogctl")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building blogctl for the system tests: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// services are the processes of a system, bus first.
var services = []string{blog.EventBus, blog.Posts, blog.Comments, blog.Query, blog.Moderation}

// system is the blog system as separate "blogctl serve" processes on
// loopback ports, with the bus's data in a temporary directory.
type system struct {
	t     testing.TB
	dir   string
	ports map[string]int
	procs map[string]*exec.Cmd
	logs  map[string]*syncBuffer
	// cpu is the CPU time used by the processes stopped so far.
	cpu map[string]time.Duration
	// env adds environment variables to a service's process.
	env map[string][]string
}

// startSystem starts every service and waits until all are ready.
func startSystem(t testing.TB) *system {
	t.Helper()
	s := newSystem(t)
	for _, name := range services {
		s.start(name)
	}
	s.waitReady(services...)
	return s
}

// newSystem prepares a system and starts nothing.
func newSystem(t testing.TB) *system {
	t.Helper()
	s := &system{
		t: t, dir: t.TempDir(), ports: freePorts(t, len(services)),
		procs: map[string]*exec.Cmd{}, logs: map[string]*syncBuffer{},
		cpu: map[string]time.Duration{}, env: map[string][]string{},
	}
	t.Cleanup(s.stopAll)
	return s
}

func freePorts(t testing.TB, n int) map[string]int {
	t.Helper()
	ports := map[string]int{}
	for _, name := range services[:n] {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports[name] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// url returns a service's address.
func (s *system) url(name string) string {
	return fmt.Sprintf("http://127.0.0.1:%d", s.ports[name])
}

func (s *system) args(name string) []string {
	args := []string{"serve", name, "--port", fmt.Sprint(s.ports[name])}
	if name != blog.EventBus {
		return append(args, "--event-bus-url", s.url(blog.EventBus))
	}
	var subs []string
	for _, sub := range services[1:] {
		subs = append(subs, s.url(sub)+"/events")
	}
	return append(args, "--data-dir", filepath.Join(s.dir, "bus"),
		"--subscribers", strings.Join(subs, ","))
}

// start starts a service's process, appending its output to its log.
func (s *system) start(name string) {
	s.t.Helper()
	cmd := exec.Command(binary, s.args(name)...)
	cmd.Env = append(os.Environ(), s.env[name]...)
	if s.logs[name] == nil {
		s.logs[name] = &syncBuffer{}
	}
	cmd.Stdout = s.logs[name]
	cmd.Stderr = s.logs[name]
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s: %v", name, err)
	}
	s.procs[name] = cmd
}

// kill kills a service's process with SIGKILL.
func (s *system) kill(name string) {
	s.t.Helper()
	cmd := s.procs[name]
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	delete(s.procs, name)
}

// stop stops a service with SIGTERM and returns its exit error.
func (s *system) stop(name string) error {
	cmd := s.procs[name]
	if cmd == nil {
		return nil
	}
	delete(s.procs, name)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if st := cmd.ProcessState; st != nil {
			s.cpu[name] += st.UserTime() + st.SystemTime()
		}
		return err
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		return fmt.Errorf("%s did not stop within 15 s of SIGTERM: %w", name, <-done)
	}
}

func (s *system) stopAll() {
	for i := len(services) - 1; i >= 0; i-- {
		_ = s.stop(services[i])
	}
	if s.t.Failed() {
		for _, name := range services {
			s.t.Logf("log of %s:\n%s", name, tail(s.logs[name], 40))
		}
	}
}

// syncBuffer collects a process's output, safe to read while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(b *syncBuffer, n int) string {
	if b == nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitReady waits until every named service answers /readyz with 200.
func (s *system) waitReady(names ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range names {
		for {
			resp, err := http.Get(s.url(name) + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case <-ctx.Done():
				s.t.Fatalf("%s is not ready after 30 s (last error %v); its log:\n%s",
					name, err, tail(s.logs[name], 40))
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}
