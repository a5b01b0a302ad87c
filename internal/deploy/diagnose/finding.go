package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blogctl/blogctl/internal/blog"

	corev1 "k8s.io/api/core/v1"
)

// Reasons a Finding can carry besides the kubelet's own waiting and
// terminated reasons (ErrImagePull, CrashLoopBackOff, OOMKilled...).
const (
	ReasonFailedScheduling = "FailedScheduling"
	ReasonUnboundPVC       = "UnboundPersistentVolumeClaim"
	ReasonNotReady         = "NotReady"
	ReasonEvicted          = "Evicted"
)

// FixKind names a fix that "blogctl doctor --fix" can apply by itself.
type FixKind string

// The safe automatic fixes. FixNone means a person has to act.
const (
	FixNone FixKind = ""
	// FixImage makes a locally built image reach the cluster: load it into
	// the node, or push it, or let the node use the local image with
	// imagePullPolicy: Never. Which of these applies depends on the cluster;
	// see Plan.
	FixImage FixKind = "image"
)

// Finding explains why one pod is not ready.
type Finding struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	// Service is the blog service the pod belongs to, from its labels.
	Service   string `json:"service,omitempty"`
	Container string `json:"container,omitempty"`
	// Image and PullPolicy are the failing container's.
	Image      string            `json:"image,omitempty"`
	PullPolicy corev1.PullPolicy `json:"pullPolicy,omitempty"`
	// Reason is the kubelet's or scheduler's reason, such as
	// ErrImageNeverPull, or one of the Reason constants.
	Reason string `json:"reason"`
	// Cause says in one line why the pod is not ready.
	Cause string `json:"cause"`
	// Evidence holds what shows it: the waiting reason and message, the
	// pod's warning events, the last log lines.
	Evidence []string `json:"evidence,omitempty"`
	// Fix says the next step in words.
	Fix string `json:"fix"`
	// AutoFix is the fix "blogctl doctor --fix" can apply, or FixNone.
	AutoFix FixKind `json:"autoFix,omitempty"`
	// ExitCode is the last exit code of a crashing container.
	ExitCode *int32 `json:"exitCode,omitempty"`
}

// Fixable reports whether a safe automatic fix exists for f.
func (f *Finding) Fixable() bool { return f != nil && f.AutoFix != FixNone }

// Failed reports whether f is a failure that waiting will not cure, so that
// a rollout should stop at once rather than run into its deadline.
func (f *Finding) Failed() bool {
	if f == nil {
		return false
	}
	switch f.Reason {
	case ReasonNotReady, "ContainerCreating", "PodInitializing":
		return false
	}
	return true
}

// String is the finding in one line.
func (f *Finding) String() string {
	where := f.Pod
	if f.Container != "" {
		where += "/" + f.Container
	}
	return fmt.Sprintf("%s: %s: %s", where, f.Reason, f.Cause)
}

// Classify diagnoses pod from its status alone, with no call to the
// cluster: fast enough to run on every watch event. It returns nil when the
// pod is ready, has finished, or is still starting normally.
func Classify(pod *corev1.Pod) *Finding {
	if pod.Status.Phase == corev1.PodSucceeded || podReady(pod) {
		return nil
	}
	base := Finding{Namespace: pod.Namespace, Pod: pod.Name, Service: serviceOf(pod)}
	if f := classifyPod(pod, base); f != nil {
		return f
	}
	for _, cs := range containerStatuses(pod) {
		if f := classifyContainer(pod, cs, base); f != nil {
			return f
		}
	}
	return classifyNotReady(pod, base)
}

// containerStatuses lists the statuses of pod's init containers, then of
// its containers.
func containerStatuses(pod *corev1.Pod) []corev1.ContainerStatus {
	return append(slices.Clone(pod.Status.InitContainerStatuses), pod.Status.ContainerStatuses...)
}

// classifyPod finds what is wrong with the pod as a whole: eviction or
// scheduling.
func classifyPod(pod *corev1.Pod, f Finding) *Finding {
	if pod.Status.Reason == ReasonEvicted {
		f.Reason = ReasonEvicted
		f.Cause = "the node evicted the pod: " + pod.Status.Message
		f.Evidence = []string{"pod status: " + pod.Status.Message}
		f.Fix = "delete the pod so that its deployment replaces it, and free the node's resources"
		return &f
	}
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse ||
			c.Reason != corev1.PodReasonUnschedulable {
			continue
		}
		f.Evidence = []string{"PodScheduled=False " + c.Reason + ": " + c.Message}
		if strings.Contains(c.Message, "unbound") && strings.Contains(c.Message, "PersistentVolumeClaim") {
			f.Reason = ReasonUnboundPVC
			claim := "PersistentVolumeClaim"
			if names := claimNames(pod); len(names) > 0 {
				claim += " " + strings.Join(names, ", ")
			}
			f.Cause = "the pod's " + claim + " is not bound to any volume"
			f.Fix = "the cluster has no storage class or volume for the claim: create a PersistentVolume " +
				"that matches it, or give it a storageClassName the cluster has (kubectl get storageclass)"
			if f.Service == blog.EventBus {
				f.Fix = "the cluster has no storage class or volume for the claim: run \"blogctl up\" again " +
					"with --storage-class and a class the cluster has, or with --no-storage-class (the log " +
					"then lasts only as long as the pod), or create a PersistentVolume that matches the claim"
			}
			return &f
		}
		f.Reason = ReasonFailedScheduling
		f.Cause = "the scheduler found no node for the pod: " + c.Message
		f.Fix = "lower the pod's resource requests, or free or add a node that fits " +
			"(the scheduler's reason is above)"
		return &f
	}
	return nil
}

// claimNames lists the PersistentVolumeClaims that pod mounts.
func claimNames(pod *corev1.Pod) []string {
	var names []string
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			names = append(names, v.PersistentVolumeClaim.ClaimName)
		}
	}
	return names
}

func classifyNotReady(pod *corev1.Pod, f Finding) *Finding {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running == nil || cs.Ready {
			continue
		}
		f.Container, f.Image = cs.Name, cs.Image
		f.Reason = ReasonNotReady
		f.Cause = "container " + cs.Name + " runs but its readiness probe does not pass yet"
		f.Fix = "wait a little; if it stays so, read its logs (" + logsCommand(f, false) +
			"; the last lines are above) and check what /readyz answers"
		return &f
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// serviceOf reads the blog service's name from the pod's labels.
func serviceOf(pod *corev1.Pod) string {
	if s := pod.Labels["app.kubernetes.io/name"]; s != "" {
		return s
	}
	return pod.Labels["app"]
}

// logsCommand is the command line that shows the logs of f's pod:
// "blogctl logs" for a service of the blog, kubectl for any other pod,
// whose name blogctl logs would not know.
func logsCommand(f Finding, previous bool) string {
	cmd := "blogctl logs " + serviceOrPod(f)
	if _, err := blog.Lookup(f.Service); err != nil {
		cmd = "kubectl logs " + f.Pod
		if f.Container != "" {
			cmd += " -c " + f.Container
		}
	}
	if f.Namespace != "" {
		cmd += " -n " + f.Namespace
	}
	if previous {
		cmd += " --previous"
	}
	return cmd
}

func serviceOrPod(f Finding) string {
	if f.Service != "" {
		return f.Service
	}
	return f.Pod
}
