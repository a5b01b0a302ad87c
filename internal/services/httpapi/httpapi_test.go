package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/services/httpapi"
)

func newRouter(ready func() error) *httpapi.Router {
	rt := httpapi.NewRouter(httpapi.Options{MaxBody: 32, CORS: true, Ready: ready})
	rt.Handle("POST /echo", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			Title string `json:"title"`
		}
		if err := httpapi.DecodeJSON(r, &v); err != nil {
			return err
		}
		if v.Title == "" {
			return httpapi.Invalid("missing \"title\"")
		}
		return httpapi.WriteJSON(w, http.StatusCreated, v)
	})
	rt.Handle("GET /fail/{kind}", func(w http.ResponseWriter, r *http.Request) error {
		switch r.PathValue("kind") {
		case "404":
			return fmt.Errorf("looking up: %w", httpapi.NotFound("post abc"))
		case "typed":
			return &httpapi.Error{Status: http.StatusConflict, Message: "taken", Err: errors.New("secret")}
		default:
			return errors.New("database password is hunter2")
		}
	})
	return rt
}

func TestRouter(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantBody                 string
	}{
		{"ok", "POST", "/echo", `{"title":"a"}`, nil, 201, `{"title":"a"}`},
		{"malformed", "POST", "/echo", `{"title":`, nil, 400, ""},
		{"invalid", "POST", "/echo", `{}`, nil, 400, `{"error":"invalid request: missing \"title\""}`},
		{"too large", "POST", "/echo", `{"title":"` + strings.Repeat("x", 64) + `"}`, nil, 413,
			`{"error":"request body too large"}`},
		{"not found", "GET", "/fail/404", "", nil, 404, `{"error":"looking up: not found: post abc"}`},
		{"typed", "GET", "/fail/typed", "", nil, 409, `{"error":"taken"}`},
		{"internal hides detail", "GET", "/fail/x", "", nil, 500, `{"error":"internal server error"}`},
		{"no route", "GET", "/nope", "", nil, 404, `{"error":"not found: no route for GET /nope"}`},
		{"wrong method", "DELETE", "/echo", "", nil, 405, `{"error":"DELETE /echo is not allowed; use POST"}`},
		{"healthz", "GET", "/healthz", "", nil, 200, `{"status":"ok"}`},
		{"readyz", "GET", "/readyz", "", nil, 200, `{"status":"ready"}`},
		{"preflight", "OPTIONS", "/echo", "", map[string]string{
			"Origin": "http://x", "Access-Control-Request-Method": "POST"}, 204, ""},
	}
	srv := httptest.NewServer(newRouter(nil))
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s %s = %d, want %d (%s)", tt.method, tt.path, resp.StatusCode, tt.wantStatus, b)
			}
			if tt.wantBody != "" {
				if diff := cmp.Diff(tt.wantBody, string(b)); diff != "" {
					t.Errorf("%s %s body (-want +got):\n%s", tt.method, tt.path, diff)
				}
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
			}
		})
	}
}

func TestReadyzNotReady(t *testing.T) {
	rt := newRouter(func() error { return errors.New("catching up: at 3 of 10") })
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz = %d, want 503", rec.Code)
	}
	if want := `{"error":"catching up: at 3 of 10"}`; rec.Body.String() != want {
		t.Errorf("GET /readyz body = %s, want %s", rec.Body, want)
	}
}

// TestServeFinishesInFlight checks that cancelling Serve's context lets a
// request in flight finish and then refuses new connections.
func TestServeFinishesInFlight(t *testing.T) {
	started := make(chan struct{})
	rt := httpapi.NewRouter(httpapi.Options{})
	rt.Handle("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
		close(started)
		time.Sleep(200 * time.Millisecond)
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"done": "yes"})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- httpapi.Serve(ctx, httpapi.NewServer(rt, nil), ln, 5*time.Second) }()

	url := "http://" + ln.Addr().String()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()

	if b := <-got; b != `{"done":"yes"}` {
		t.Errorf("in-flight GET /slow = %q, want {\"done\":\"yes\"}", b)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Errorf("GET /healthz after shutdown succeeded, want a refused connection")
	}
}
