// Package kube talks to the Kubernetes cluster that the blog system is
// deployed on: it connects with kubectl's configuration rules, applies
// manifests with server-side apply, waits for rollouts by kubectl's rules
// while watching the new pods, restarts deployments as "kubectl rollout
// restart" does, and reads status and logs. Pod STATUS, READY and RESTARTS
// are computed exactly as "kubectl get pods" shows them (PodStatus,
// PodReady, PodRestarts).
package kube
