package projection_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/blogctl/blogctl/internal/services/projection"
	st "github.com/blogctl/blogctl/internal/services/projection/servicetest"
)

// TestIDsSkipsKnown checks that Reserve draws again while the state knows
// the ID, and returns IDs of the course's shape.
func TestIDsSkipsKnown(t *testing.T) {
	p := projection.New(st.New(t).Client(), &echo{}, nil)
	var ids projection.IDs
	var refused []string
	id := ids.Reserve(p, func(id string) bool {
		if len(refused) < 3 {
			refused = append(refused, id)
			return true
		}
		return false
	})
	if len(refused) != 3 || slices.Contains(refused, id) {
		t.Errorf("Reserve() = %s after refusing %v, want a fourth ID", id, refused)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(id) {
		t.Errorf("Reserve() = %q, want 8 lowercase hex characters", id)
	}
}
