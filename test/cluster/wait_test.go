package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// waitAvailable waits until the Deployment reports itself Available.
func (c *testCluster) waitAvailable(t *testing.T, ns, name string) {
	t.Helper()
	poll(t, 90*time.Second, "Deployment "+name+" to be available", func(ctx context.Context) (bool, error) {
		d, err := c.client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range d.Status.Conditions {
			if cond.Type == "Available" && cond.Status == corev1.ConditionTrue {
				return d.Status.AvailableReplicas == *d.Spec.Replicas, nil
			}
		}
		return false, nil
	})
}

// waitPhase waits until the pod reaches phase, and fails at once if it
// reaches another final phase.
func (c *testCluster) waitPhase(t *testing.T, ns, name string, phase corev1.PodPhase) {
	t.Helper()
	poll(t, 90*time.Second, fmt.Sprintf("pod %s to be %s", name, phase), func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		if p.Status.Phase == phase {
			return true, nil
		}
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			return false, fmt.Errorf("pod %s ended %s: %s", name, p.Status.Phase, c.logs(t, ns, name))
		}
		return false, nil
	})
}

// waitWaitingReason waits until the pod's container waits with reason.
func (c *testCluster) waitWaitingReason(t *testing.T, ns, name, reason string) {
	t.Helper()
	var last string
	poll(t, 60*time.Second, fmt.Sprintf("pod %s to wait with %s", name, reason), func(ctx context.Context) (bool, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, nil
		}
		if w := p.Status.ContainerStatuses[0].State.Waiting; w != nil {
			last = w.Reason
		}
		return last == reason, nil
	})
}

// logs returns the pod's container output, or a note saying why it could
// not be read.
func (c *testCluster) logs(t *testing.T, ns, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	b, err := c.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		return fmt.Sprintf("(reading the logs of pod %s: %v)", name, err)
	}
	return string(b)
}
