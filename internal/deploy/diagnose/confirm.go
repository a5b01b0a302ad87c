package diagnose

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// confirmEvery is how often confirm looks at the replacement pods.
const confirmEvery = 500 * time.Millisecond

// imageFailures are the waiting reasons of a container that did not get
// its image.
var imageFailures = map[string]bool{
	"ErrImageNeverPull": true, "ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
}

// confirm watches, for up to x.Settle, the pods of the plan's deployment
// created since since, and returns nil as soon as one of them has its
// container past getting its image: running, or even crashed, but started.
// It returns an error when one fails to get its image again, or when none
// gets that far in time, so that "fixed" is said only of a fix that took.
func (x *Fixer) confirm(ctx context.Context, p *Plan, since time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, x.Settle)
	defer cancel()
	dep, err := x.Clientset.AppsV1().Deployments(x.Namespace).Get(ctx, p.Deployment, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("checking the fix of %s: reading deployment %s: %w", p.Finding.Pod, p.Deployment, err)
	}
	sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil {
		return fmt.Errorf("checking the fix of %s: %w", p.Finding.Pod, err)
	}
	tick := time.NewTicker(confirmEvery)
	defer tick.Stop()
	for {
		pods, err := x.Clientset.CoreV1().Pods(x.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		if err == nil {
			for i := range pods.Items {
				pod := &pods.Items[i]
				if pod.Name == p.Finding.Pod || pod.DeletionTimestamp != nil ||
					pod.CreationTimestamp.Time.Before(since.Truncate(time.Second)) {
					continue
				}
				started, failure := imageOutcome(pod, p.Finding.Container)
				if started {
					return nil
				}
				if failure != "" {
					return notFixed(p, pod.Name, failure)
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: applied the fix, but no new pod of deployment %s got its image within %s: "+
				"run \"blogctl doctor\" to see where it stands", p.Finding.Pod, p.Deployment, x.Settle)
		case <-tick.C:
		}
	}
}

// imageOutcome says whether container of pod got past its image, or, if
// it failed to get it, the waiting reason.
func imageOutcome(pod *corev1.Pod, container string) (started bool, failure string) {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name != container {
			continue
		}
		switch w := cs.State.Waiting; {
		case cs.State.Running != nil, cs.State.Terminated != nil, cs.LastTerminationState.Terminated != nil:
			return true, ""
		case w != nil && imageFailures[w.Reason]:
			return false, w.Reason
		case w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing":
			// CreateContainerConfigError and the like come after the image.
			return true, ""
		}
	}
	return false, ""
}

// notFixed explains a replacement pod that still cannot get its image.
func notFixed(p *Plan, pod, reason string) error {
	msg := fmt.Sprintf("%s: applied the fix, but the new pod %s shows %s too", p.Finding.Pod, pod, reason)
	for _, s := range p.Steps {
		if s.Kind == LoadImage && reason == "ErrImageNeverPull" {
			return fmt.Errorf("%s. The node has image %s now, yet the kubelet refuses it: it pulled the same "+
				"image before under another name, and with imagePullPolicy Never it cannot check that this "+
				"pod may use it (Kubernetes' check of pulled images' credentials). Give the image a name the "+
				"node has not pulled, as \"blogctl up\" does with its sha- tags, or serve it from a registry "+
				"with imagePullPolicy IfNotPresent", msg, p.Finding.Image)
		}
	}
	return fmt.Errorf("%s: run \"blogctl doctor\" for its evidence", msg)
}
