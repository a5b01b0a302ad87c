package bus

import (
	"net/http"
	"testing"
	"time"
)

func TestParseBatch(t *testing.T) {
	tests := []struct {
		header string
		want   int
	}{
		{"", 1}, {"1", 1}, {"50", 50}, {"0", 1}, {"-3", 1}, {"many", 1}, {"1000000", maxBatch},
	}
	for _, tt := range tests {
		if got := parseBatch(tt.header); got != tt.want {
			t.Errorf("parseBatch(%q) = %d, want %d", tt.header, got, tt.want)
		}
	}
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusRequestEntityTooLarge, true},
		{http.StatusUnprocessableEntity, true},
		{http.StatusNotFound, false},
		{http.StatusRequestTimeout, false},
		{http.StatusTooManyRequests, false},
		{http.StatusInternalServerError, false},
		{http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		if got := refusal(tt.code); got != tt.want {
			t.Errorf("refusal(%d) = %t, want %t", tt.code, got, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://query-srv:4002/events", true},
		{"https://example.test/events", true},
		{"query-srv:4002/events", false},
		{"ftp://host/events", false},
		{"http:///events", false},
		{"http://bad host/", false},
	}
	for _, tt := range tests {
		if err := checkURL(tt.url); (err == nil) != tt.want {
			t.Errorf("checkURL(%q) = %v, want ok %t", tt.url, err, tt.want)
		}
	}
}

func TestParseWait(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "30s", want: 30 * time.Second},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "5", want: 5 * time.Second},
		{in: "0.5", want: 500 * time.Millisecond},
		{in: "0", want: 0},
		{in: "-1s", wantErr: true},
		{in: "soon", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseWait(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseWait(%q) = %v, %v, want %v (error %t)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
