// Package tui_test checks "blogctl tui" in a real terminal: tmux runs the
// dashboard, the test sends keys and reads the screen with capture-pane.
package tui_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/local"
	"github.com/blogctl/blogctl/internal/testenv"
)

// binDir holds the blogctl binary that the tests run, built once.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "blogctl-tui-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// blogctl returns the path of a blogctl binary built from this module.
func blogctl(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			binError = fmt.Errorf("finding the module: %w", err)
			return
		}
		bin := filepath.Join(binDir, "blogctl")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/blogctl")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
		if out, err := cmd.CombinedOutput(); err != nil {
			binError = fmt.Errorf("building blogctl: %w\n%s", err, out)
			return
		}
		binPath = bin
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// terminal is one tmux session running a command.
type terminal struct {
	t    *testing.T
	name string
}

func needTmux(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("tmux")
	testenv.Need(t, err == nil, "tmux", "install the tmux package")
}

// startTerminal runs argv in a new detached tmux session of width x height,
// with NO_COLOR set so the screen is plain text.
func startTerminal(t *testing.T, width, height int, argv ...string) *terminal {
	t.Helper()
	name := fmt.Sprintf("blogctl-tui-test-%d", time.Now().UnixNano())
	args := []string{"new-session", "-d", "-s", name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height),
		"-e", "NO_COLOR=1", "-e", "TERM=xterm-256color"}
	args = append(args, argv...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("starting tmux: %v\n%s", err, out)
	}
	// Keep the pane after the command exits, to read what it said.
	_ = exec.Command("tmux", "set-option", "-t", name, "remain-on-exit", "on").Run()
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", name).Run() })
	return &terminal{t: t, name: name}
}

// screen returns what the terminal shows.
func (term *terminal) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", term.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// send types keys, as tmux send-keys names them ("Tab", "Escape", "j").
func (term *terminal) send(keys ...string) {
	term.t.Helper()
	args := append([]string{"send-keys", "-t", term.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		term.t.Fatalf("tmux send-keys %v: %v\n%s", keys, err, out)
	}
}

// waitFor waits until the screen satisfies ok and returns it.
func (term *terminal) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := term.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the screen did not show %s within %s; it shows:\n%s", what, timeout, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (term *terminal) waitForText(text string, timeout time.Duration) string {
	term.t.Helper()
	return term.waitFor(fmt.Sprintf("%q", text), timeout, func(s string) bool {
		return strings.Contains(s, text)
	})
}

// dead reports whether the pane's command has exited.
func (term *terminal) dead() bool {
	out, _ := exec.Command("tmux", "display-message", "-p", "-t", term.name, "#{pane_dead}").Output()
	return strings.TrimSpace(string(out)) == "1"
}

// freePortBase finds n consecutive free ports on the loopback.
func freePortBase(t *testing.T, n int) int {
	t.Helper()
	for base := 20000 + int(time.Now().UnixNano()%20000); base < 60000; base += 50 {
		free := true
		for i := range n {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

// localSystem is a blog system run by "blogctl up --target local".
type localSystem struct {
	t       *testing.T
	bin     string
	dataDir string
	base    int
	gateway string
	stop    func()
}

// startLocal runs "blogctl up --target local" on free ports and returns
// once every service is ready.
func startLocal(t *testing.T, bin string) *localSystem {
	t.Helper()
	base := freePortBase(t, 8)
	sys := &localSystem{t: t, bin: bin, dataDir: t.TempDir(), base: base,
		gateway: fmt.Sprintf("http://127.0.0.1:%d", base+7)}
	sys.start()
	return sys
}

// start starts the system and waits until it is ready.
func (s *localSystem) start() {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, s.bin, "up", "--target", "local", "--data-dir", s.dataDir,
		"--port-base", fmt.Sprint(s.base), "--gateway-port", fmt.Sprint(s.base+7))
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	logPath := filepath.Join(s.t.TempDir(), "up.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting the local system: %v", err)
	}
	s.stop = sync.OnceFunc(func() { cancel(); _ = cmd.Wait(); logFile.Close() })
	s.t.Cleanup(s.stop)

	deadline := time.Now().Add(60 * time.Second)
	for !ready(s.gateway) || !stateWritten(s.dataDir) {
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			s.t.Fatalf("the local system was not ready within 60s:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func stateWritten(dataDir string) bool {
	_, err := local.ReadState(dataDir)
	return err == nil
}

func ready(url string) bool {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("running %s %v: %w\n%s", name, args, err, out)
	}
	return nil
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
