package kube

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Pod reasons that kubectl shows and that are not in the API's constants.
const (
	statusCompleted   = "Completed"
	statusRunning     = "Running"
	statusNotReady    = "NotReady"
	statusTerminating = "Terminating"
	statusUnknown     = "Unknown"

	// nodeUnreachableReason is what the node lifecycle controller sets as
	// the pod's reason when it evicts pods from a node it lost.
	nodeUnreachableReason = "NodeLost"
)

// podSummary is one pod's row in "kubectl get pods": its STATUS, READY and
// RESTARTS columns.
type podSummary struct {
	status   string
	ready    int
	total    int
	restarts int
}

// PodStatus returns the STATUS column of "kubectl get pods" for pod, computed
// by the same rules: Init:x/y while init containers run, Init:<reason> when
// one fails or waits, a container's waiting or terminated reason,
// Completed, Running or NotReady, Terminating, Unknown for a pod on a lost
// node, SchedulingGated, or the pod's phase.
func PodStatus(pod *corev1.Pod) string { return summarize(pod).status }

// PodReady returns the READY column of "kubectl get pods" as numbers: ready
// containers, and all containers including restartable init (sidecar)
// containers.
func PodReady(pod *corev1.Pod) (ready, total int) {
	s := summarize(pod)
	return s.ready, s.total
}

// PodRestarts returns the RESTARTS column of "kubectl get pods" as a number:
// while the pod initialises, the restarts of its init containers; after,
// those of its containers and sidecars.
func PodRestarts(pod *corev1.Pod) int { return summarize(pod).restarts }

func summarize(pod *corev1.Pod) podSummary {
	s := podSummary{status: string(pod.Status.Phase), total: len(pod.Spec.Containers)}
	if pod.Status.Reason != "" {
		s.status = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			s.status = corev1.PodReasonSchedulingGated
		}
	}
	sidecars := sidecarNames(pod)
	s.total += len(sidecars)

	// Init containers first: while one of them has not finished, it decides
	// the status.
	initializing, sidecarRestarts := summarizeInit(pod, sidecars, &s)
	if !initializing || podInitialized(pod) {
		s.restarts = sidecarRestarts
		summarizeContainers(pod, &s)
	}

	// A pod being deleted says so, unless it already ended.
	switch {
	case pod.DeletionTimestamp != nil && pod.Status.Reason == nodeUnreachableReason:
		s.status = statusUnknown
	case pod.DeletionTimestamp != nil && !terminalPhase(pod.Status.Phase):
		s.status = statusTerminating
	}
	return s
}

// summarizeInit walks the init containers in order. It reports whether the
// pod is still initialising and the restarts of its sidecars.
func summarizeInit(pod *corev1.Pod, sidecars map[string]bool, s *podSummary) (bool, int) {
	sidecarRestarts := 0
	for i, c := range pod.Status.InitContainerStatuses {
		s.restarts += int(c.RestartCount)
		if sidecars[c.Name] {
			sidecarRestarts += int(c.RestartCount)
		}
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case sidecars[c.Name] && c.Started != nil && *c.Started:
			if c.Ready {
				s.ready++
			}
			continue
		case c.State.Terminated != nil:
			s.status = "Init:" + terminatedReason(c.State.Terminated)
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" &&
			c.State.Waiting.Reason != "PodInitializing":
			s.status = "Init:" + c.State.Waiting.Reason
		default:
			s.status = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		return true, sidecarRestarts
	}
	return false, sidecarRestarts
}

// summarizeContainers walks the regular containers from last to first, so
// that the first container with a reason decides the status.
func summarizeContainers(pod *corev1.Pod, s *podSummary) {
	hasRunning := false
	for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
		c := pod.Status.ContainerStatuses[i]
		s.restarts += int(c.RestartCount)
		switch {
		case c.State.Waiting != nil && c.State.Waiting.Reason != "":
			s.status = c.State.Waiting.Reason
		case c.State.Terminated != nil:
			s.status = terminatedReason(c.State.Terminated)
		case c.Ready && c.State.Running != nil:
			hasRunning = true
			s.ready++
		}
	}

	// A pod whose finished container says Completed while another still
	// runs is not complete.
	if s.status == statusCompleted && hasRunning {
		s.status = statusNotReady
		if podReadyCondition(pod) {
			s.status = statusRunning
		}
	}
}

// terminatedReason is a terminated container's reason, or its signal or
// exit code when the runtime gave none.
func terminatedReason(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	}
	return fmt.Sprintf("ExitCode:%d", t.ExitCode)
}

// sidecarNames returns the restartable init containers: those with
// restartPolicy Always, which run beside the containers.
func sidecarNames(pod *corev1.Pod) map[string]bool {
	names := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			names[c.Name] = true
		}
	}
	return names
}

func podInitialized(pod *corev1.Pod) bool {
	return conditionTrue(pod, corev1.PodInitialized)
}

func podReadyCondition(pod *corev1.Pod) bool {
	return conditionTrue(pod, corev1.PodReady)
}

func conditionTrue(pod *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func terminalPhase(p corev1.PodPhase) bool {
	return p == corev1.PodSucceeded || p == corev1.PodFailed
}
