package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/blogctl/blogctl/internal/event"
)

// FuzzPostEvents drives the POST /events handler with arbitrary bodies: it
// never panics, it refuses with 400 exactly what decodeEvent (or, for an
// array, decodeEvents) refuses, always as ErrMalformed, and it answers
// what it accepts with a seq for each event.
func FuzzPostEvents(f *testing.F) {
	for _, seed := range []string{
		`{"type":"PostCreated","data":{"id":"0a1b2c3d","title":"hello"}}`,
		`{"type":"Unknown","data":[1,2,3],"id":"k","seq":42}`,
		`{"type":"X","id":""}`,
		`{"type":null}`,
		`{"type":"X","data":`,
		`[]`,
		` [{"type":"A","id":"a"},{"type":"B","id":"a"}]`,
		`[{"type":"A"},null]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	b, err := Open(Config{DataDir: f.TempDir()}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { b.store.Close() })
	// Durability is not under test here; fsync would slow the fuzzer, above
	// all while it minimizes an input, a hundredfold.
	b.store.db.NoSync = true
	h := b.Handler()

	f.Fuzz(func(t *testing.T, body []byte) {
		trimmed := bytes.TrimSpace(body)
		array := len(trimmed) > 0 && trimmed[0] == '['
		want := 1
		var decodeErr error
		if array {
			var evs []event.Event
			evs, decodeErr = decodeEvents(trimmed)
			want = len(evs)
		} else {
			_, decodeErr = decodeEvent(body)
		}
		if decodeErr != nil && !errors.Is(decodeErr, event.ErrMalformed) {
			t.Fatalf("decoding %q = %v, want an ErrMalformed error", body, decodeErr)
		}

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body)))
		var answer struct {
			Status, Error, ID string
			Seq               uint64
			Events            []placement
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST /events %q answered %q, want JSON", body, rec.Body)
		}
		if !array {
			answer.Events = []placement{{ID: answer.ID, Seq: answer.Seq}}
		}
		switch {
		case decodeErr != nil && (rec.Code != http.StatusBadRequest || answer.Error == ""):
			t.Fatalf("POST /events %q = %d %s, want 400 with an error", body, rec.Code, rec.Body)
		case decodeErr != nil:
		case rec.Code != http.StatusOK || answer.Status != "OK" || len(answer.Events) != want:
			t.Fatalf("POST /events %q = %d %s, want 200 placing %d events", body, rec.Code, rec.Body, want)
		}
		for _, p := range answer.Events {
			if decodeErr == nil && p.Seq == 0 {
				t.Fatalf("POST /events %q = %s, want a seq for every event", body, rec.Body)
			}
		}
	})
}
