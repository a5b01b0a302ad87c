// Package event defines the blog system's events as they travel on the wire,
// and the client that services use to publish them to the event bus and to
// read the bus's log.
package event

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Event types of the course's contract. Any other type is stored and
// delivered by the bus, and ignored by the services.
const (
	PostCreated      = "PostCreated"
	CommentCreated   = "CommentCreated"
	CommentModerated = "CommentModerated"
	CommentUpdated   = "CommentUpdated"
)

// Comment statuses.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// Event is the envelope {"type": ..., "data": {...}} of the course, with
// blogctl's additive fields.
type Event struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`

	// ID is the event's idempotency key. A producer that may publish the same
	// fact twice (after a retry or a restart) sets it from the fact, for
	// example "CommentModerated/<comment id>", and the bus stores the event
	// once. The bus assigns a random ID to an event that has none.
	ID string `json:"id,omitempty"`
	// Seq is the event's position in the bus's log, from 1, set by the bus.
	Seq uint64 `json:"seq,omitempty"`
}

// Post is the data of PostCreated.
type Post struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Comment is the data of CommentCreated, CommentModerated and
// CommentUpdated.
type Comment struct {
	ID      string `json:"id"`
	Content string `json:"content"`
	PostID  string `json:"postId"`
	Status  string `json:"status"`
}

// ErrMalformed reports an event that is not a JSON object with a string
// "type".
var ErrMalformed = errors.New("malformed event")

// New returns an event of type typ carrying data, with idempotency key id.
func New(typ, id string, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encoding %s data: %w", typ, err)
	}
	return Event{Type: typ, Data: raw, ID: id}, nil
}

// Decode parses one event, checking that it has a type.
func Decode(b []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if ev.Type == "" {
		return Event{}, fmt.Errorf("%w: missing \"type\"", ErrMalformed)
	}
	if len(ev.Data) == 0 {
		ev.Data = json.RawMessage("{}")
	}
	return ev, nil
}

// DataAs decodes the event's data into a value of type T.
func DataAs[T any](ev Event) (T, error) {
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		return v, fmt.Errorf("%w: %s data: %w", ErrMalformed, ev.Type, err)
	}
	return v, nil
}
