package local

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// upCommand is "blogctl up --target local" run as a user runs it.
type upCommand struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *syncBuffer
}

func startUpCommand(t *testing.T, bin, dataDir string, base, gw int) *upCommand {
	t.Helper()
	cmd := exec.Command(bin, "up", "--target", "local", "--data-dir", dataDir,
		"--port-base", fmt.Sprint(base), "--gateway-port", fmt.Sprint(gw))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	u := &upCommand{cmd: cmd, stdout: bufio.NewReader(out), stderr: &syncBuffer{}}
	cmd.Stderr = u.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return u
}

// stop sends SIGTERM and checks that up exits 0.
func (u *upCommand) stop(t *testing.T) {
	t.Helper()
	u.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- u.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("up after SIGTERM: %v, want exit status 0; stderr:\n%s", err, u.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("up did not stop within 30s of SIGTERM")
	}
}

func (u *upCommand) waitReady(t *testing.T) {
	t.Helper()
	waitFor(t, func() bool { return strings.Contains(u.stderr.String(), "ready in") })
}

func TestUpCommandKeepsDataAcrossRuns(t *testing.T) {
	bin := blogctlBinary(t)
	dataDir := t.TempDir()
	base, gw := freePorts(t)
	sys := &realSystem{gateway: fmt.Sprintf("http://127.0.0.1:%d", gw)}

	// The first line up prints is the gateway's address.
	up := startUpCommand(t, bin, dataDir, base, gw)
	first, err := up.stdout.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(first); len(f) < 2 || f[0] != GatewayName || f[1] != sys.gateway {
		t.Errorf("up's first line = %q, want the gateway at %s", first, sys.gateway)
	}
	up.waitReady(t)

	// status reads the state file up wrote.
	out, err := exec.Command(bin, "status", "--target", "local", "--data-dir", dataDir, "-o", "json").Output()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	var hs []Health
	if err := json.Unmarshal(out, &hs); err != nil || len(hs) != 7 {
		t.Fatalf("status -o json = %s (%v), want 7 entries", out, err)
	}
	for _, h := range hs {
		if h.Health != Ready {
			t.Errorf("status: %s is %s, want ready", h.Name, h.Health)
		}
	}
	checkLoopbackOnly(t, hs)

	var p post
	if code := sys.call(t, "POST", "/posts/create", map[string]string{"title": "kept"}, &p); code != 201 {
		t.Fatalf("POST /posts/create = %d, want 201", code)
	}
	waitFor(t, func() bool { return strings.Contains(up.stderr.String(), `PostCreated       post `+p.ID) })
	up.stop(t)

	// A second up on the same data directory shows the same post.
	up = startUpCommand(t, bin, dataDir, base, gw)
	up.waitReady(t)
	waitFor(t, func() bool {
		var posts map[string]post
		return sys.call(t, "GET", "/posts", nil, &posts) == 200 && posts[p.ID].Title == "kept"
	})
	up.stop(t)
}

// checkLoopbackOnly checks that no endpoint of a local system answers on
// this machine's other addresses: the system is for this machine alone.
func checkLoopbackOnly(t *testing.T, hs []Health) {
	t.Helper()
	var other string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			other = n.IP.String()
			break
		}
	}
	if other == "" {
		t.Log("this machine has no address but loopback: not checked that the system answers on loopback alone")
		return
	}
	for _, h := range hs {
		u, err := url.Parse(h.URL)
		if err != nil {
			t.Fatalf("status: %s has URL %q: %v", h.Name, h.URL, err)
		}
		if conn, err := net.DialTimeout("tcp", net.JoinHostPort(other, u.Port()), time.Second); err == nil {
			conn.Close()
			t.Errorf("%s answers on %s:%s, want it on loopback alone", h.Name, other, u.Port())
		}
	}
}

func TestUpCommandReportsTakenPort(t *testing.T) {
	bin := blogctlBinary(t)
	base, gw := freePorts(t)
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", base+5))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cmd := exec.Command(bin, "up", "--target", "local", "--data-dir", t.TempDir(),
		"--port-base", fmt.Sprint(base), "--gateway-port", fmt.Sprint(gw))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("up with a taken port succeeded:\n%s", out)
	}
	want := fmt.Sprintf("port %d for event-bus is taken", base+5)
	if !strings.Contains(string(out), want) {
		t.Errorf("up with a taken port said:\n%s\nwant it to contain %q", out, want)
	}
}

func TestDownAndLogsCommands(t *testing.T) {
	bin := blogctlBinary(t)
	dataDir := t.TempDir()
	base, gw := freePorts(t)
	up := startUpCommand(t, bin, dataDir, base, gw)
	up.waitReady(t)

	// logs prints the service's log file; an unknown service is refused.
	out, err := exec.Command(bin, "logs", "posts", "--target", "local", "--data-dir", dataDir).Output()
	if err != nil || !strings.Contains(string(out), "caught up with the event bus") {
		t.Errorf("logs posts = %q (%v), want the posts service's log", out, err)
	}
	out, err = exec.Command(bin, "logs", "nope", "--target", "local", "--data-dir", dataDir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown service "nope"`) {
		t.Errorf("logs nope = %q (%v), want an unknown-service error", out, err)
	}

	// down stops up, which exits 0, and a second down says nothing runs.
	if out, err := exec.Command(bin, "down", "--target", "local", "--data-dir", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- up.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("up after down: %v, want exit status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("up still runs 30s after down")
	}
	out, err = exec.Command(bin, "down", "--target", "local", "--data-dir", dataDir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not running") {
		t.Errorf("second down = %q (%v), want \"not running\"", out, err)
	}
}

func TestSecondUpOnTheSameDataIsRefused(t *testing.T) {
	bin := blogctlBinary(t)
	dataDir := t.TempDir()
	base, gw := freePorts(t)
	up := startUpCommand(t, bin, dataDir, base, gw)
	up.waitReady(t)

	base2, gw2 := freePorts(t)
	cmd := exec.Command(bin, "up", "--target", "local", "--data-dir", dataDir,
		"--port-base", fmt.Sprint(base2), "--gateway-port", fmt.Sprint(gw2))
	var stdout strings.Builder
	cmd.Stdout = &stdout
	errOut, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(errOut)
	if err := cmd.Wait(); err == nil {
		t.Fatal("a second up on the same data directory succeeded")
	}
	if !strings.Contains(string(msg), "already runs") || !strings.Contains(string(msg), "blogctl down") {
		t.Errorf("second up said %q, want \"already runs\" and how to stop the first", msg)
	}
	if stdout.Len() != 0 {
		t.Errorf("second up printed addresses %q before refusing", stdout.String())
	}

	// The first is untouched: its log still says it caught up.
	out, err := exec.Command(bin, "logs", "event-bus", "--target", "local", "--data-dir", dataDir).Output()
	if err != nil || strings.Contains(string(out), "another event bus") {
		t.Errorf("the first system's bus log = %q (%v), want it untouched", out, err)
	}
	up.stop(t)
}
