package kube

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestRestartDeployment(t *testing.T) {
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "posts-depl", Namespace: "blog"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"keep": "me"}},
		}},
	}
	cs := fake.NewClientset(dep)
	before := time.Now().Add(-time.Second)

	if err := RestartDeployment(context.Background(), cs, "blog", "posts-depl"); err != nil {
		t.Fatalf("RestartDeployment() = %v, want nil", err)
	}

	// One patch, strategic merge, as kubectl sends it.
	var patches []k8stesting.PatchAction
	for _, a := range cs.Actions() {
		if p, ok := a.(k8stesting.PatchAction); ok {
			patches = append(patches, p)
		}
	}
	if len(patches) != 1 || patches[0].GetPatchType() != "application/strategic-merge-patch+json" {
		t.Fatalf("RestartDeployment() sent %v, want one strategic merge patch", patches)
	}
	got, err := cs.AppsV1().Deployments("blog").Get(context.Background(), "posts-depl", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ann := got.Spec.Template.Annotations
	at, err := time.Parse(time.RFC3339, ann[RestartedAtAnnotation])
	if err != nil || at.Before(before.Truncate(time.Second)) {
		t.Errorf("restartedAt = %q, want the current time in RFC 3339", ann[RestartedAtAnnotation])
	}
	if ann["keep"] != "me" {
		t.Errorf("annotations = %v, want the other annotations kept", ann)
	}
}

func TestRestartDeploymentMissing(t *testing.T) {
	cs := fake.NewClientset()
	err := RestartDeployment(context.Background(), cs, "blog", "posts-depl")
	if err == nil {
		t.Fatal("RestartDeployment() of a missing deployment = nil, want an error")
	}
	if want := "restarting deployment blog/posts-depl: "; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("RestartDeployment() = %q, want it to start with %q", err, want)
	}
}

// Two restarts within one second must both change the template, or the
// second restarts nothing.
func TestRestartedAt(t *testing.T) {
	now := time.Date(2026, 12, 3, 19, 40, 5, 123456789, time.UTC)
	tests := []struct {
		name, current, want string
	}{
		{"first restart", "", "2026-12-03T19:40:05Z"},
		{"after an earlier second", "2026-12-03T19:40:04Z", "2026-12-03T19:40:05Z"},
		{"again in the same second", "2026-12-03T19:40:05Z", "2026-12-03T19:40:05.123456789Z"},
	}
	for _, tt := range tests {
		if got := restartedAt(tt.current, now); got != tt.want {
			t.Errorf("%s: restartedAt(%q) = %q, want %q", tt.name, tt.current, got, tt.want)
		}
	}
}

func TestRestartDeploymentTwiceInOneSecond(t *testing.T) {
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "posts-depl", Namespace: "blog"}}
	cs := fake.NewClientset(dep)
	ctx := context.Background()
	var seen []string
	for range 2 {
		if err := RestartDeployment(ctx, cs, "blog", "posts-depl"); err != nil {
			t.Fatalf("RestartDeployment() = %v, want nil", err)
		}
		got, err := cs.AppsV1().Deployments("blog").Get(ctx, "posts-depl", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, got.Spec.Template.Annotations[RestartedAtAnnotation])
	}
	if seen[0] == seen[1] {
		t.Errorf("two restarts wrote restartedAt %q both times, want the second to differ", seen[0])
	}
}
