package httpapi

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeJSONErrors(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"title": "a"}`, ""},
		{`{"title": `, "malformed JSON body: unexpected end of JSON input"},
		{`[]`, "malformed JSON body: expected a JSON object, got array"},
		{`{"title": 5}`, `malformed JSON body: field "title" must not be number`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/posts", strings.NewReader(tt.body))
			var v struct {
				Title *string `json:"title"`
			}
			err := DecodeJSON(r, &v)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("DecodeJSON(%s) = %v, want an ErrInvalid", tt.body, err)
				}
			}
			if !strings.Contains(got, tt.want) || (tt.want == "") != (err == nil) {
				t.Errorf("DecodeJSON(%s) = %q, want %q", tt.body, got, tt.want)
			}
			if strings.Contains(got, "Go value") {
				t.Errorf("DecodeJSON(%s) = %q names Go types", tt.body, got)
			}
		})
	}
}
