package kube

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

func storageClass(name string, def bool) *storagev1.StorageClass {
	sc := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if def {
		sc.Annotations = map[string]string{defaultClassAnnotation: "true"}
	}
	return sc
}

func busClaim(phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "event-bus-depl-data", Namespace: "blog"},
		Status:     corev1.PersistentVolumeClaimStatus{Phase: phase},
	}
}

// TestCheckStorage checks that a claim the cluster cannot bind is refused
// with the choices, and that what can be bound, or is bound, passes.
func TestCheckStorage(t *testing.T) {
	tests := []struct {
		name  string
		objs  []runtime.Object
		edit  func(*manifest.Config)
		want  string // part of the error; empty for none
		wantT bool
	}{
		{"no class at all", nil, nil,
			"no --storage-class was given and the cluster has no default StorageClass (classes: none)", true},
		{"classes but no default", []runtime.Object{storageClass("slow", false), storageClass("fast", false)}, nil,
			"give --storage-class fast or --storage-class slow, or keep the log in an emptyDir", true},
		{"a default class", []runtime.Object{storageClass("standard", true)}, nil, "", false},
		{"the class given exists", []runtime.Object{storageClass("fast", false)},
			func(c *manifest.Config) { c.StorageClass = "fast" }, "", false},
		{"the class given does not exist", []runtime.Object{storageClass("standard", true)},
			func(c *manifest.Config) { c.StorageClass = "fast" }, `storage class "fast" does not exist (classes: standard)`, true},
		{"no storage class", nil, func(c *manifest.Config) { c.NoStorageClass = true }, "", false},
		{"the bus runs elsewhere", nil, func(c *manifest.Config) {
			c.ServiceTypes = map[string]corev1.ServiceType{"event-bus": "ExternalName"}
		}, "", false},
		{"a bound claim", []runtime.Object{busClaim(corev1.ClaimBound)}, nil, "", false},
		{"a pending claim", []runtime.Object{busClaim(corev1.ClaimPending)}, nil, "no default StorageClass", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := manifest.DefaultConfig()
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c := &Cluster{Clientset: fake.NewClientset(tt.objs...), Namespace: "blog"}
			err := CheckStorage(t.Context(), c, cfg)
			if got := errors.Is(err, ErrNoStorage); got != tt.wantT || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckStorage() = %v, want ErrNoStorage %v saying %q", err, tt.wantT, tt.want)
			}
		})
	}
}

// TestUpChecksFirst checks that Up says --containerd-address is not
// needed when the cluster advertises its registry, and refuses a claim it
// cannot bind before it changes anything.
func TestUpChecksFirst(t *testing.T) {
	reg := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "local-registry-hosting", Namespace: "kube-public"},
		Data:       map[string]string{"localRegistryHosting.v1": "host: localhost:5001\n"},
	}
	cs := fake.NewClientset(reg)
	var progress strings.Builder
	_, err := Up(t.Context(), UpOptions{
		Cluster:           &Cluster{Clientset: cs, Namespace: "blog", Context: "test"},
		ContainerdAddress: "/run/containerd/containerd.sock",
		Config:            manifest.DefaultConfig(),
		Progress:          &progress,
	})
	if !errors.Is(err, ErrNoStorage) {
		t.Errorf("Up() = %v, want ErrNoStorage", err)
	}
	want := "note: --containerd-address /run/containerd/containerd.sock is not needed: " +
		"the cluster advertises its registry localhost:5001"
	if !strings.Contains(progress.String(), want) {
		t.Errorf("Up() said %q, want %q", progress.String(), want)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() != "get" && a.GetVerb() != "list" {
			t.Errorf("Up() changed the cluster before refusing: %s %s", a.GetVerb(), a.GetResource().Resource)
		}
	}
}
