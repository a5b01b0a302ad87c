package projection

import (
	"sync"

	"github.com/blogctl/blogctl/internal/event"
)

// IDs hands out new entity IDs of the course's shape, 8 hex characters.
// With only 4 random bytes, two of some ten thousand entities share an ID
// more often than not, and the bus would take the second's event for a
// retry of the first's; so an ID is drawn again until neither the state
// nor a write in flight has it.
type IDs struct {
	mu       sync.Mutex
	reserved map[string]struct{}
}

// Reserve returns an ID that known, called with the projection's state
// locked for reading, reports unused, and that no other write holds. The
// caller releases it once its event is recorded or has failed.
func (ids *IDs) Reserve(p *Projection, known func(id string) bool) string {
	for {
		id := event.NewID()
		var used bool
		p.View(func() { used = known(id) })
		if used {
			continue
		}

		ids.mu.Lock()
		_, held := ids.reserved[id]
		if !held {
			if ids.reserved == nil {
				ids.reserved = make(map[string]struct{})
			}
			ids.reserved[id] = struct{}{}
		}
		ids.mu.Unlock()
		if !held {
			return id
		}
	}
}

// Release frees a reserved ID.
func (ids *IDs) Release(id string) {
	ids.mu.Lock()
	delete(ids.reserved, id)
	ids.mu.Unlock()
}
