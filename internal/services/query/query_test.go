package query_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
	"github.com/blogctl/blogctl/internal/services/query"
)

func mustEvent(t *testing.T, typ string, data any) event.Event {
	t.Helper()
	ev, err := event.New(typ, "", data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func comment(id, status string) event.Comment {
	return event.Comment{ID: id, PostID: "0000abcd", Content: "c" + id, Status: status}
}

func TestContract(t *testing.T) {
	bus := st.New(t)
	svc := query.New(query.Config{Bus: bus.Client(), MaxBody: 1024})
	if err := svc.Projection().CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	bus.Append(mustEvent(t, event.PostCreated, event.Post{ID: "0000abcd", Title: "t"}))
	bus.Append(mustEvent(t, event.CommentCreated, comment("00000001", "pending")))
	bus.Pump(t, 256, svc.Handler())

	preflight := st.Preflight("GET")
	st.Check(t, svc.Handler(), []st.Call{
		{Name: "list", Method: "GET", Path: "/posts", WantStatus: 200, WantJSON: map[string]any{
			"<id>": map[string]any{"id": "<id>", "title": "t", "comments": []any{
				map[string]any{"id": "<id>", "content": "c00000001", "status": "pending"},
			}},
		}},
		{Name: "event", Method: "POST", Path: "/events", Body: `{"type":"Unknown","data":{}}`,
			WantStatus: 200, WantJSON: map[string]any{}},
		{Name: "malformed event", Method: "POST", Path: "/events", Body: `{"type":"PostCreated",`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "no such route", Method: "GET", Path: "/nope", WantStatus: 404, WantJSON: st.ErrorBody},
		{Name: "preflight", Method: "OPTIONS", Path: "/posts", Header: preflight, WantStatus: 204},
		{Name: "healthz", Method: "GET", Path: "/healthz", WantStatus: 200},
		{Name: "readyz", Method: "GET", Path: "/readyz", WantStatus: 200},
	})
}

// TestFold checks the view after sequences of events without sequence
// numbers, as the course's bus delivers them, in awkward orders.
func TestFold(t *testing.T) {
	post := event.Post{ID: "0000abcd", Title: "t"}
	view := func(cs ...query.Comment) map[string]query.Post {
		p := query.Post{ID: post.ID, Title: post.Title, Comments: []*query.Comment{}}
		for _, c := range cs {
			p.Comments = append(p.Comments, &c)
		}
		return map[string]query.Post{post.ID: p}
	}
	tests := []struct {
		name string
		evs  []event.Event
		want map[string]query.Post
	}{{
		name: "in order",
		evs: []event.Event{
			mustEvent(t, event.PostCreated, post),
			mustEvent(t, event.CommentCreated, comment("00000001", "pending")),
			mustEvent(t, event.CommentUpdated, comment("00000001", "approved")),
		},
		want: view(query.Comment{ID: "00000001", Content: "c00000001", Status: "approved"}),
	}, {
		name: "comment before its post",
		evs: []event.Event{
			mustEvent(t, event.CommentCreated, comment("00000001", "pending")),
			mustEvent(t, event.CommentUpdated, comment("00000001", "rejected")),
			mustEvent(t, event.PostCreated, post),
		},
		want: view(query.Comment{ID: "00000001", Content: "c00000001", Status: "rejected"}),
	}, {
		name: "duplicates",
		evs: []event.Event{
			mustEvent(t, event.PostCreated, post),
			mustEvent(t, event.CommentCreated, comment("00000001", "pending")),
			mustEvent(t, event.PostCreated, post),
			mustEvent(t, event.CommentCreated, comment("00000001", "pending")),
		},
		want: view(query.Comment{ID: "00000001", Content: "c00000001", Status: "pending"}),
	}, {
		name: "moderation is ignored",
		evs: []event.Event{
			mustEvent(t, event.PostCreated, post),
			mustEvent(t, event.CommentCreated, comment("00000001", "pending")),
			mustEvent(t, event.CommentModerated, comment("00000001", "approved")),
		},
		want: view(query.Comment{ID: "00000001", Content: "c00000001", Status: "pending"}),
	}, {
		name: "a post never seen",
		evs:  []event.Event{mustEvent(t, event.CommentCreated, comment("00000001", "pending"))},
		want: map[string]query.Post{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := query.New(query.Config{Bus: st.New(t).Client()})
			if err := svc.Projection().Deliver(context.Background(), tt.evs); err != nil {
				t.Fatal(err)
			}
			var got map[string]query.Post
			st.DoJSON(t, svc.Handler(), "GET", "/posts", "", 200, &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET /posts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFillsGaps checks that a delivery beyond the next sequence number
// reads the missing events from the log first, and that redeliveries
// change nothing.
func TestFillsGaps(t *testing.T) {
	bus := st.New(t)
	svc := query.New(query.Config{Bus: bus.Client()})
	if err := svc.Projection().CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	bus.Append(mustEvent(t, event.PostCreated, event.Post{ID: "0000abcd", Title: "t"}))
	bus.Append(mustEvent(t, event.CommentCreated, comment("00000001", "pending")))
	last := bus.Append(mustEvent(t, event.CommentUpdated, comment("00000001", "approved")))

	for range 2 {
		if err := svc.Projection().Deliver(context.Background(), []event.Event{last}); err != nil {
			t.Fatal(err)
		}
	}
	if got := svc.Projection().Applied(); got != 3 {
		t.Errorf("Applied() = %d, want 3", got)
	}
	var got map[string]query.Post
	st.DoJSON(t, svc.Handler(), "GET", "/posts", "", 200, &got)
	want := []*query.Comment{{ID: "00000001", Content: "c00000001", Status: "approved"}}
	if diff := cmp.Diff(want, got["0000abcd"].Comments); diff != "" {
		t.Errorf("comments of the post (-want +got):\n%s", diff)
	}
}

// BenchmarkDeliver measures applying deliveries of 256 events, a post and
// its comments, each created and updated.
func BenchmarkDeliver(b *testing.B) {
	bus := st.New(b)
	svc := query.New(query.Config{Bus: bus.Client()})
	var seq uint64
	next := func(typ string, data any) event.Event {
		ev, _ := event.New(typ, "", data)
		seq++
		ev.Seq = seq
		return ev
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		post := fmt.Sprintf("%08x", i)
		batch := []event.Event{next(event.PostCreated, event.Post{ID: post, Title: "t"})}
		for j := range 255 / 2 {
			id := fmt.Sprintf("%s-%d", post, j)
			c := event.Comment{ID: id, PostID: post, Content: "c", Status: "pending"}
			batch = append(batch, next(event.CommentCreated, c))
			c.Status = event.StatusApproved
			batch = append(batch, next(event.CommentUpdated, c))
		}
		if err := svc.Projection().Deliver(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(seq)/b.Elapsed().Seconds(), "events/s")
}
