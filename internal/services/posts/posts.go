// Package posts is the blog system's posts service: it creates posts, each
// answered only once the event bus has durably stored its PostCreated
// event, and lists them. Its state is a fold of the bus's log (see package
// projection), so it needs no store of its own.
package posts

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

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

// Service is the posts service.
type Service struct {
	bus    *event.Client
	proj   *projection.Projection
	posts  map[string]event.Post
	ids    projection.IDs
	router *httpapi.Router
}

// New returns the service, which must then catch up with the bus: see
// projection.Serve.
func New(cfg Config) *Service {
	s := &Service{bus: cfg.Bus, posts: make(map[string]event.Post)}
	s.proj = projection.New(cfg.Bus, s, cfg.Logger)
	s.router = httpapi.NewRouter(httpapi.Options{
		Logger: cfg.Logger, MaxBody: cfg.MaxBody, CORS: true, Ready: s.proj.Ready,
	})
	s.router.Handle("POST /posts", s.create)
	s.router.Handle("POST /posts/create", s.create)
	s.router.Handle("GET /posts", s.list)
	s.router.Handle("POST /events", s.proj.HandleEvents)
	return s
}

// Handler returns the service's HTTP handler.
func (s *Service) Handler() http.Handler { return s.router }

// Projection returns the service's projection of the log.
func (s *Service) Projection() *projection.Projection { return s.proj }

// Apply folds PostCreated into the posts; a post already known is kept.
func (s *Service) Apply(ev event.Event) ([]event.Event, error) {
	if ev.Type != event.PostCreated {
		return nil, nil
	}
	p, err := event.DataAs[event.Post](ev)
	if err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, fmt.Errorf("%w: PostCreated without an id", event.ErrMalformed)
	}
	if _, ok := s.posts[p.ID]; !ok {
		s.posts[p.ID] = p
	}
	return nil, nil
}

func (s *Service) create(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Title *string `json:"title"`
	}
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		return httpapi.Invalid("a post needs a non-empty \"title\"")
	}

	p := event.Post{Title: *req.Title}
	p.ID = s.ids.Reserve(s.proj, func(id string) bool { _, ok := s.posts[id]; return ok })
	defer s.ids.Release(p.ID)
	ev, err := event.New(event.PostCreated, event.PostCreated+"/"+p.ID, p)
	if err != nil {
		return err
	}
	if ev, err = s.bus.Publish(r.Context(), ev); err != nil {
		return httpapi.PublishFailed("storing the post", err)
	}
	s.proj.Record(ev)
	return httpapi.WriteJSON(w, http.StatusCreated, p)
}

func (s *Service) list(w http.ResponseWriter, r *http.Request) error {
	var b []byte
	var err error
	s.proj.View(func() { b, err = json.Marshal(s.posts) })
	if err != nil {
		return fmt.Errorf("encoding posts: %w", err)
	}
	return httpapi.WriteRawJSON(w, http.StatusOK, b)
}
