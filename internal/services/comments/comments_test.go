package comments_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/comments"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

func newService(t *testing.T, bus *st.Bus) *comments.Service {
	t.Helper()
	svc := comments.New(comments.Config{Bus: bus.Client(), MaxBody: 1024})
	if err := svc.Projection().CatchUp(context.Background()); err != nil {
		t.Fatalf("CatchUp() = %v", err)
	}
	return svc
}

func postCreated(t *testing.T, bus *st.Bus, id string) {
	t.Helper()
	ev, err := event.New(event.PostCreated, "", event.Post{ID: id, Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	bus.Append(ev)
}

func TestContract(t *testing.T) {
	bus := st.New(t)
	svc := newService(t, bus)
	// Stored after the service caught up and never delivered: the service
	// must read the log before saying the post does not exist.
	postCreated(t, bus, "0000abcd")

	pending := func(content string) map[string]any {
		return map[string]any{"id": "<id>", "content": content, "status": "pending"}
	}
	preflight := st.Preflight("POST")
	st.Check(t, svc.Handler(), []st.Call{
		{Name: "create", Method: "POST", Path: "/posts/0000abcd/comments", Body: `{"content":"one"}`,
			WantStatus: 201, WantJSON: []any{pending("one")}},
		{Name: "create answers the whole array", Method: "POST", Path: "/posts/0000abcd/comments",
			Body: `{"content":"two"}`, WantStatus: 201, WantJSON: []any{pending("one"), pending("two")}},
		{Name: "list", Method: "GET", Path: "/posts/0000abcd/comments",
			WantStatus: 200, WantJSON: []any{pending("one"), pending("two")}},
		{Name: "list of an unknown post", Method: "GET", Path: "/posts/ffffffff/comments",
			WantStatus: 200, WantJSON: []any{}},
		{Name: "unknown post", Method: "POST", Path: "/posts/ffffffff/comments", Body: `{"content":"x"}`,
			WantStatus: 404, WantJSON: st.ErrorBody},
		{Name: "missing content", Method: "POST", Path: "/posts/0000abcd/comments", Body: `{}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "empty content", Method: "POST", Path: "/posts/0000abcd/comments", Body: `{"content":""}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "malformed JSON", Method: "POST", Path: "/posts/0000abcd/comments", Body: `nope`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "too large", Method: "POST", Path: "/posts/0000abcd/comments",
			Body:       `{"content":"` + strings.Repeat("x", 2000) + `"}`,
			WantStatus: 413, WantJSON: st.ErrorBody},
		{Name: "event", Method: "POST", Path: "/events", Body: `{"type":"Unknown","data":{"a":1}}`,
			WantStatus: 200, WantJSON: map[string]any{}},
		{Name: "events array", Method: "POST", Path: "/events", Body: `[{"type":"Unknown"}]`,
			WantStatus: 200, WantJSON: map[string]any{}},
		{Name: "malformed event", Method: "POST", Path: "/events", Body: `[{"type":1}]`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "wrong method", Method: "PUT", Path: "/posts/0000abcd/comments",
			WantStatus: 405, WantJSON: st.ErrorBody},
		{Name: "preflight", Method: "OPTIONS", Path: "/posts/0000abcd/comments", Header: preflight,
			WantStatus: 204},
		{Name: "healthz", Method: "GET", Path: "/healthz", WantStatus: 200},
		{Name: "readyz", Method: "GET", Path: "/readyz", WantStatus: 200},
	})
	if got := bus.Count(event.CommentCreated); got != 2 {
		t.Errorf("CommentCreated events = %d, want 2:\n%s", got, bus)
	}
}

// TestModeratedBecomesUpdated checks that CommentModerated sets the status
// and causes exactly one CommentUpdated, however often it is delivered.
func TestModeratedBecomesUpdated(t *testing.T) {
	bus := st.New(t)
	postCreated(t, bus, "0000abcd")
	svc := newService(t, bus)
	var created []comments.Comment
	st.DoJSON(t, svc.Handler(), "POST", "/posts/0000abcd/comments", `{"content":"hi"}`, 201, &created)
	id := created[0].ID

	mod, err := event.New(event.CommentModerated, event.CommentModerated+"/"+id,
		event.Comment{ID: id, PostID: "0000abcd", Content: "hi", Status: event.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	mod = bus.Append(mod)
	bus.Pump(t, 10, svc.Handler())

	// Deliver the moderation again, as a redelivery and without a sequence
	// number, as a tool of the course would.
	again, _ := json.Marshal([]event.Event{mod})
	st.DoJSON(t, svc.Handler(), "POST", "/events", string(again), 200, nil)
	mod.Seq = 0
	again, _ = json.Marshal(mod)
	st.DoJSON(t, svc.Handler(), "POST", "/events", string(again), 200, nil)

	var got []comments.Comment
	st.DoJSON(t, svc.Handler(), "GET", "/posts/0000abcd/comments", "", 200, &got)
	want := []comments.Comment{{ID: id, Content: "hi", Status: event.StatusApproved}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET comments after moderation (-want +got):\n%s", diff)
	}
	if n := bus.Count(event.CommentUpdated); n != 1 {
		t.Errorf("CommentUpdated events = %d, want 1:\n%s", n, bus)
	}
}
