package posts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/bus"
	"github.com/blogctl/blogctl/internal/services/bus/bustest"
	"github.com/blogctl/blogctl/internal/services/posts"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

func newService(t testing.TB) (*posts.Service, *st.Bus) {
	t.Helper()
	bus := st.New(t)
	svc := posts.New(posts.Config{Bus: bus.Client(), MaxBody: 1024})
	if err := svc.Projection().CatchUp(context.Background()); err != nil {
		t.Fatalf("CatchUp() = %v", err)
	}
	return svc, bus
}

func TestContract(t *testing.T) {
	svc, bus := newService(t)
	preflight := st.Preflight("POST")
	st.Check(t, svc.Handler(), []st.Call{
		{Name: "create", Method: "POST", Path: "/posts", Body: `{"title":"first"}`,
			WantStatus: 201, WantJSON: map[string]any{"id": "<id>", "title": "first"}},
		{Name: "create via /posts/create", Method: "POST", Path: "/posts/create",
			Body:       `{"title":"second"}`,
			WantStatus: 201, WantJSON: map[string]any{"id": "<id>", "title": "second"}},
		{Name: "list", Method: "GET", Path: "/posts", WantStatus: 200},
		{Name: "missing title", Method: "POST", Path: "/posts", Body: `{}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "empty title", Method: "POST", Path: "/posts", Body: `{"title":"  "}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "title not a string", Method: "POST", Path: "/posts", Body: `{"title":3}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "malformed JSON", Method: "POST", Path: "/posts/create", Body: `{"title":`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "too large", Method: "POST", Path: "/posts",
			Body:       `{"title":"` + strings.Repeat("x", 2000) + `"}`,
			WantStatus: 413, WantJSON: st.ErrorBody},
		{Name: "event", Method: "POST", Path: "/events", Body: `{"type":"SomethingElse","data":{}}`,
			WantStatus: 200, WantJSON: map[string]any{}},
		{Name: "malformed event", Method: "POST", Path: "/events", Body: `{"data":{}}`,
			WantStatus: 400, WantJSON: st.ErrorBody},
		{Name: "wrong method", Method: "DELETE", Path: "/posts", WantStatus: 405, WantJSON: st.ErrorBody},
		{Name: "preflight", Method: "OPTIONS", Path: "/posts/create", Header: preflight, WantStatus: 204},
		{Name: "healthz", Method: "GET", Path: "/healthz", WantStatus: 200},
		{Name: "readyz", Method: "GET", Path: "/readyz", WantStatus: 200},
	})

	// Only the two valid posts reached the bus.
	if got := bus.Count(event.PostCreated); got != 2 {
		t.Errorf("PostCreated events = %d, want 2:\n%s", got, bus)
	}
}

// TestListShowsEveryPost checks GET /posts against what was created, both
// right after the writes and after the bus delivers them back.
func TestListShowsEveryPost(t *testing.T) {
	svc, bus := newService(t)
	want := map[string]event.Post{}
	for _, title := range []string{"a", "b", "c"} {
		var p event.Post
		st.DoJSON(t, svc.Handler(), "POST", "/posts", `{"title":"`+title+`"}`, 201, &p)
		want[p.ID] = p
	}

	for _, stage := range []string{"before delivery", "after delivery"} {
		var got map[string]event.Post
		st.DoJSON(t, svc.Handler(), "GET", "/posts", "", 200, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET /posts %s (-want +got):\n%s", stage, diff)
		}
		bus.Pump(t, 2, svc.Handler())
	}
	if got := bus.Count(event.PostCreated); got != 3 {
		t.Errorf("PostCreated events = %d, want 3:\n%s", got, bus)
	}
}

// TestRebuildsFromTheLog checks that a new instance shows the posts an
// earlier one created, and that the bus being down at start only delays
// readiness.
func TestRebuildsFromTheLog(t *testing.T) {
	first, bus := newService(t)
	var p event.Post
	st.DoJSON(t, first.Handler(), "POST", "/posts", `{"title":"kept"}`, 201, &p)

	bus.SetDown(true)
	second := posts.New(posts.Config{Bus: bus.Client()})
	done := make(chan error, 1)
	go func() { done <- second.Projection().CatchUp(context.Background()) }()
	st.DoJSON(t, second.Handler(), "GET", "/readyz", "", 503, nil)
	bus.SetDown(false)
	if err := <-done; err != nil {
		t.Fatalf("CatchUp() = %v", err)
	}

	st.DoJSON(t, second.Handler(), "GET", "/readyz", "", 200, nil)
	var got map[string]event.Post
	st.DoJSON(t, second.Handler(), "GET", "/posts", "", 200, &got)
	if diff := cmp.Diff(map[string]event.Post{p.ID: p}, got); diff != "" {
		t.Errorf("GET /posts after a restart (-want +got):\n%s", diff)
	}
}

// FuzzCreate checks that any body gets 201 with a stored event, or a 400
// or 413 that stores nothing, and never a server error.
func FuzzCreate(f *testing.F) {
	seeds := []string{
		`{"title":"a"}`, `{"title":""}`, `{}`, `[]`, `{"title":null}`, `{"title":"\u0000"}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	svc, bus := newService(f)
	f.Fuzz(func(t *testing.T, body string) {
		before := bus.Count(event.PostCreated)
		status, _, _ := st.Do(t, svc.Handler(), st.Call{Method: "POST", Path: "/posts", Body: body})
		stored := bus.Count(event.PostCreated) - before
		switch {
		case status == 201 && stored == 1:
		case (status == 400 || status == 413) && stored == 0:
		default:
			t.Errorf("POST /posts %q = %d and stored %d events", body, status, stored)
		}
	})
}

// TestEventTooLargeForTheBus checks that a post under the service's limit
// whose event is over the bus's gets 413, not a 503 that says to retry,
// and that nothing is stored.
func TestEventTooLargeForTheBus(t *testing.T) {
	url, _ := bustest.Serve(t, bus.Config{MaxBody: 1024})
	svc := posts.New(posts.Config{Bus: event.NewClient(url, nil), MaxBody: 1 << 20})

	// 200 '<' are 200 bytes in the request and 1,200 in the event, each
	// escaped as \u003c.
	st.Check(t, svc.Handler(), []st.Call{
		{Name: "event over the bus's limit", Method: "POST", Path: "/posts",
			Body:       `{"title":"` + strings.Repeat("<", 200) + `"}`,
			WantStatus: 413, WantJSON: st.ErrorBody},
		{Name: "a post that fits", Method: "POST", Path: "/posts", Body: `{"title":"fits"}`,
			WantStatus: 201, WantJSON: map[string]any{"id": "<id>", "title": "fits"}},
	})
	page, err := event.NewClient(url, nil).Read(context.Background(), 0, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Errorf("the bus stored %d events, want only the post that fits", len(page.Events))
	}
}
