package comments

import (
	"fmt"

	"github.com/blogctl/blogctl/internal/event"
)

// Apply folds an event into the comments, for the projection: PostCreated
// records that a post exists, CommentCreated adds a comment unless it is
// already there, and CommentModerated sets its status and causes
// CommentUpdated.
func (s *Service) Apply(ev event.Event) ([]event.Event, error) {
	switch ev.Type {
	case event.PostCreated:
		p, err := event.DataAs[event.Post](ev)
		if err != nil {
			return nil, err
		}
		s.posts[p.ID] = true
		return nil, nil
	case event.CommentCreated:
		c, err := event.DataAs[event.Comment](ev)
		if err != nil {
			return nil, err
		}
		return nil, s.add(c)
	case event.CommentModerated:
		c, err := event.DataAs[event.Comment](ev)
		if err != nil {
			return nil, err
		}
		return s.moderate(c)
	}
	return nil, nil
}

func (s *Service) add(c event.Comment) error {
	if c.ID == "" || c.PostID == "" {
		return fmt.Errorf("%w: CommentCreated without an id or a postId", event.ErrMalformed)
	}
	if _, ok := s.byID[c.ID]; ok {
		return nil
	}
	if c.Status == "" {
		c.Status = event.StatusPending
	}
	cm := &Comment{ID: c.ID, Content: c.Content, Status: c.Status}
	s.byID[c.ID] = cm
	s.postOf[c.ID] = c.PostID
	s.comments[c.PostID] = append(s.comments[c.PostID], cm)
	return nil
}

// moderate sets a comment's status and returns its CommentUpdated, whose ID
// names the comment and the status, so that a replay stores it once.
func (s *Service) moderate(c event.Comment) ([]event.Event, error) {
	cm, ok := s.byID[c.ID]
	if !ok {
		return nil, fmt.Errorf("CommentModerated for comment %q, which was never created", c.ID)
	}
	cm.Status = c.Status
	up := event.Comment{ID: cm.ID, Content: cm.Content, PostID: s.postOf[c.ID], Status: cm.Status}
	ev, err := event.New(event.CommentUpdated, event.CommentUpdated+"/"+cm.ID+"/"+cm.Status, up)
	if err != nil {
		return nil, err
	}
	return []event.Event{ev}, nil
}
