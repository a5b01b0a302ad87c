// Package kube talks to the Kubernetes cluster that the blog system is
// deployed on: it connects with kubectl's configuration rules (Connect),
// applies manifests with server-side apply (Applier), waits for rollouts by
// kubectl's rules while it watches the new pods and stops at the first
// failure with a diagnosis (Waiter), restarts deployments as "kubectl
// rollout restart" does (RestartDeployment), gets images to the node or the
// registry (Shipper), runs the whole "blogctl up" loop (Up), and reads
// status and logs. Pod STATUS, READY and RESTARTS are computed exactly as
// "kubectl get pods" shows them (PodStatus, PodReady, PodRestarts).
// NewFixer wires the diagnose package's Fixer to a cluster and a Docker
// engine, for "blogctl doctor --fix" and the terminal UI.
package kube
