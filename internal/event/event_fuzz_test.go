package event

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is ErrMalformed, and that what it accepts has a type and survives a round
// trip through JSON.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"type":"PostCreated","data":{"id":"0a1b2c3d","title":"hello"}}`,
		`{"type":"CommentCreated","data":{"id":"1","content":"orange","postId":"2","status":"pending"}}`,
		`{"type":"X","data":{},"id":"CommentModerated/1","seq":7}`,
		`{"type":"X"}`,
		`{"type":"X","data":null}`,
		`{"type":""}`,
		`{"data":{}}`,
		`{"type":5}`,
		`[{"type":"X"}]`,
		`{"type":"X"} trailing`,
		`"\ud800"`,
		``,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(%q) = %v, want an ErrMalformed error", b, err)
			}
			return
		}
		if ev.Type == "" || len(ev.Data) == 0 {
			t.Fatalf("Decode(%q) = %+v, want a type and data", b, ev)
		}

		// What Decode accepts encodes and decodes to the same event.
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("encoding Decode(%q) = %v", b, err)
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode(%s) after a round trip = %v", again, err)
		}
		if diff := cmp.Diff(compact(t, ev), compact(t, back)); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", b, diff)
		}
	})
}

// compact returns ev with its data in compact form, so that round trips
// compare equal whatever the spacing of the input.
func compact(t *testing.T, ev Event) Event {
	t.Helper()
	b, err := json.Marshal(ev.Data)
	if err != nil {
		t.Fatal(err)
	}
	ev.Data = b
	return ev
}
