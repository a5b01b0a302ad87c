// Package moderation is the blog system's moderation service: for every
// CommentCreated it publishes CommentModerated, rejecting a comment whose
// content contains any configured word (a case-sensitive substring, as in
// the course; "orange" by default) and approving the others. It remembers
// which comments it has moderated by folding the bus's log (see package
// projection), so each comment is moderated once.
package moderation

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/httpapi"
	"github.com/blogctl/blogctl/internal/services/projection"
)

// DefaultWords are the words that get a comment rejected, as in the
// course.
var DefaultWords = []string{"orange"}

// Config configures the service.
type Config struct {
	Bus     *event.Client
	Logger  *slog.Logger
	MaxBody int64
	// Words get a comment rejected; DefaultWords if nil. Empty words are
	// ignored.
	Words []string
}

// Service is the moderation service.
type Service struct {
	words     []string
	moderated map[string]bool
	proj      *projection.Projection
	router    *httpapi.Router
}

// New returns the service, which must then catch up with the bus: see
// projection.Serve.
func New(cfg Config) *Service {
	words := cfg.Words
	if words == nil {
		words = DefaultWords
	}
	s := &Service{moderated: make(map[string]bool)}
	for _, w := range words {
		if w != "" {
			s.words = append(s.words, w)
		}
	}
	s.proj = projection.New(cfg.Bus, s, cfg.Logger)
	s.router = httpapi.NewRouter(httpapi.Options{
		Logger: cfg.Logger, MaxBody: cfg.MaxBody, Ready: s.proj.Ready,
	})
	s.router.Handle("POST /events", s.proj.HandleEvents)
	return s
}

// Handler returns the service's HTTP handler.
func (s *Service) Handler() http.Handler { return s.router }

// Projection returns the service's projection of the log.
func (s *Service) Projection() *projection.Projection { return s.proj }

// Verdict returns the status the rule gives content.
func (s *Service) Verdict(content string) string {
	for _, w := range s.words {
		if strings.Contains(content, w) {
			return event.StatusRejected
		}
	}
	return event.StatusApproved
}

// Apply moderates a comment the first time CommentCreated names it, for
// the projection. The CommentModerated it returns has the ID
// "CommentModerated/<comment id>", so that the bus stores it once.
func (s *Service) Apply(ev event.Event) ([]event.Event, error) {
	if ev.Type != event.CommentCreated {
		return nil, nil
	}
	c, err := event.DataAs[event.Comment](ev)
	if err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, fmt.Errorf("%w: CommentCreated without an id", event.ErrMalformed)
	}
	if s.moderated[c.ID] {
		return nil, nil
	}
	s.moderated[c.ID] = true

	c.Status = s.Verdict(c.Content)
	out, err := event.New(event.CommentModerated, event.CommentModerated+"/"+c.ID, c)
	if err != nil {
		return nil, err
	}
	return []event.Event{out}, nil
}
