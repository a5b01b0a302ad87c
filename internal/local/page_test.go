package local

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/blogctl/blogctl/internal/gateway"
	"github.com/blogctl/blogctl/internal/services/client"
)

// fakeAPI serves a fixed view of the query service and a posts service that
// refuses every post, behind a real gateway and the real page.
func fakeAPI(t *testing.T) string {
	t.Helper()
	query := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"p1":{"id":"p1","title":"Statuses","comments":[
			{"id":"c1","content":"waiting","status":"pending"},
			{"id":"c2","content":"shown","status":"approved"},
			{"id":"c3","content":"hidden","status":"rejected"}]}}`))
	}))
	posts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		w.Write([]byte(`{"error":"request body too large"}`))
	}))
	page := httptest.NewServer(client.Handler(slog.New(slog.DiscardHandler)))
	for _, s := range []*httptest.Server{query, posts, page} {
		t.Cleanup(s.Close)
	}
	u := func(s *httptest.Server) *url.URL { v, _ := url.Parse(s.URL); return v }
	g, err := gateway.New(gateway.Backends{
		Posts: u(posts), Comments: u(posts), Query: u(query), Client: u(page),
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(g)
	t.Cleanup(gw.Close)
	return gw.URL
}

func TestBrowserShowsStatusesAndErrors(t *testing.T) {
	ctx := newBrowser(t)
	addr := fakeAPI(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(addr+"/"),
		chromedp.WaitVisible(chromedp.ID("post-title")),
	)
	if err != nil {
		t.Fatal(err)
	}
	texts := pollString(t, ctx, `[...document.querySelectorAll("#posts .comments li")]
		.map((li) => li.textContent).join("|")`)
	want := "This comment is awaiting moderation|shown|This comment has been rejected"
	if texts != want {
		t.Errorf("comments read %q, want %q", texts, want)
	}

	// An empty title is refused in the page; an API error is shown in words.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#post-form button")))
	if err != nil {
		t.Fatal(err)
	}
	got := pollString(t, ctx, `document.getElementById("post-error").textContent`)
	if !strings.Contains(got, "please type something first") {
		t.Errorf("after an empty submit the page says %q, want a request to type", got)
	}
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("post-title"), "too big\r"))
	if err != nil {
		t.Fatal(err)
	}
	want = "Could not create the post: request body too large (HTTP 413)"
	got = pollString(t, ctx, sprintf(`(() => {
		const t = document.getElementById("post-error").textContent;
		return t === %q ? t : "";
	})()`, want))
	if got != want {
		t.Errorf("after a refused post the page says %q, want %q", got, want)
	}
}
