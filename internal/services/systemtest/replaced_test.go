package systemtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
)

// TestBusLogReplaced replaces the bus's log under running services, as a
// bus pod with its log in an emptyDir does when it is deleted: the bus is
// stopped, its data removed, and a new bus started on the same address.
// The services must not take the new log's events for ones they applied
// from the old: on the first event of the new log each exits with status
// 1 and an error that says what happened. Started again, as their
// supervisor would, they show the new log's state, and a post created
// then reaches the query service.
func TestBusLogReplaced(t *testing.T) {
	s := startSystem(t)
	ctx := context.Background()
	old := createPost(t, s, "Before the bus lost its log")
	waitQueryTitles(t, s, map[string]string{old.ID: old.Title})

	if err := s.stop(blog.EventBus); err != nil {
		t.Fatalf("stopping the bus: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(s.dir, "bus")); err != nil {
		t.Fatal(err)
	}
	s.start(blog.EventBus)
	s.waitReady(blog.EventBus)

	// The first event of the new log reaches every service, which stops.
	first := createPost(t, s, "First of the new log")
	for _, name := range services[1:] {
		code := s.waitExit(name, 20*time.Second)
		if code != 1 {
			t.Errorf("%s exited with status %d after the bus's log was replaced, want 1", name, code)
		}
		for _, want := range []string{"the event bus's log was replaced", "--no-storage-class"} {
			if log := s.logs[name].String(); !strings.Contains(log, want) {
				t.Errorf("%s's log does not say %q; its end:\n%s", name, want, tail(s.logs[name], 10))
			}
		}
	}

	// Started again, they fold the new log, and serve what comes next.
	for _, name := range services[1:] {
		s.start(name)
	}
	s.waitReady(services...)
	waitQueryTitles(t, s, map[string]string{first.ID: first.Title})
	next := createPost(t, s, "After the services rebuilt")
	waitQueryTitles(t, s, map[string]string{first.ID: first.Title, next.ID: next.Title})
	var list []queryComment
	url := s.url(blog.Comments) + "/posts/" + next.ID + "/comments"
	if err := postJSON(ctx, url, map[string]string{"content": "seen"}, &list); err != nil {
		t.Errorf("commenting on a post of the new log: %v", err)
	}
}

// createPost creates a post through the posts service.
func createPost(t *testing.T, s *system, title string) ackedPost {
	t.Helper()
	var p ackedPost
	if err := postJSON(context.Background(), s.url(blog.Posts)+"/posts", map[string]string{"title": title}, &p); err != nil {
		t.Fatalf("creating post %q: %v", title, err)
	}
	return p
}

// waitQueryTitles waits until the query service lists exactly the posts
// of want, by id and title, and fails the test after 15 s.
func waitQueryTitles(t *testing.T, s *system, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got map[string]string
	for time.Now().Before(deadline) {
		var view map[string]queryPost
		if err := getJSON(s.url(blog.Query)+"/posts", &view); err == nil {
			got = map[string]string{}
			for id, p := range view {
				got[id] = p.Title
			}
			if cmp.Equal(want, got) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("query GET /posts titles (-want +got):\n%s", cmp.Diff(want, got))
}

// waitExit waits for a service's process to exit on its own and returns
// its exit status; it kills the process and fails the test if it is
// still running after timeout.
func (s *system) waitExit(name string, timeout time.Duration) int {
	s.t.Helper()
	cmd := s.procs[name]
	if cmd == nil {
		s.t.Fatalf("%s is not running", name)
	}
	delete(s.procs, name)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", name, err)
		}
		return 0
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		s.t.Fatalf("%s still running %s after the bus's log was replaced; its log:\n%s",
			name, timeout, tail(s.logs[name], 20))
		return -1
	}
}
