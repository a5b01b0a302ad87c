package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
)

func TestPorts(t *testing.T) {
	tests := []struct {
		base int
		want map[string]int
	}{
		{0, map[string]int{"posts": 4000, "comments": 4001, "query": 4002, "moderation": 4003,
			"event-bus": 4005, "client": 3000}},
		{5000, map[string]int{"posts": 5000, "comments": 5001, "query": 5002, "moderation": 5003,
			"event-bus": 5005, "client": 5006}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Ports(tt.base)); diff != "" {
			t.Errorf("Ports(%d) (-want +got):\n%s", tt.base, diff)
		}
	}
}

func TestNewPlanRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative base", Config{PortBase: -1, GatewayPort: 8080}, "--port-base -1"},
		{"base too high", Config{PortBase: 65532, GatewayPort: 8080}, "--port-base 65532"},
		{"gateway out of range", Config{GatewayPort: 70000}, "--gateway-port 70000"},
		{"gateway on a service", Config{GatewayPort: 4002}, "the gateway and query would both use port 4002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newPlan(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newPlan(%+v) = %v, want an error containing %q", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestPlanEnv(t *testing.T) {
	p, err := newPlan(Config{Host: "127.0.0.1", PortBase: 6000, GatewayPort: 8080})
	if err != nil {
		t.Fatal(err)
	}
	env := p.env(blog.EventBus, "/data", "orange,lemon")
	last := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		last[k] = v
	}
	want := map[string]string{
		"BLOGCTL_HOST":          "127.0.0.1",
		"BLOGCTL_PORT":          "6005",
		"BLOGCTL_DATA_DIR":      "/data/event-bus",
		"BLOGCTL_EVENT_BUS_URL": "http://127.0.0.1:6005",
		"BLOGCTL_SUBSCRIBERS": "http://127.0.0.1:6000/events,http://127.0.0.1:6001/events," +
			"http://127.0.0.1:6002/events,http://127.0.0.1:6003/events",
		"BLOGCTL_WORDS": "orange,lemon",
	}
	for k, v := range want {
		if last[k] != v {
			t.Errorf("env(event-bus)[%s] = %q, want %q", k, last[k], v)
		}
	}
	if first := p.endpoints()[0]; first.Name != GatewayName || first.URL != "http://127.0.0.1:8080" {
		t.Errorf("endpoints()[0] = %+v, want the gateway first", first)
	}
}

func mustEvent(t *testing.T, seq uint64, typ string, data any) event.Event {
	t.Helper()
	ev, err := event.New(typ, "", data)
	if err != nil {
		t.Fatal(err)
	}
	ev.Seq = seq
	return ev
}

func TestFormatEvent(t *testing.T) {
	c := event.Comment{ID: "3fa2c1d0", PostID: "9b1e2a3c", Content: "nice", Status: "approved"}
	tests := []struct {
		ev   event.Event
		want string
	}{
		{mustEvent(t, 1, event.PostCreated, event.Post{ID: "9b1e2a3c", Title: "Hello"}),
			`#1    PostCreated       post 9b1e2a3c "Hello"`},
		{mustEvent(t, 2, event.CommentCreated, event.Comment{ID: "3fa2c1d0", PostID: "9b1e2a3c",
			Content: "nice", Status: "pending"}),
			`#2    CommentCreated    comment 3fa2c1d0 on post 9b1e2a3c pending "nice"`},
		{mustEvent(t, 12, event.CommentModerated, c),
			`#12   CommentModerated  comment 3fa2c1d0 on post 9b1e2a3c approved`},
		{mustEvent(t, 13, event.CommentUpdated, c),
			`#13   CommentUpdated    comment 3fa2c1d0 on post 9b1e2a3c approved`},
		{mustEvent(t, 14, event.PostCreated, event.Post{ID: "a", Title: "\x1b[31mred\x1b[0m"}),
			`#14   PostCreated       post a "\x1b[31mred\x1b[0m"`},
		{mustEvent(t, 15, event.PostCreated, event.Post{ID: "a", Title: strings.Repeat("é", 50)}),
			`#15   PostCreated       post a "` + strings.Repeat("é", 39) + `…"`},
		{mustEvent(t, 16, "Other", map[string]int{}),
			`#16   Other             (not a blog event; the services ignore it)`},
		{event.Event{Seq: 17, Type: event.PostCreated, Data: json.RawMessage(`[1]`)},
			`#17   PostCreated       (unreadable data)`},
	}
	for _, tt := range tests {
		if got := FormatEvent(tt.ev); got != tt.want {
			t.Errorf("FormatEvent(%s) = %q, want %q", tt.ev.Data, got, tt.want)
		}
	}
}

// fakeBus serves pages of a fixed log, as the bus's long poll would.
type fakeBus struct {
	mu     sync.Mutex
	events []event.Event
	reads  int
}

func (b *fakeBus) Read(ctx context.Context, since uint64, limit int, wait time.Duration) (event.Page, error) {
	b.mu.Lock()
	b.reads++
	var page event.Page
	for _, ev := range b.events {
		page.Head = ev.Seq
		if ev.Seq > since && (limit == 0 || len(page.Events) < limit) {
			page.Events = append(page.Events, ev)
		}
	}
	b.mu.Unlock()
	if len(page.Events) == 0 && wait > 0 {
		sleep(ctx, 5*time.Millisecond)
	}
	return page, ctx.Err()
}

func (b *fakeBus) add(ev event.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, ev)
}

func TestFollowPrintsOnlyNewEvents(t *testing.T) {
	bus := &fakeBus{}
	bus.add(mustEvent(t, 1, event.PostCreated, event.Post{ID: "old", Title: "history"}))
	var buf syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		follow(ctx, bus, &console{w: &buf})
		close(done)
	}()

	// Wait until follow has read the head before adding new events.
	waitFor(t, func() bool { bus.mu.Lock(); defer bus.mu.Unlock(); return bus.reads >= 2 })
	bus.add(mustEvent(t, 2, event.PostCreated, event.Post{ID: "new", Title: "fresh"}))
	bus.add(mustEvent(t, 3, event.CommentModerated, event.Comment{ID: "c", PostID: "new", Status: "rejected"}))
	waitFor(t, func() bool { return strings.Count(buf.String(), "\n") >= 2 })
	cancel()
	<-done

	want := "#2    PostCreated       post new \"fresh\"\n" +
		"#3    CommentModerated  comment c on post new rejected\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("follow printed (-want +got):\n%s", diff)
	}
}

func TestPrefixWriterKeepsLinesWhole(t *testing.T) {
	var buf bytes.Buffer
	c := &console{w: &buf}
	pw := &prefixWriter{c: c, prefix: "[posts] "}
	fmt.Fprint(pw, "first li")
	c.Printf("#1 event")
	fmt.Fprint(pw, "ne\nsecond\nthird")
	pw.Flush()
	want := "#1 event\n[posts] first line\n[posts] second\n[posts] third\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("console got (-want +got):\n%s", diff)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
