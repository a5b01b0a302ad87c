// Package query is the blog system's query service: it folds PostCreated,
// CommentCreated and CommentUpdated into one view of every post with its
// comments, which the client lists. It knows nothing of moderation. A
// comment whose post it has not seen yet is held and attached when the post
// arrives. Its state is a fold of the bus's log (see package projection): it
// waits for the bus at start and reports not-ready until it has caught up.
package query

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
	"github.com/blogctl/blogctl/internal/services/projection"
)

// Config configures the service.
type Config struct {
	Bus     *event.Client
	Logger  *slog.Logger
	MaxBody int64
}

// Post is a post with its comments, as the service answers it.
type Post struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Comments []*Comment `json:"comments"`
}

// Comment is a comment as the service answers it.
type Comment struct {
	ID      string `json:"id"`
	Content string `json:"content"`
	Status  string `json:"status"`
}

// Service is the query service.
type Service struct {
	proj   *projection.Projection
	router *httpapi.Router

	posts map[string]*Post
	byID  map[string]*Comment   // every comment, attached or held
	held  map[string][]*Comment // comments of posts not seen yet, by post id
}

// New returns the service, which must then catch up with the bus: see
// projection.Serve.
func New(cfg Config) *Service {
	s := &Service{
		posts: make(map[string]*Post),
		byID:  make(map[string]*Comment),
		held:  make(map[string][]*Comment),
	}
	s.proj = projection.New(cfg.Bus, s, cfg.Logger)
	s.router = httpapi.NewRouter(httpapi.Options{
		Logger: cfg.Logger, MaxBody: cfg.MaxBody, CORS: true, Ready: s.proj.Ready,
	})
	s.router.Handle("GET /posts", s.list)
	s.router.Handle("POST /events", s.proj.HandleEvents)
	return s
}

// Handler returns the service's HTTP handler.
func (s *Service) Handler() http.Handler { return s.router }

// Projection returns the service's projection of the log.
func (s *Service) Projection() *projection.Projection { return s.proj }

func (s *Service) list(w http.ResponseWriter, r *http.Request) error {
	var b []byte
	var err error
	s.proj.View(func() { b, err = json.Marshal(s.posts) })
	if err != nil {
		return fmt.Errorf("encoding posts: %w", err)
	}
	return httpapi.WriteRawJSON(w, http.StatusOK, b)
}
