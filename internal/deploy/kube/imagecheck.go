package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/blogctl/blogctl/internal/deploy/image"
)

// LocalImage returns the digests an image reference has on this machine:
// its image ID and its registry digests, each as sha256:.... It returns
// found false when the image is not here, so nothing can be compared.
type LocalImage func(ctx context.Context, ref string) (digests []string, found bool)

// EngineImage returns the LocalImage of the Docker engine: the image ID
// (what a node that imported the image reports) and the registry digests
// recorded at push (what a node that pulled it reports).
func EngineImage(e image.Engine) LocalImage {
	return func(ctx context.Context, ref string) ([]string, bool) {
		res, err := e.ImageInspect(ctx, ref)
		if err != nil {
			return nil, false
		}
		digests := []string{res.ID}
		for _, rd := range res.RepoDigests {
			digests = append(digests, digestOf(rd))
		}
		return digests, true
	}
}

// StaleImage is a new pod's container that runs another image than the one
// this machine has under the reference the deployment names.
type StaleImage struct {
	Deployment, Pod, Container string
	// Image is the reference; Running the image ID the node reports;
	// Local the image ID on this machine.
	Image, Running, Local string
	Policy                corev1.PullPolicy
}

func (s StaleImage) String() string {
	msg := fmt.Sprintf("deployment %s: pod %s container %s runs %s as %s, not the image this machine has "+
		"under that name (%s)", s.Deployment, s.Pod, s.Container, s.Image, short(s.Running), short(s.Local))
	if MutableTag(s.Image) && s.Policy != corev1.PullAlways {
		msg += fmt.Sprintf(": the mutable tag with imagePullPolicy %s kept the image the node already had; "+
			"use an immutable tag (\"blogctl up\" uses a sha-... tag, pinned to the pushed digest) or imagePullPolicy: Always "+
			"with a registry", s.Policy)
	} else {
		msg += ": load or push the image again (\"blogctl up\" does both) and restart"
	}
	return msg
}

// CheckRunningImages compares the image every new pod of a deployment runs
// (its containers' status imageID) with the image this machine has under
// the reference the deployment names. New pods are those created since
// since and not being deleted. An image this machine does not have cannot
// be compared and is skipped.
func CheckRunningImages(ctx context.Context, cs kubernetes.Interface, namespace, deployment string,
	since time.Time, local LocalImage) ([]StaleImage, error) {
	dep, err := cs.AppsV1().Deployments(namespace).Get(ctx, deployment, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading deployment %s/%s: %w", namespace, deployment, err)
	}
	sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("reading the selector of deployment %s: %w", deployment, err)
	}
	pods, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("listing the pods of deployment %s/%s: %w", namespace, deployment, err)
	}
	sort.Slice(pods.Items, func(i, j int) bool { return pods.Items[i].Name < pods.Items[j].Name })
	var stale []StaleImage
	for _, ct := range dep.Spec.Template.Spec.Containers {
		want, found := local(ctx, ct.Image)
		if !found {
			continue
		}
		for _, pod := range pods.Items {
			if pod.DeletionTimestamp != nil || pod.CreationTimestamp.Time.Before(since.Truncate(time.Second)) {
				continue
			}
			for _, st := range pod.Status.ContainerStatuses {
				if st.Name != ct.Name || st.ImageID == "" || slices.Contains(want, digestOf(st.ImageID)) {
					continue
				}
				stale = append(stale, StaleImage{Deployment: deployment, Pod: pod.Name, Container: ct.Name,
					Image: ct.Image, Running: digestOf(st.ImageID), Local: want[0], Policy: ct.ImagePullPolicy})
			}
		}
	}
	return stale, nil
}

// digestOf returns the sha256:... part of an image ID or a name@digest
// reference.
func digestOf(id string) string {
	if i := strings.LastIndex(id, "@"); i >= 0 {
		id = id[i+1:]
	}
	return strings.TrimPrefix(id, "docker-pullable://")
}

func short(digest string) string {
	if len(digest) > len("sha256:")+12 {
		return digest[:len("sha256:")+12]
	}
	return digest
}
