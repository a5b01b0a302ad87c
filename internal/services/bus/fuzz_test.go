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
// never panics, it refuses with 400 exactly what decodeEvent refuses, always
// as ErrMalformed, and it stores what it accepts under the id it answers.
func FuzzPostEvents(f *testing.F) {
	for _, seed := range []string{
		`{"type":"PostCreated","data":{"id":"0a1b2c3d","title":"hello"}}`,
		`{"type":"Unknown","data":[1,2,3],"id":"k","seq":42}`,
		`{"type":"X","id":""}`,
		`{"type":null}`,
		`{"type":"X","data":`,
		`[]`,
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
		_, decodeErr := decodeEvent(body)
		if decodeErr != nil && !errors.Is(decodeErr, event.ErrMalformed) {
			t.Fatalf("decodeEvent(%q) = %v, want an ErrMalformed error", body, decodeErr)
		}

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body)))
		var answer struct {
			Status, Error, ID string
			Seq               uint64
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST /events %q answered %q, want JSON", body, rec.Body)
		}
		switch {
		case decodeErr != nil && (rec.Code != http.StatusBadRequest || answer.Error == ""):
			t.Fatalf("POST /events %q = %d %s, want 400 with an error", body, rec.Code, rec.Body)
		case decodeErr == nil && (rec.Code != http.StatusOK || answer.Status != "OK" || answer.Seq == 0):
			t.Fatalf("POST /events %q = %d %s, want 200 with a seq", body, rec.Code, rec.Body)
		}
	})
}
