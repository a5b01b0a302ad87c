package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

const (
	builtID  = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	oldID    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	pushedID = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

func checkDeployment(image string, policy corev1.PullPolicy) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "posts-depl", Namespace: "blog"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "posts"}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "posts", Image: image, ImagePullPolicy: policy},
			}}},
		},
	}
}

// checkPod is a pod as the kubelet reports it: imageID is sha256:<image
// ID> for an image imported into containerd, name@sha256:<digest> for one
// pulled from a registry.
func checkPod(name string, created time.Time, deleting bool, imageID string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "blog", Labels: map[string]string{"app": "posts"},
			CreationTimestamp: metav1.NewTime(created)},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{
			{Name: "posts", Image: "blogctl/posts:latest", ImageID: imageID, Ready: true},
		}},
	}
	if deleting {
		p.DeletionTimestamp = &metav1.Time{Time: created}
	}
	return p
}

func TestCheckRunningImages(t *testing.T) {
	restart := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	before, after := restart.Add(-time.Hour), restart.Add(2*time.Second)
	local := func(_ context.Context, ref string) ([]string, bool) {
		if strings.Contains(ref, "unknown") {
			return nil, false
		}
		return []string{builtID, pushedID}, true
	}
	tests := []struct {
		name     string
		dep      *appsv1.Deployment
		pods     []runtime.Object
		want     []string
		wantText string
	}{
		{"imported image is the one built", checkDeployment("blogctl/posts:latest", corev1.PullNever),
			[]runtime.Object{checkPod("posts-new", after, false, builtID)}, nil, ""},
		{"pulled image has the digest recorded at push",
			checkDeployment("localhost:5001/blogctl/posts:latest", corev1.PullAlways),
			[]runtime.Object{checkPod("posts-new", after, false, "localhost:5001/blogctl/posts@"+pushedID)}, nil, ""},
		{"latest with IfNotPresent kept the old image",
			checkDeployment("blogctl/posts:latest", corev1.PullIfNotPresent),
			[]runtime.Object{checkPod("posts-new", after, false, oldID)}, []string{"posts-new"},
			"kept the image the node already had; use an immutable tag"},
		{"immutable tag whose node image differs",
			checkDeployment("blogctl/posts:sha-0123abcd", corev1.PullNever),
			[]runtime.Object{checkPod("posts-new", after, false, oldID)}, []string{"posts-new"},
			"load or push the image again"},
		{"old and terminating pods are not judged", checkDeployment("blogctl/posts:latest", corev1.PullIfNotPresent),
			[]runtime.Object{checkPod("posts-old", before, false, oldID), checkPod("posts-going", after, true, oldID)},
			nil, ""},
		{"image not on this machine cannot be compared",
			checkDeployment("blogctl/unknown:latest", corev1.PullIfNotPresent),
			[]runtime.Object{checkPod("posts-new", after, false, oldID)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(append(tc.pods, tc.dep)...)
			stale, err := CheckRunningImages(context.Background(), cs, "blog", "posts-depl", restart, local)
			if err != nil {
				t.Fatalf("CheckRunningImages() = %v", err)
			}
			var got []string
			for _, s := range stale {
				got = append(got, s.Pod)
				if !strings.Contains(s.String(), tc.wantText) || !strings.Contains(s.String(), "sha256:222222222222") {
					t.Errorf("StaleImage.String() = %q, want it to contain %q and the running image", s, tc.wantText)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CheckRunningImages() pods mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
