package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/blogctl/blogctl/internal/event"
)

// Sentinel errors that handlers return, alone or wrapped, to choose the
// status of the answer. The wrapped message is shown to the client, so
// handlers must wrap only what is safe to show.
var (
	// ErrInvalid is a request that is malformed or breaks a rule: 400.
	ErrInvalid = errors.New("invalid request")
	// ErrNotFound is a request for something that does not exist: 404.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge is a request body over the limit: 413.
	ErrTooLarge = errors.New("request body too large")
	// ErrUnavailable is a request the service cannot serve yet, for
	// example before it has caught up with the event bus: 503.
	ErrUnavailable = errors.New("service unavailable")
)

// Error is an error with an explicit status and a message safe to show to
// the client. Err, if set, is logged but never shown.
type Error struct {
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid returns an ErrInvalid error with a formatted message.
func Invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// NotFound returns an ErrNotFound error with a formatted message.
func NotFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

// Status returns the HTTP status for err and the message to show the
// client. Errors it does not know are 500 with a generic message, so that no
// internal detail leaks.
func Status(err error) (int, string) {
	var e *Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &e):
		return e.Status, e.Message
	case errors.As(err, &tooBig), errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ErrTooLarge.Error()
	case errors.Is(err, ErrInvalid), errors.Is(err, event.ErrMalformed):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable, err.Error()
	default:
		return http.StatusInternalServerError, "internal server error"
	}
}

// PublishFailed returns the error to answer when the bus did not store a
// request's event: 413 when the bus refused the event as too large, which
// no retry mends (a request under the limit can make a larger event, its
// text escaped inside an envelope), and otherwise 503, as Unavailable.
func PublishFailed(doing string, err error) error {
	var refused *event.StatusError
	if errors.As(err, &refused) && refused.Code == http.StatusRequestEntityTooLarge {
		return &Error{
			Status:  http.StatusRequestEntityTooLarge,
			Message: doing + ": its event is larger than the event bus accepts; send less text",
			Err:     err,
		}
	}
	return Unavailable(doing, err)
}

// Unavailable returns a 503 error saying what could not be done, for a
// dependency that is down; err is logged, not shown.
func Unavailable(doing string, err error) error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Message: doing + ": the event bus is unavailable; try again shortly",
		Err:     err,
	}
}
