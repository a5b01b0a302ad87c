package systemtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
)

type queryComment struct{ ID, Content, Status string }

type queryPost struct {
	ID, Title string
	Comments  []queryComment
}

// expectedStatus is the moderation rule with the default words.
func expectedStatus(content string) string {
	if strings.Contains(content, "orange") {
		return event.StatusRejected
	}
	return event.StatusApproved
}

// problems lists how the query view differs from the converged state of
// r: every acknowledged post and comment present once, every comment
// moderated by the rule. It lists at most ten.
func (r *result) problems(view map[string]queryPost) []string {
	var out []string
	add := func(format string, args ...any) {
		if len(out) < 10 {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	seen := map[string]int{}
	for _, p := range view {
		for _, c := range p.Comments {
			seen[c.ID]++
			if c.Status == event.StatusPending {
				add("comment %s of post %s is still pending", c.ID, p.ID)
			}
		}
	}
	for id, n := range seen {
		if n > 1 {
			add("comment %s appears %d times", id, n)
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.posts {
		if got, ok := view[p.ID]; !ok || got.Title != p.Title {
			add("acknowledged post %s %q is missing", p.ID, p.Title)
		}
	}
	for _, c := range r.comments {
		status := ""
		for _, qc := range view[c.PostID].Comments {
			if qc.ID == c.ID {
				status = qc.Status
			}
		}
		if want := expectedStatus(c.Content); status != want {
			add("acknowledged comment %s on post %s: status %q, want %q", c.ID, c.PostID, status, want)
		}
	}
	return out
}

// waitConverged polls the query service until its view is the converged
// state of r, and returns when it first was. It fails the test after
// timeout.
func waitConverged(t testing.TB, s *system, r *result, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last []string
	for time.Now().Before(deadline) {
		var view map[string]queryPost
		err := getJSON(s.url(blog.Query)+"/posts", &view)
		if err == nil {
			if last = r.problems(view); len(last) == 0 {
				return time.Now()
			}
		} else {
			last = []string{err.Error()}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the query service did not converge within %s:\n%s", timeout, strings.Join(last, "\n"))
	return time.Time{}
}

// checkLog reads the bus's whole log and fails the test on any fact
// stored twice: an event ID, a post, a comment, or a comment's moderation
// or update.
func checkLog(t testing.TB, s *system) map[string]int {
	t.Helper()
	bus := event.NewClient(s.url(blog.EventBus), nil)
	ids := map[string]int{}
	facts := map[string]int{}
	counts := map[string]int{}
	for since := uint64(0); ; {
		page, err := bus.Read(context.Background(), since, 1000, 0)
		if err != nil {
			t.Fatalf("reading the bus's log: %v", err)
		}
		if len(page.Events) == 0 {
			break
		}
		for _, ev := range page.Events {
			ids[ev.ID]++
			counts[ev.Type]++
			c, _ := event.DataAs[event.Comment](ev)
			facts[ev.Type+"/"+c.ID]++
		}
		since = page.Events[len(page.Events)-1].Seq
	}

	var dups []string
	for k, n := range ids {
		if n > 1 {
			dups = append(dups, fmt.Sprintf("event ID %s stored %d times", k, n))
		}
	}
	for k, n := range facts {
		if n > 1 {
			dups = append(dups, fmt.Sprintf("%s stored %d times", k, n))
		}
	}
	if len(dups) > 0 {
		t.Errorf("the bus's log holds duplicates:\n%s", strings.Join(dups[:min(10, len(dups))], "\n"))
	}
	c := counts[event.CommentCreated]
	if counts[event.CommentModerated] != c || counts[event.CommentUpdated] != c {
		t.Errorf("log counts %v: want as many CommentModerated and CommentUpdated as CommentCreated",
			counts)
	}
	return counts
}
