package query

import (
	"fmt"

	"github.com/blogctl/blogctl/internal/event"
)

// Apply folds an event into the view, for the projection. Each event is
// idempotent by entity: a post or comment already present is not added
// again. CommentModerated is ignored, as in the course.
func (s *Service) Apply(ev event.Event) ([]event.Event, error) {
	switch ev.Type {
	case event.PostCreated:
		p, err := event.DataAs[event.Post](ev)
		if err != nil {
			return nil, err
		}
		return nil, s.addPost(p)
	case event.CommentCreated, event.CommentUpdated:
		c, err := event.DataAs[event.Comment](ev)
		if err != nil {
			return nil, err
		}
		return nil, s.putComment(c, ev.Type == event.CommentUpdated)
	}
	return nil, nil
}

func (s *Service) addPost(p event.Post) error {
	if p.ID == "" {
		return fmt.Errorf("%w: PostCreated without an id", event.ErrMalformed)
	}
	if _, ok := s.posts[p.ID]; ok {
		return nil
	}
	post := &Post{ID: p.ID, Title: p.Title, Comments: s.held[p.ID]}
	if post.Comments == nil {
		post.Comments = []*Comment{}
	}
	delete(s.held, p.ID)
	s.posts[p.ID] = post
	return nil
}

// putComment adds a comment, or updates its status and content when update
// is set and it is already there.
func (s *Service) putComment(c event.Comment, update bool) error {
	if c.ID == "" || c.PostID == "" {
		return fmt.Errorf("%w: comment without an id or a postId", event.ErrMalformed)
	}
	if cm, ok := s.byID[c.ID]; ok {
		if update && c.Status != "" {
			cm.Status = c.Status
		}
		if update && c.Content != "" {
			cm.Content = c.Content
		}
		return nil
	}

	if c.Status == "" {
		c.Status = event.StatusPending
	}
	cm := &Comment{ID: c.ID, Content: c.Content, Status: c.Status}
	s.byID[c.ID] = cm
	if post, ok := s.posts[c.PostID]; ok {
		post.Comments = append(post.Comments, cm)
	} else {
		s.held[c.PostID] = append(s.held[c.PostID], cm)
	}
	return nil
}
