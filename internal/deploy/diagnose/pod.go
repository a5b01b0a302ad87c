package diagnose

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
)

// logLines is how many of a crashing container's last log lines a finding
// carries.
const logLines = 10

// Pod diagnoses pod: nil when it is healthy, or a Finding with the cause,
// the evidence (its status, its warning events and, for a crashing
// container, its last log lines) and the fix. Reading events and logs is
// best effort: a failure there leaves the evidence shorter.
func Pod(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) *Finding {
	f := Classify(pod)
	if f == nil {
		return nil
	}
	f.Evidence = append(f.Evidence, warningEvents(ctx, cs, pod)...)
	switch {
	case f.Reason == "CrashLoopBackOff" || f.ExitCode != nil:
		// A run that has just exited is the current one until the kubelet
		// starts the next: its log is the last, and the run before it may
		// be gone already.
		f.Evidence = append(f.Evidence, lastLogs(ctx, cs, pod, f.Container, !exitedNow(pod, f.Container))...)
	case f.Reason == ReasonNotReady:
		// The running container's log says why it is not ready.
		f.Evidence = append(f.Evidence, lastLogs(ctx, cs, pod, f.Container, false)...)
	}
	return f
}

// warningEvents lists the pod's warning events, oldest first, each once.
func warningEvents(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) []string {
	sel := fields.Set{"involvedObject.kind": "Pod", "involvedObject.name": pod.Name}
	list, err := cs.CoreV1().Events(pod.Namespace).List(ctx,
		metav1.ListOptions{FieldSelector: sel.AsSelector().String()})
	if err != nil {
		return nil
	}
	events := list.Items
	sort.SliceStable(events, func(i, j int) bool {
		return eventTime(events[i]).Time.Before(eventTime(events[j]).Time)
	})
	var out []string
	seen := map[string]bool{}
	for _, e := range events {
		if e.Type != corev1.EventTypeWarning || e.InvolvedObject.Name != pod.Name {
			continue
		}
		line := fmt.Sprintf("event %s: %s", e.Reason, e.Message)
		if e.Count > 1 {
			line += fmt.Sprintf(" (x%d)", e.Count)
		}
		if !seen[e.Reason+e.Message] {
			seen[e.Reason+e.Message] = true
			out = append(out, line)
		}
	}
	return out
}

func eventTime(e corev1.Event) metav1.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp
	case !e.EventTime.IsZero():
		return metav1.Time{Time: e.EventTime.Time}
	}
	return e.FirstTimestamp
}

// exitedNow reports whether container's current run has exited.
func exitedNow(pod *corev1.Pod, container string) bool {
	for _, cs := range containerStatuses(pod) {
		if cs.Name == container {
			return cs.State.Terminated != nil
		}
	}
	return false
}

// lastLogs returns the last lines of container's previous run, or of its
// current run when there was none; previousFirst false tries the current
// run first.
func lastLogs(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, container string,
	previousFirst bool) []string {
	tail := int64(logLines)
	for _, previous := range []bool{previousFirst, !previousFirst} {
		opts := &corev1.PodLogOptions{Container: container, TailLines: &tail, Previous: previous}
		b, err := cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, opts).DoRaw(ctx)
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var out []string
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			out = append(out, "log: "+l)
		}
		return out
	}
	return nil
}
