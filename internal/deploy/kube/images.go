package kube

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// StaleImageWarning says why a restart of container may keep running the
// image the node already has: a mutable tag (latest, or none) with a pull
// policy that does not pull again. It returns "" when a restart runs the
// image the reference names.
func StaleImageWarning(c corev1.Container) string {
	if !MutableTag(c.Image) {
		return ""
	}
	policy := c.ImagePullPolicy
	if policy == "" {
		policy = corev1.PullIfNotPresent
		if !strings.Contains(lastSegment(c.Image), ":") || strings.HasSuffix(c.Image, ":latest") {
			policy = corev1.PullAlways
		}
	}
	if policy == corev1.PullAlways {
		return ""
	}
	return "container " + c.Name + " runs " + c.Image + " with imagePullPolicy " + string(policy) +
		": the restarted pods may keep the image the node already has rather than one built since, " +
		"and this machine has no image of that name to compare with; use an immutable tag (\"blogctl up\" uses a sha-... tag, pinned to the pushed digest) or imagePullPolicy: Always"
}

// MutableTag reports whether ref names its image by a tag that can move:
// latest or no tag, and no digest.
func MutableTag(ref string) bool {
	if strings.Contains(ref, "@sha256:") {
		return false
	}
	last := lastSegment(ref)
	i := strings.LastIndex(last, ":")
	return i < 0 || last[i+1:] == "latest"
}

func lastSegment(ref string) string {
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}
