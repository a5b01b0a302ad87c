package systemtest

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
)

// TestEndToEnd creates posts and comments over HTTP, one comment with
// "orange", and sees the query and comments services show them approved
// and rejected; then stops every service with SIGTERM and sees each exit
// cleanly.
func TestEndToEnd(t *testing.T) {
	s := startSystem(t)
	ctx := context.Background()

	var p ackedPost
	body := map[string]string{"title": "Fruit"}
	if err := postJSON(ctx, s.url(blog.Posts)+"/posts/create", body, &p); err != nil {
		t.Fatal(err)
	}
	r := &result{posts: []ackedPost{p}}
	for _, content := range []string{"I like apples", "I hate oranges"} {
		var list []queryComment
		url := s.url(blog.Comments) + "/posts/" + p.ID + "/comments"
		if err := postJSON(ctx, url, map[string]string{"content": content}, &list); err != nil {
			t.Fatal(err)
		}
		last := list[len(list)-1]
		if last.Status != event.StatusPending {
			t.Errorf("new comment %q has status %q, want pending", content, last.Status)
		}
		r.comments = append(r.comments, ackedComment{ID: last.ID, PostID: p.ID, Content: content})
	}
	waitConverged(t, s, r, 10*time.Second)

	var view map[string]queryPost
	if err := getJSON(s.url(blog.Query)+"/posts", &view); err != nil {
		t.Fatal(err)
	}
	want := queryPost{ID: p.ID, Title: "Fruit", Comments: []queryComment{
		{ID: r.comments[0].ID, Content: "I like apples", Status: event.StatusApproved},
		{ID: r.comments[1].ID, Content: "I hate oranges", Status: event.StatusRejected},
	}}
	if diff := cmp.Diff(map[string]queryPost{p.ID: want}, view); diff != "" {
		t.Errorf("query GET /posts (-want +got):\n%s", diff)
	}
	var list []queryComment
	if err := getJSON(s.url(blog.Comments)+"/posts/"+p.ID+"/comments", &list); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Comments, list); diff != "" {
		t.Errorf("comments GET /posts/%s/comments (-want +got):\n%s", p.ID, diff)
	}
	checkLog(t, s)

	for _, name := range slices.Backward(services) {
		if err := s.stop(name); err != nil {
			t.Errorf("stopping %s with SIGTERM: %v, want a clean exit", name, err)
		}
	}
}

// TestQueryRestart kills the query service, writes while it is away, and
// sees everything once it is back.
func TestQueryRestart(t *testing.T) {
	s := startSystem(t)
	ctx := context.Background()
	before := load{Clients: 4, Writes: 20, CommentsPerPost: 3}.run(ctx, s)

	s.kill(blog.Query)
	during := load{Clients: 4, Writes: 20, CommentsPerPost: 3}.run(ctx, s)
	s.start(blog.Query)
	s.waitReady(blog.Query)

	all := merge(before, during)
	if all.failures > 0 {
		t.Errorf("%d writes failed, last: %v", all.failures, all.lastErr)
	}
	waitConverged(t, s, all, 10*time.Second)
	checkLog(t, s)
}

