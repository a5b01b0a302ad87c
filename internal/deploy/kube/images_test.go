package kube

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestStaleImageWarning(t *testing.T) {
	tests := []struct {
		image  string
		policy corev1.PullPolicy
		warn   bool
	}{
		{"blogctl/posts:latest", corev1.PullIfNotPresent, true},
		{"blogctl/posts:latest", corev1.PullNever, true},
		{"blogctl/posts", corev1.PullIfNotPresent, true},
		{"localhost:5001/blogctl/posts", corev1.PullIfNotPresent, true},
		{"blogctl/posts:latest", corev1.PullAlways, false},
		{"blogctl/posts:latest", "", false},
		{"blogctl/posts:sha-0123abcd", corev1.PullIfNotPresent, false},
		{"localhost:5001/blogctl/posts:sha-0123abcd", corev1.PullNever, false},
		{"blogctl/posts@sha256:0123", corev1.PullIfNotPresent, false},
	}
	for _, tc := range tests {
		got := StaleImageWarning(corev1.Container{Name: "posts", Image: tc.image, ImagePullPolicy: tc.policy})
		if (got != "") != tc.warn {
			t.Errorf("StaleImageWarning(%s, %s) = %q, want a warning: %v", tc.image, tc.policy, got, tc.warn)
		}
		if tc.warn && !strings.Contains(got, "immutable tag") {
			t.Errorf("StaleImageWarning(%s, %s) = %q, want it to name the fix", tc.image, tc.policy, got)
		}
	}
}
