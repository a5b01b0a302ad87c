package local

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
)

// TestUpCommandRestartsKilledServices kills the event bus, then the query
// service, of a real system run by "blogctl up --target local", and checks
// that each comes back with nothing lost and nothing doubled.
func TestUpCommandRestartsKilledServices(t *testing.T) {
	bin := blogctlBinary(t)
	dataDir := t.TempDir()
	base, gw := freePorts(t)
	sys := &realSystem{gateway: sprintf("http://127.0.0.1:%d", gw)}
	up := startUpCommand(t, bin, dataDir, base, gw)
	up.waitReady(t)

	var p post
	if code := sys.call(t, "POST", "/posts/create", map[string]string{"title": "survives"}, &p); code != 201 {
		t.Fatalf("POST /posts/create = %d, want 201", code)
	}
	sys.comment(t, p.ID, "before the kills")
	want := map[string]string{"before the kills": "approved"}
	waitLong(t, "the first comment approved in the query service", func() bool {
		return sys.queryComments(p.ID) == jsonString(want)
	})

	for _, name := range []string{blog.EventBus, blog.Query} {
		killAndWaitForRestart(t, sys, dataDir, name)

		// The post from before is still there, and a comment made now
		// goes through moderation into the query service, once.
		content := "after " + name + " restarted"
		sys.comment(t, p.ID, content)
		want[content] = "approved"
		waitLong(t, "every comment approved after "+name+" restarted", func() bool {
			return sys.queryComments(p.ID) == jsonString(want)
		})
		var cs []comment
		if code := sys.call(t, "GET", "/posts/"+p.ID+"/comments", nil, &cs); code != 200 || len(cs) != len(want) {
			t.Errorf("the comments service has %d comments (%d), want %d", len(cs), code, len(want))
		}
	}
	checkRestartsInStatus(t, bin, dataDir)
	// up says a service is ready again on its own next health check, which
	// may come after this test has seen /readyz answer.
	for _, name := range []string{blog.EventBus, blog.Query} {
		waitLong(t, "up to say "+name+" is ready again", func() bool {
			return strings.Contains(up.stderr.String(), name+" is ready again (restart 1)")
		})
	}
	for _, line := range []string{
		"event-bus stopped on its own (signal: killed); restarting it in 1s (restart 1)",
		"event-bus is ready again (restart 1)",
		"query stopped on its own (signal: killed); restarting it in 1s (restart 1)",
		"query is ready again (restart 1)",
	} {
		if !strings.Contains(up.stderr.String(), line) {
			t.Errorf("up's stderr has no %q:\n%s", line, up.stderr)
		}
	}
	up.stop(t)
}

// killAndWaitForRestart kills a service with SIGKILL and waits until the
// state file shows its new process and it answers /readyz again.
func killAndWaitForRestart(t *testing.T, sys *realSystem, dataDir, name string) {
	t.Helper()
	old := serviceState(t, dataDir, name)
	if err := syscall.Kill(old.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("killing %s (pid %d): %v", name, old.PID, err)
	}

	// The gateway goes on answering, with 502 for the query service while
	// it is down.
	resp, err := http.Get(sys.gateway + "/posts")
	if err != nil {
		t.Fatalf("GET /posts via the gateway while %s is down: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadGateway {
		t.Errorf("GET /posts via the gateway while %s is down = %s, want 200 or 502", name, resp.Status)
	}
	var now ServiceState
	waitLong(t, name+" restarted in the state file", func() bool {
		now = serviceState(t, dataDir, name)
		return now.PID != old.PID
	})
	if now.Restarts != 1 || now.URL != old.URL || now.Log != old.Log {
		t.Errorf("%s after its restart = %+v, want restarts 1 and the same URL and log as %+v", name, now, old)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	waitLong(t, name+" ready again", func() bool {
		ok, _ := probe(t.Context(), hc, now.URL+"/readyz")
		return ok
	})
}

// checkRestartsInStatus checks that "blogctl status --target local" shows
// one restart of the event bus and of the query service, in text and JSON.
func checkRestartsInStatus(t *testing.T, bin, dataDir string) {
	t.Helper()
	out, err := exec.Command(bin, "status", "--target", "local", "--data-dir", dataDir).Output()
	if err != nil || !strings.HasPrefix(string(out), "NAME") || !strings.Contains(string(out), "RESTARTS") {
		t.Errorf("status = %q (%v), want a table with a RESTARTS column", out, err)
	}

	out, err = exec.Command(bin, "status", "--target", "local", "--data-dir", dataDir, "-o", "json").Output()
	var hs []Health
	if err == nil {
		err = json.Unmarshal(out, &hs)
	}
	if err != nil {
		t.Fatalf("status -o json = %s (%v)", out, err)
	}
	got := map[string]int{}
	for _, h := range hs {
		got[h.Name] = h.Restarts
	}
	want := map[string]int{GatewayName: 0, blog.Posts: 0, blog.Comments: 0, blog.Query: 1,
		blog.Moderation: 0, blog.EventBus: 1, blog.Client: 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status -o json restarts (-want +got):\n%s", diff)
	}
}

// comment creates a comment on a post through the gateway.
func (s *realSystem) comment(t *testing.T, postID, content string) {
	t.Helper()
	path := "/posts/" + postID + "/comments"
	if code := s.call(t, "POST", path, map[string]string{"content": content}, nil); code != 201 {
		t.Fatalf("POST %s = %d, want 201", path, code)
	}
}

// queryComments returns the comments of a post as the query service has
// them, content to status in JSON, or why not.
func (s *realSystem) queryComments(postID string) string {
	resp, err := http.Get(s.gateway + "/posts")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var posts map[string]post
	if err := json.NewDecoder(resp.Body).Decode(&posts); err != nil {
		return resp.Status
	}
	p, ok := posts[postID]
	if !ok {
		return "no post " + postID
	}
	got := map[string]string{}
	for _, c := range p.Comments {
		if _, dup := got[c.Content]; dup {
			return "doubled: " + c.Content
		}
		got[c.Content] = c.Status
	}
	return jsonString(got)
}

// waitLong waits up to a minute for what a restart brings about.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUpCommandRefusesABadRestartPolicy(t *testing.T) {
	bin := blogctlBinary(t)
	const want = `checking --restart: unknown restart policy "sometimes": use on-failure or never`
	tests := []struct {
		name string
		args []string
		env  string
	}{
		{"flag", []string{"--restart", "sometimes"}, ""},
		{"environment", nil, "BLOGCTL_RESTART=sometimes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, gw := freePorts(t)
			dataDir := t.TempDir()
			args := append([]string{"up", "--target", "local", "--data-dir", dataDir,
				"--port-base", sprintf("%d", base), "--gateway-port", sprintf("%d", gw)}, tt.args...)
			cmd := exec.Command(bin, args...)
			cmd.Env = append(cmd.Environ(), tt.env)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), want) {
				t.Errorf("up %v with %q = %v, said %q; want a failure saying %q", tt.args, tt.env, err, out, want)
			}
			if strings.Contains(string(out), "gateway") {
				t.Errorf("up with a bad --restart printed addresses before refusing:\n%s", out)
			}
		})
	}
}
