package dockertarget

import (
	"net/netip"
	"testing"
)

// TestPublishedURL checks the address a status row gives for a published
// port: the address it is published on, or 127.0.0.1 for a port published
// on every address.
func TestPublishedURL(t *testing.T) {
	tests := []struct {
		ip   string
		port uint16
		want string
	}{
		{"127.0.0.1", 18880, "http://127.0.0.1:18880"},
		{"0.0.0.0", 8080, "http://127.0.0.1:8080"},
		{"::", 8080, "http://127.0.0.1:8080"},
		{"", 8080, "http://127.0.0.1:8080"},
		{"::1", 8080, "http://[::1]:8080"},
	}
	for _, tt := range tests {
		var ip netip.Addr
		if tt.ip != "" {
			ip = netip.MustParseAddr(tt.ip)
		}
		if got := publishedURL(ip, tt.port); got != tt.want {
			t.Errorf("publishedURL(%q, %d) = %q, want %q", tt.ip, tt.port, got, tt.want)
		}
	}
}
