package kube

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

func TestAction(t *testing.T) {
	obj := func(rv, image string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": "posts-depl", "resourceVersion": rv,
				"managedFields": []any{map[string]any{"manager": rv}}},
			"spec":   map[string]any{"image": image},
			"status": map[string]any{"replicas": rv},
		}}
		return u
	}
	tests := []struct {
		name          string
		live, applied *unstructured.Unstructured
		want          string
	}{
		{"new object", nil, obj("1", "a"), Created},
		{"new resource version", obj("1", "a"), obj("2", "b"), Configured},
		{"same object", obj("1", "a"), obj("1", "a"), Unchanged},
		{"dry run of a change keeps the version", obj("1", "a"), obj("1", "b"), Configured},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := action(tc.live, tc.applied); got != tc.want {
				t.Errorf("action() = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestInstallOrder(t *testing.T) {
	var objs []manifest.Object
	for _, kind := range []string{"Deployment", "Service", "Ingress", "Deployment", "PersistentVolumeClaim", "Service"} {
		u := &unstructured.Unstructured{}
		u.SetKind(kind)
		u.SetName(kind + fmt.Sprint(len(objs)))
		objs = append(objs, manifest.Object{Unstructured: u})
	}
	var got []string
	for _, o := range installOrder(objs) {
		got = append(got, o.GetName())
	}
	want := []string{"PersistentVolumeClaim4", "Service1", "Service5", "Deployment0", "Ingress2", "Deployment3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("installOrder() mismatch (-want +got):\n%s", diff)
	}
}
