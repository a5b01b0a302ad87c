package servicetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Call is one request to a handler and the answer expected.
type Call struct {
	Name   string
	Method string
	Path   string
	Body   string
	Header map[string]string

	WantStatus int
	// WantJSON is the expected answer, decoded; nil skips the check. IDs
	// of 8 hex characters in the answer read "<id>".
	WantJSON any
}

// Do sends c to h and returns the status and the decoded answer, with IDs
// replaced by "<id>".
func Do(t testing.TB, h http.Handler, c Call) (int, any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(c.Method, c.Path, strings.NewReader(c.Body))
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s %s answered %d with non-JSON %q", c.Method, c.Path, rec.Code, rec.Body)
		}
	}
	return rec.Code, Normalize(got), rec.Header()
}

var idPattern = regexp.MustCompile(`^[0-9a-f]{8}$`)

// Normalize replaces every string of 8 hex characters, in values and in
// keys, by "<id>", so that answers with random IDs compare.
func Normalize(v any) any {
	switch v := v.(type) {
	case string:
		if idPattern.MatchString(v) {
			return "<id>"
		}
		return v
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = Normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[Normalize(k).(string)] = Normalize(e)
		}
		return out
	default:
		return v
	}
}

// ErrorBody is the shape of every error answer, whatever its message.
var ErrorBody = map[string]any{"error": AnyString}

// AnyString stands for any non-empty string in WantJSON.
const AnyString = "<any string>"

// CmpOptions compare answers with go-cmp: AnyString equals any non-empty
// string.
var CmpOptions = cmp.Options{
	cmp.FilterValues(func(a, b string) bool { return a == AnyString || b == AnyString },
		cmp.Comparer(func(a, b string) bool { return a != "" && b != "" })),
}

// Check sends every call to h and reports answers that differ from what
// the call expects.
func Check(t *testing.T, h http.Handler, calls []Call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.Name, func(t *testing.T) {
			status, got, _ := Do(t, h, c)
			if status != c.WantStatus {
				t.Errorf("%s %s = %d, want %d (%v)", c.Method, c.Path, status, c.WantStatus, got)
			}
			if c.WantJSON == nil {
				return
			}
			if diff := cmp.Diff(c.WantJSON, got, CmpOptions); diff != "" {
				t.Errorf("%s %s answer (-want +got):\n%s", c.Method, c.Path, diff)
			}
		})
	}
}

// DoJSON sends a request with body to h and decodes the answer into out,
// failing the test unless the status is wantStatus.
func DoJSON(t testing.TB, h http.Handler, method, path, body string, wantStatus int, out any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	if rec.Code != wantStatus {
		t.Fatalf("%s %s = %d %s, want %d", method, path, rec.Code, rec.Body, wantStatus)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		t.Fatalf("%s %s answered %q: %v", method, path, rec.Body, err)
	}
}

// Preflight returns the headers of a browser's CORS preflight for method.
func Preflight(method string) map[string]string {
	return map[string]string{
		"Origin":                        "http://localhost:3000",
		"Access-Control-Request-Method": method,
	}
}
