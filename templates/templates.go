// Package templates embeds the Dockerfile and Kubernetes YAML templates that
// blogctl renders, so that the binary carries them wherever it runs.
package templates

import "embed"

// FS holds docker/ (the image's Dockerfile) and k8s/ (one manifest template
// per kind of object).
//
//go:embed docker k8s
var FS embed.FS
