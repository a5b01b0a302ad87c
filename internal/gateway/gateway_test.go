package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
)

// echo is what a fake backend answers: who it is and what it received.
type echo struct {
	Service string `json:"service"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Query   string `json:"query"`
	Body    string `json:"body"`
	Host    string `json:"host"`
}

func fakeBackend(t *testing.T, name string) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echo{
			Service: name, Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Body: string(b), Host: r.Host,
		})
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func newTestGateway(t *testing.T) *httptest.Server {
	t.Helper()
	g, err := New(Backends{
		Posts:    fakeBackend(t, blog.Posts),
		Comments: fakeBackend(t, blog.Comments),
		Query:    fakeBackend(t, blog.Query),
		Client:   fakeBackend(t, blog.Client),
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func TestRouting(t *testing.T) {
	srv := newTestGateway(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		method, path, body string
		want               echo
	}{
		{"POST", "/posts/create", `{"title":"a"}`,
			echo{Service: blog.Posts, Method: "POST", Path: "/posts/create", Body: `{"title":"a"}`}},
		{"GET", "/posts", "", echo{Service: blog.Query, Method: "GET", Path: "/posts"}},
		{"POST", "/posts", `{"title":"a"}`,
			echo{Service: blog.Query, Method: "POST", Path: "/posts", Body: `{"title":"a"}`}},
		{"OPTIONS", "/posts", "", echo{Service: blog.Query, Method: "OPTIONS", Path: "/posts"}},
		{"GET", "/posts/abc/comments", "",
			echo{Service: blog.Comments, Method: "GET", Path: "/posts/abc/comments"}},
		{"POST", "/posts/9b1e2a3c/comments", `{"content":"nice"}`,
			echo{Service: blog.Comments, Method: "POST", Path: "/posts/9b1e2a3c/comments", Body: `{"content":"nice"}`}},
		// The comments rule is the longest, so it wins over /posts/create.
		{"GET", "/posts/create/comments", "",
			echo{Service: blog.Comments, Method: "GET", Path: "/posts/create/comments"}},
		{"GET", "/posts?since=3", "", echo{Service: blog.Query, Method: "GET", Path: "/posts", Query: "since=3"}},
		// Prefix matches, as ingress-nginx's regex locations are.
		{"GET", "/posts/abc", "", echo{Service: blog.Query, Method: "GET", Path: "/posts/abc"}},
		{"GET", "/POSTS", "", echo{Service: blog.Query, Method: "GET", Path: "/POSTS"}},
		{"GET", "/posts/create", "", echo{Service: blog.Posts, Method: "GET", Path: "/posts/create"}},
		{"GET", "/", "", echo{Service: blog.Client, Method: "GET", Path: "/"}},
		{"GET", "/app.js", "", echo{Service: blog.Client, Method: "GET", Path: "/app.js"}},
		{"GET", "/style.css", "", echo{Service: blog.Client, Method: "GET", Path: "/style.css"}},
		{"GET", "/healthz", "", echo{Service: blog.Client, Method: "GET", Path: "/healthz"}},
		{"POST", "/events", `{}`, echo{Service: blog.Client, Method: "POST", Path: "/events", Body: `{}`}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got echo
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("decoding the answer: %v", err)
			}
			tt.want.Host = host
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s %s: backend saw (-want +got):\n%s", tt.method, tt.path, diff)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	g, err := New(Backends{
		Posts: &url.URL{}, Comments: &url.URL{}, Query: &url.URL{}, Client: &url.URL{},
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"/posts/create":         blog.Posts,
		"/posts":                blog.Query,
		"/posts/":               blog.Query,
		"/posts/x/comments":     blog.Comments,
		"/posts/x/comments/":    blog.Comments,
		"/posts//comments":      blog.Comments,
		"/":                     blog.Client,
		"/index.html":           blog.Client,
		"/post":                 blog.Client,
		"/api/posts/x/comments": blog.Client,
	}
	for path, want := range tests {
		if got := g.Match(path); got != want {
			t.Errorf("Match(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestNewNeedsEveryBackend(t *testing.T) {
	_, err := New(Backends{Posts: &url.URL{}}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "no address for the") {
		t.Errorf("New(posts only) = %v, want an error naming the missing service", err)
	}
}

func TestBackendDown(t *testing.T) {
	down, _ := url.Parse("http://127.0.0.1:1")
	g, err := New(Backends{Posts: down, Comments: down, Query: down, Client: down},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("GET", "/posts", nil))
	if rec.Code != http.StatusBadGateway {
		t.Errorf("GET /posts with query down: status %d, want %d", rec.Code, http.StatusBadGateway)
	}
	var body struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, "query") {
		t.Errorf("GET /posts with query down: body %q, want a JSON error naming query", rec.Body)
	}
}
