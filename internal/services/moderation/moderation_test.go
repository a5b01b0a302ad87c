package moderation_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/moderation"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

func TestVerdict(t *testing.T) {
	tests := []struct {
		words   []string
		content string
		want    string
	}{
		{nil, "I like apples", event.StatusApproved},
		{nil, "I like oranges", event.StatusRejected},
		{nil, "Orange is a colour", event.StatusApproved}, // case-sensitive, as in the course
		{[]string{"kiwi", "plum"}, "a plum", event.StatusRejected},
		{[]string{"kiwi", "plum"}, "an orange", event.StatusApproved},
		{[]string{""}, "anything", event.StatusApproved},
	}
	for _, tt := range tests {
		svc := moderation.New(moderation.Config{Words: tt.words})
		if got := svc.Verdict(tt.content); got != tt.want {
			t.Errorf("Verdict(%q) with words %q = %s, want %s", tt.content, tt.words, got, tt.want)
		}
	}
}

func TestContract(t *testing.T) {
	svc := moderation.New(moderation.Config{Bus: st.New(t).Client(), MaxBody: 64})
	st.Check(t, svc.Handler(), []st.Call{
		{Name: "event", Method: "POST", Path: "/events", Body: `{"type":"Unknown","data":{}}`,
			WantStatus: 200, WantJSON: map[string]any{}},
		{Name: "malformed event", Method: "POST", Path: "/events", Body: `{`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "too large", Method: "POST", Path: "/events",
			Body:       `{"type":"Unknown","data":{"pad":"` + string(make([]byte, 100)) + `"}}`,
			WantStatus: 413, WantJSON: st.ErrorBody},
		{Name: "healthz", Method: "GET", Path: "/healthz", WantStatus: 200},
		{Name: "readyz before catching up", Method: "GET", Path: "/readyz", WantStatus: 503,
			WantJSON: st.ErrorBody},
	})
}

func commentCreated(t *testing.T, id, content string) event.Event {
	t.Helper()
	ev, err := event.New(event.CommentCreated, event.CommentCreated+"/"+id,
		event.Comment{ID: id, PostID: "0000abcd", Content: content, Status: event.StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestModeratesEachCommentOnce checks the verdicts published, that a
// redelivery publishes nothing new, and that a restarted service, replaying
// the log, republishes nothing the log already holds.
func TestModeratesEachCommentOnce(t *testing.T) {
	bus := st.New(t)
	ctx := context.Background()
	first := moderation.New(moderation.Config{Bus: bus.Client()})
	if err := first.Projection().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	bus.Append(commentCreated(t, "00000001", "apples"))
	bus.Append(commentCreated(t, "00000002", "oranges"))
	bus.Pump(t, 1, first.Handler())

	// A redelivery, without a sequence number.
	dup := commentCreated(t, "00000001", "apples")
	if err := first.Projection().Deliver(ctx, []event.Event{dup}); err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, ev := range bus.Events() {
		if ev.Type == event.CommentModerated {
			c, _ := event.DataAs[event.Comment](ev)
			got[c.ID] = c.Status
		}
	}
	want := map[string]string{"00000001": event.StatusApproved, "00000002": event.StatusRejected}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CommentModerated verdicts (-want +got):\n%s", diff)
	}

	posted := bus.Posted()
	second := moderation.New(moderation.Config{Bus: bus.Client()})
	if err := second.Projection().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n := bus.Posted() - posted; n != 0 {
		t.Errorf("a restarted moderation published %d events, want 0:\n%s", n, bus)
	}
}

// TestCatchUpPublishesMissingVerdicts checks that a comment created while
// moderation was away is moderated when it comes back.
func TestCatchUpPublishesMissingVerdicts(t *testing.T) {
	bus := st.New(t)
	bus.Append(commentCreated(t, "00000003", "an orange"))
	svc := moderation.New(moderation.Config{Bus: bus.Client()})
	if err := svc.Projection().CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := bus.Count(event.CommentModerated); n != 1 {
		t.Errorf("CommentModerated events = %d, want 1:\n%s", n, bus)
	}
}