// TestBusKilledMidLoad kills the bus with SIGKILL while 8 clients write,
// restarts it, and checks that every acknowledged write is there once.
func TestBusKilledMidLoad(t *testing.T) {
	s := startSystem(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	r := &result{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		load{Clients: 8, Writes: 150, CommentsPerPost: 3, Pause: 2 * time.Millisecond}.runInto(ctx, s, r)
	}()
	time.Sleep(200 * time.Millisecond)
	s.kill(blog.EventBus)
	atKill := r.acked()
	time.Sleep(500 * time.Millisecond)
	s.start(blog.EventBus)
	atRestart := r.acked()
	<-done

	if atKill == 0 || r.acked() == atRestart {
		t.Fatalf("the bus was not killed mid-load: %d writes acknowledged at the kill, "+
			"%d at the restart, %d in all", atKill, atRestart, r.acked())
	}
	t.Logf("acknowledged %d posts and %d comments; %d writes failed (last: %v)",
		len(r.posts), len(r.comments), r.failures, r.lastErr)
	waitConverged(t, s, r, 20*time.Second)
	checkLog(t, s)
}

// TestKillEverything kills every process with SIGKILL while 8 clients
// write, restarts them all, and checks that every acknowledged write is
// there once and every status converges.
func TestKillEverything(t *testing.T) {
	s := startSystem(t)
	ctx, cancel := context.WithCancel(context.Background())

	r := &result{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		load{Clients: 8, Writes: 1000, CommentsPerPost: 3, Pause: time.Millisecond}.runInto(ctx, s, r)
	}()
	time.Sleep(400 * time.Millisecond)
	for _, name := range services {
		s.kill(name)
	}
	cancel()
	<-done

	for _, name := range services {
		s.start(name)
	}
	s.waitReady(services...)
	t.Logf("acknowledged %d posts and %d comments before the kill", len(r.posts), len(r.comments))
	if len(r.comments) == 0 {
		t.Fatalf("no comment was acknowledged before the kill: %v", r.lastErr)
	}
	waitConverged(t, s, r, 20*time.Second)
	checkLog(t, s)
}

func merge(rs ...*result) *result {
	out := &result{}
	for _, r := range rs {
		out.posts = append(out.posts, r.posts...)
		out.comments = append(out.comments, r.comments...)
		out.latencies = append(out.latencies, r.latencies...)
		out.failures += r.failures
		if r.lastErr != nil {
			out.lastErr = r.lastErr
		}
	}
	sort.Slice(out.latencies, func(i, j int) bool { return out.latencies[i] < out.latencies[j] })
	return out
}

// TestStartBeforeBus starts the services before the bus: they must stay
// alive and not ready, then catch up and serve once the bus is up.
func TestStartBeforeBus(t *testing.T) {
	s := newSystem(t)
	for _, name := range services[1:] {
		s.start(name)
	}
	time.Sleep(300 * time.Millisecond)
	for _, name := range services[1:] {
		for path, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
			resp, err := httpClient.Get(s.url(name) + path)
			if err != nil {
				t.Fatalf("GET %s on %s with no bus: %v", path, name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s on %s with no bus = %d, want %d", path, name, resp.StatusCode, want)
			}
		}
	}

	s.start(blog.EventBus)
	s.waitReady(services...)
	r := load{Clients: 2, Writes: 8, CommentsPerPost: 3}.run(context.Background(), s)
	if r.failures > 0 {
		t.Errorf("%d writes failed, last: %v", r.failures, r.lastErr)
	}
	waitConverged(t, s, r, 10*time.Second)
}

// TestWordsFromEnvironment sets moderation's words with BLOGCTL_WORDS, as
// a container would, and sees them replace the default.
func TestWordsFromEnvironment(t *testing.T) {
	s := newSystem(t)
	s.env[blog.Moderation] = []string{"BLOGCTL_WORDS=kiwi,plum"}
	for _, name := range services {
		s.start(name)
	}
	s.waitReady(services...)

	var p ackedPost
	if err := postJSON(context.Background(), s.url(blog.Posts)+"/posts",
		map[string]string{"title": "Fruit"}, &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"an orange": event.StatusApproved, "a kiwi": event.StatusRejected}
	for content := range want {
		var list []queryComment
		url := s.url(blog.Comments) + "/posts/" + p.ID + "/comments"
		body := map[string]string{"content": content}
		if err := postJSON(context.Background(), url, body, &list); err != nil {
			t.Fatal(err)
		}
	}

	deadline := time.Now().Add(10 * time.Second)
	got := map[string]string{}
	for time.Now().Before(deadline) {
		var view map[string]queryPost
		if err := getJSON(s.url(blog.Query)+"/posts", &view); err != nil {
			t.Fatal(err)
		}
		for _, c := range view[p.ID].Comments {
			got[c.Content] = c.Status
		}
		if cmp.Equal(want, got) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("statuses with BLOGCTL_WORDS=kiwi,plum (-want +got):\n%s", cmp.Diff(want, got))
}
