package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// classifyContainer finds what is wrong with one container from its
// current and last state.
func classifyContainer(pod *corev1.Pod, cs corev1.ContainerStatus, f Finding) *Finding {
	f.Container, f.Image = cs.Name, specImage(pod, cs.Name, cs.Image)
	f.PullPolicy = pullPolicy(pod, cs.Name)
	if w := cs.State.Waiting; w != nil && w.Reason != "" {
		f.Reason = w.Reason
		f.Evidence = []string{"waiting: " + joinNonEmpty(w.Reason, w.Message)}
		if last := cs.LastTerminationState.Terminated; last != nil {
			f.ExitCode = &last.ExitCode
			f.Evidence = append(f.Evidence, "last exit: "+describeTerminated(last))
		}
		return explainWaiting(&f, w, cs.LastTerminationState.Terminated)
	}
	if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
		return explainTerminated(f, t, false)
	}
	if t := cs.LastTerminationState.Terminated; t != nil && t.Reason == "OOMKilled" {
		return explainTerminated(f, t, true)
	}
	return nil
}

// explainWaiting fills in the cause and fix of a waiting container, or
// returns nil for the normal waits of a starting pod.
func explainWaiting(f *Finding, w *corev1.ContainerStateWaiting,
	last *corev1.ContainerStateTerminated) *Finding {
	switch w.Reason {
	case "ContainerCreating", "PodInitializing":
		return nil
	case "ErrImageNeverPull":
		f.Cause = fmt.Sprintf("the node has no image %s and imagePullPolicy is Never", f.Image)
		f.Fix = "load the image into the node (\"blogctl doctor --fix\" does it), " +
			"or build and load it with \"blogctl up\""
		f.AutoFix = FixImage
	case "ErrImagePull", "ImagePullBackOff":
		f.Cause = fmt.Sprintf("the node cannot pull image %s", f.Image)
		f.Fix = "for an image built on this machine, load it into the node and set " +
			"imagePullPolicy: Never (\"blogctl doctor --fix\" does both); for a registry image, " +
			"push it (blogctl push) and check the name and the pull credentials"
		f.AutoFix = FixImage
	case "InvalidImageName":
		f.Cause = fmt.Sprintf("image reference %q is not valid", f.Image)
		f.Fix = "correct the image in the manifest (lowercase, registry/name:tag) and apply it again"
	case "CrashLoopBackOff":
		f.Cause = "the container keeps exiting" + exitSuffix(last)
		f.Fix = "read the last logs above (" + logsCommand(*f, true) +
			"), fix the crash, rebuild and run \"blogctl up\""
		if last != nil && last.Reason == "OOMKilled" {
			f.Fix = "raise resources.limits.memory of container " + f.Container +
				" in the manifest and apply it again"
		}
	case "CreateContainerConfigError":
		f.Cause = "the container's configuration cannot be built: " + w.Message
		f.Fix = "create the ConfigMap or Secret it names, or correct the reference in the manifest"
	default:
		f.Cause = "the container cannot start: " + joinNonEmpty(w.Reason, w.Message)
		f.Fix = "read the evidence below and the pod's events (kubectl describe pod " + f.Pod + ")"
	}
	return f
}

// explainTerminated explains the exit t of the container's current run, or
// of its previous run when previous is set.
func explainTerminated(f Finding, t *corev1.ContainerStateTerminated, previous bool) *Finding {
	f.Reason = t.Reason
	if f.Reason == "" {
		f.Reason = fmt.Sprintf("ExitCode:%d", t.ExitCode)
	}
	f.ExitCode = &t.ExitCode
	f.Evidence = []string{"terminated: " + describeTerminated(t)}
	f.Cause = "the container exited" + exitSuffix(t)
	f.Fix = "read its logs (" + logsCommand(f, previous) + ") and fix the cause"
	if t.Reason == "OOMKilled" {
		f.Cause = "the container used more memory than its limit and was killed"
		f.Fix = "raise resources.limits.memory of container " + f.Container +
			" in the manifest and apply it again"
	}
	return &f
}

func exitSuffix(t *corev1.ContainerStateTerminated) string {
	if t == nil {
		return ""
	}
	return fmt.Sprintf(" (exit code %d)", t.ExitCode)
}

func describeTerminated(t *corev1.ContainerStateTerminated) string {
	s := fmt.Sprintf("exit code %d", t.ExitCode)
	if t.Reason != "" {
		s += ", " + t.Reason
	}
	if t.Message != "" {
		s += ": " + t.Message
	}
	return s
}

// specImage is the image the pod asks for, which the status may show
// resolved or not at all.
func specImage(pod *corev1.Pod, name, fallback string) string {
	if c := findContainer(pod, name); c != nil && c.Image != "" {
		return c.Image
	}
	return fallback
}

func pullPolicy(pod *corev1.Pod, name string) corev1.PullPolicy {
	if c := findContainer(pod, name); c != nil {
		return c.ImagePullPolicy
	}
	return ""
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

func joinNonEmpty(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ": ")
}
