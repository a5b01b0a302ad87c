// Package comments is the blog system's comments service: it adds comments
// to posts, each answered only once the event bus has durably stored its
// CommentCreated event, lists a post's comments, and on CommentModerated
// updates a comment's status and publishes CommentUpdated. Its state is a
// fold of the bus's log (see package projection), so it needs no store of
// its own.
package comments

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
	"github.com/blogctl/blogctl/internal/services/projection"
)

// postWait is how long a comment on a post the service does not know
// waits for the bus to deliver the post before the service reads the log.
const postWait = 5 * time.Millisecond

// Config configures the service.
type Config struct {
	Bus     *event.Client
	Logger  *slog.Logger
	MaxBody int64
}

// Comment is a comment as the service answers it.
type Comment struct {
	ID      string `json:"id"`
	Content string `json:"content"`
	Status  string `json:"status"`
}

// Service is the comments service.
type Service struct {
	bus    *event.Client
	proj   *projection.Projection
	ids    projection.IDs
	router *httpapi.Router

	posts    map[string]bool       // posts that exist
	comments map[string][]*Comment // by post id
	byID     map[string]*Comment   // by comment id
	postOf   map[string]string     // post id by comment id
}

// New returns the service, which must then catch up with the bus: see
// projection.Serve.
func New(cfg Config) *Service {
	s := &Service{
		bus:      cfg.Bus,
		posts:    make(map[string]bool),
		comments: make(map[string][]*Comment),
		byID:     make(map[string]*Comment),
		postOf:   make(map[string]string),
	}
	s.proj = projection.New(cfg.Bus, s, cfg.Logger)
	s.router = httpapi.NewRouter(httpapi.Options{
		Logger: cfg.Logger, MaxBody: cfg.MaxBody, CORS: true, Ready: s.proj.Ready,
	})
	s.router.Handle("POST /posts/{id}/comments", s.create)
	s.router.Handle("GET /posts/{id}/comments", s.list)
	s.router.Handle("POST /events", s.proj.HandleEvents)
	return s
}

// Handler returns the service's HTTP handler.
func (s *Service) Handler() http.Handler { return s.router }

// Projection returns the service's projection of the log.
func (s *Service) Projection() *projection.Projection { return s.proj }

func (s *Service) create(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Content *string `json:"content"`
	}
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Content == nil || strings.TrimSpace(*req.Content) == "" {
		return httpapi.Invalid("a comment needs a non-empty \"content\"")
	}
	postID := r.PathValue("id")
	if err := s.checkPost(r, postID); err != nil {
		return err
	}

	c := event.Comment{Content: *req.Content, PostID: postID, Status: event.StatusPending}
	c.ID = s.ids.Reserve(s.proj, func(id string) bool { _, ok := s.byID[id]; return ok })
	defer s.ids.Release(c.ID)
	ev, err := event.New(event.CommentCreated, event.CommentCreated+"/"+c.ID, c)
	if err != nil {
		return err
	}
	if ev, err = s.bus.Publish(r.Context(), ev); err != nil {
		return httpapi.PublishFailed("storing the comment", err)
	}
	s.proj.Record(ev)
	return s.writeComments(w, http.StatusCreated, postID)
}

// checkPost returns ErrNotFound unless the post exists. A post it does not
// know yet may just have been created: it waits a moment for the bus to
// deliver it, then catches up with the log before saying no.
func (s *Service) checkPost(r *http.Request, postID string) error {
	if s.proj.Await(r.Context(), postWait, func() bool { return s.posts[postID] }) {
		return nil
	}
	if err := s.proj.Sync(r.Context()); err != nil {
		return httpapi.Unavailable("checking that the post exists", err)
	}
	var known bool
	s.proj.View(func() { known = s.posts[postID] })
	if !known {
		return httpapi.NotFound("post %q does not exist; create it first", postID)
	}
	return nil
}

func (s *Service) list(w http.ResponseWriter, r *http.Request) error {
	return s.writeComments(w, http.StatusOK, r.PathValue("id"))
}

func (s *Service) writeComments(w http.ResponseWriter, status int, postID string) error {
	var b []byte
	var err error
	s.proj.View(func() {
		if cs := s.comments[postID]; len(cs) > 0 {
			b, err = json.Marshal(cs)
		}
	})
	if err != nil {
		return fmt.Errorf("encoding the comments of post %s: %w", postID, err)
	}
	if b == nil {
		b = []byte("[]")
	}
	return httpapi.WriteRawJSON(w, status, b)
}
