package projection_test

import (
	"encoding/json"
	"testing"

	"github.com/blogctl/blogctl/internal/services/projection"
)

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{`{"type":"PostCreated","data":{"id":"1","title":"t"}}`, 1, false},
		{` [{"type":"A"},{"type":"B","data":{},"id":"x","seq":2}] `, 2, false},
		{`[]`, 0, false},
		{`{"data":{}}`, 0, true},
		{`[{"type":"A"},{}]`, 0, true},
		{`[{"type":"A"}`, 0, true},
		{``, 0, true},
		{`"PostCreated"`, 0, true},
	}
	for _, tt := range tests {
		evs, err := projection.DecodeEvents([]byte(tt.in))
		if (err != nil) != tt.wantErr || len(evs) != tt.want {
			t.Errorf("DecodeEvents(%q) = %d events, %v; want %d events, error %t",
				tt.in, len(evs), err, tt.want, tt.wantErr)
		}
	}
}

// FuzzDecodeEvents checks that any input decodes to typed events with JSON
// data, or to an error, and never panics.
func FuzzDecodeEvents(f *testing.F) {
	for _, s := range []string{
		`{"type":"PostCreated","data":{"id":"1","title":"t"}}`,
		`[{"type":"CommentCreated","seq":3,` +
			`"data":{"id":"c","postId":"p","content":"x","status":"pending"}}]`,
		`{"type":""}`, `[`, `null`, `[null]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := projection.DecodeEvents(b)
		if err != nil {
			return
		}
		for i, ev := range evs {
			if ev.Type == "" {
				t.Errorf("DecodeEvents(%q): event %d has no type", b, i)
			}
			if !json.Valid(ev.Data) {
				t.Errorf("DecodeEvents(%q): event %d has data %q, not JSON", b, i, ev.Data)
			}
		}
	})
}
