package kube

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// registryConfigMap is KEP-1755's ConfigMap as kind's documentation and
// the test cluster write it.
func registryConfigMap(value string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "local-registry-hosting", Namespace: "kube-public"},
		Data:       map[string]string{"localRegistryHosting.v1": value},
	}
}

func TestDetectTarget(t *testing.T) {
	tests := []struct {
		name       string
		context    string
		containerd string
		objs       []runtime.Object
		want       Target
	}{
		{"remote", "prod", "", nil, Target{Kind: Remote}},
		{"docker desktop", "docker-desktop", "", nil, Target{Kind: DockerDesktop}},
		{"kind", "kind-blog", "", nil, Target{Kind: Kind, Name: "blog"}},
		{"k3d", "k3d-dev", "", nil, Target{Kind: K3d, Name: "dev"}},
		{"minikube", "minikube", "", nil, Target{Kind: Minikube, Name: "minikube"}},
		{"containerd socket given", "blogctl-test", "/run/containerd.sock", nil,
			Target{Kind: Containerd, ContainerdAddress: "/run/containerd.sock"}},
		{"advertised registry", "blogctl-test", "", []runtime.Object{registryConfigMap(
			"host: \"localhost:5001\"\nhelp: \"https://kind.sigs.k8s.io/docs/user/local-registry/\"\n")},
			Target{Kind: Containerd, RegistryPush: "localhost:5001", RegistryPull: "localhost:5001"}},
		{"kind with a registry the node names otherwise", "kind-blog", "", []runtime.Object{registryConfigMap(
			"host: localhost:5001\nhostFromContainerRuntime: kind-registry:5000\n")},
			Target{Kind: Kind, Name: "blog", RegistryPush: "localhost:5001", RegistryPull: "kind-registry:5000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cluster{Clientset: fake.NewClientset(tc.objs...), Context: tc.context}
			got, err := c.DetectTarget(context.Background(), tc.containerd)
			if err != nil {
				t.Fatalf("DetectTarget() = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DetectTarget() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShipperPlan(t *testing.T) {
	reg := &Shipper{Target: Target{Kind: Kind, RegistryPush: "localhost:5001", RegistryPull: "kind-registry:5000"}}
	prefix, policy := reg.Plan("cygnet")
	if prefix != "localhost:5001/cygnet" || policy != corev1.PullIfNotPresent {
		t.Errorf("Plan(cygnet) = %s, %s, want localhost:5001/cygnet, IfNotPresent", prefix, policy)
	}
	if got := reg.PullRef("localhost:5001/cygnet/posts:sha-1"); got != "kind-registry:5000/cygnet/posts:sha-1" {
		t.Errorf("PullRef() = %s, want the node's name of the registry", got)
	}
	const digest = "sha256:a0e9441ee0a9a591f1a35e30429f91b667a8e7ea362205945155d8fb4220aee5"
	if got, want := reg.Pinned("localhost:5001/cygnet/posts:sha-1", digest),
		"kind-registry:5000/cygnet/posts:sha-1@"+digest; got != want {
		t.Errorf("Pinned() = %s, want %s", got, want)
	}
	if got := reg.Pinned("localhost:5001/cygnet/posts:sha-1", ""); got != "kind-registry:5000/cygnet/posts:sha-1" {
		t.Errorf("Pinned() with no digest (a loaded image) = %s, want the tag alone", got)
	}
	for _, ref := range []string{"localhost:5001/cygnet/posts:sha-1", "localhost:5001/cygnet/posts:sha-1@" + digest,
		"localhost:5001/cygnet/posts"} {
		if prefix, service := splitRef(ref); prefix != "localhost:5001/cygnet" || service != "posts" {
			t.Errorf("splitRef(%s) = %s, %s, want localhost:5001/cygnet, posts", ref, prefix, service)
		}
	}
	desktop := &Shipper{Target: Target{Kind: DockerDesktop}}
	if _, policy := desktop.Plan("blogctl"); policy != corev1.PullNever {
		t.Errorf("Plan() on Docker Desktop = %s, want Never", policy)
	}
}
