package projection

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// ErrLogReplaced reports that the event bus now serves a log other than the
// one the service's state was folded from: the bus's log was deleted, or
// lived in a volume that went away with its pod, and the bus started a new
// one. The service must not apply anything more, since the new log's
// sequence numbers restart from 1 and would be taken for events already
// applied. Serve returns it, so that the process exits, its supervisor
// starts it again, and it folds the new log.
var ErrLogReplaced = errors.New("the event bus's log was replaced")

// checkLog compares id, the identity of the log that the bus sent with a
// read or a delivery (event.LogHeader), with the identity of the log the
// state was folded from, which is the first one seen. An empty id, from a
// bus that does not say (such as the course's), is not checked. Once the
// log is found replaced, every later check fails too.
func (p *Projection) checkLog(id string) error {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	if p.replacedErr != nil {
		return p.replacedErr
	}
	if id == "" {
		return nil
	}
	if p.logID == "" {
		p.logID = id
	}
	if id == p.logID {
		return nil
	}

	p.replacedErr = fmt.Errorf("%w: log %s → %s; this service's state came from the old log: "+
		"start it again (its supervisor does) to rebuild from the new one", ErrLogReplaced, p.logID, id)
	p.log.Error(fmt.Sprintf("the event bus's log was replaced: log %s → %s; "+
		"this service's state came from the old log, whose events are gone; "+
		"stopping so that it is restarted and rebuilds from the new log; "+
		"to keep events across bus restarts give the bus a volume "+
		"(do not render the manifests with --no-storage-class)", p.logID, id),
		"bus", p.bus.URL(), "old_log", p.logID, "new_log", id)
	p.ready.Store(false)
	close(p.replaced)
	return p.replacedErr
}

// LogReplaced returns a channel that is closed when the bus's log is found
// replaced; Err then returns the error that says so.
func (p *Projection) LogReplaced() <-chan struct{} { return p.replaced }

// Err returns the error that stops the projection for good, wrapping
// ErrLogReplaced, or nil while it is sound.
func (p *Projection) Err() error {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	return p.replacedErr
}

// refuseReplaced answers a delivery that cannot be applied because the
// bus's log was replaced: 503, so that the bus keeps it and tries again
// once the service is back. The error was logged once when it was found,
// so it is not returned for the router to log at every delivery.
func refuseReplaced(w http.ResponseWriter) error {
	return httpapi.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{
		"error": ErrLogReplaced.Error() + ": this service is restarting to rebuild from the new log",
	})
}
