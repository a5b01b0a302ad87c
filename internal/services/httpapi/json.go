package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// WriteJSON answers with status and v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the answer: %w", err)
	}
	return WriteRawJSON(w, status, b)
}

// WriteRawJSON answers with status and b, which must already be JSON.
func WriteRawJSON(w http.ResponseWriter, status int, b []byte) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

// ReadBody reads the whole request body, within the limit the Router sets.
// A body over the limit is ErrTooLarge.
func ReadBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, tooBig.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	return b, nil
}

// DecodeJSON reads the request body into v. A body that is not JSON of v's
// shape is ErrInvalid; one over the limit is ErrTooLarge.
func DecodeJSON(r *http.Request, v any) error {
	b, err := ReadBody(r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return Invalid("malformed JSON body: %s", describeJSONError(err))
	}
	return nil
}

// describeJSONError says what is wrong with a body in the client's terms,
// without the Go types that encoding/json names.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return fmt.Sprintf("expected a JSON object, got %s", typeErr.Value)
		}
		return fmt.Sprintf("field %q must not be %s", typeErr.Field, typeErr.Value)
	}
	return err.Error()
}
