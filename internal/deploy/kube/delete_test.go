package kube

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// fakeApplier is an Applier on client-go's fake dynamic client, holding
// objs in namespace blog.
func fakeApplier(objs ...runtime.Object) *Applier {
	kinds := map[string]string{"ingresses": "Ingress", "services": "Service", "deployments": "Deployment",
		"statefulsets": "StatefulSet", "persistentvolumeclaims": "PersistentVolumeClaim", "configmaps": "ConfigMap"}
	gvrs := map[schema.GroupVersionResource]string{}
	mapper := meta.NewDefaultRESTMapper(nil)
	for _, r := range managedResources {
		gvr := schemaGVR(r.group, r.version, r.resource)
		kind := kinds[r.resource]
		gvrs[gvr] = kind + "List"
		mapper.Add(gvr.GroupVersion().WithKind(kind), meta.RESTScopeNamespace)
	}
	return &Applier{
		Dynamic:   dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), gvrs, objs...),
		Mapper:    mapper,
		Namespace: "blog",
	}
}

func object(apiVersion, kind, name string, managed bool) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	u.SetNamespace("blog")
	if managed {
		u.SetLabels(map[string]string{ManagedByLabel: ManagedByValue})
	}
	return u
}

// TestDeleteAlreadyGone checks that deleting an object that is not there
// says so, as kubectl would, and is not an error: delete -f twice is
// harmless.
func TestDeleteAlreadyGone(t *testing.T) {
	a := fakeApplier(object("v1", "Service", "posts-srv", true))
	objs := []manifest.Object{
		{Path: "posts.yaml", Unstructured: object("v1", "Service", "posts-srv", true)},
		{Path: "posts.yaml", Unstructured: object("apps/v1", "Deployment", "posts-depl", true)},
	}
	got, err := a.Delete(context.Background(), objs)
	if err != nil {
		t.Fatalf("Delete = %v", err)
	}
	var lines []string
	for _, r := range got {
		lines = append(lines, r.String())
	}
	want := []string{"service/posts-srv deleted", "deployment.apps/posts-depl not found"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("Delete results (-want +got):\n%s", diff)
	}
}

// TestDeleteManagedKeepsClaims checks that down deletes what blogctl
// applied and nothing else, and keeps the bus's claim unless asked.
func TestDeleteManagedKeepsClaims(t *testing.T) {
	for _, withClaims := range []bool{false, true} {
		a := fakeApplier(
			object("v1", "Service", "posts-srv", true),
			object("apps/v1", "Deployment", "posts-depl", true),
			object("v1", "PersistentVolumeClaim", "event-bus-depl-data", true),
			object("v1", "ConfigMap", "someone-elses", false),
		)
		got, kept, err := a.DeleteManaged(context.Background(), withClaims)
		if err != nil {
			t.Fatalf("DeleteManaged(%t) = %v", withClaims, err)
		}
		var lines []string
		for _, r := range got {
			lines = append(lines, r.String())
		}
		want := []string{"service/posts-srv deleted", "deployment.apps/posts-depl deleted"}
		wantKept := []string{"persistentvolumeclaim/event-bus-depl-data"}
		if withClaims {
			want, wantKept = append(want, "persistentvolumeclaim/event-bus-depl-data deleted"), nil
		}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("DeleteManaged(%t) results (-want +got):\n%s", withClaims, diff)
		}
		if diff := cmp.Diff(wantKept, kept); diff != "" {
			t.Errorf("DeleteManaged(%t) kept (-want +got):\n%s", withClaims, diff)
		}
		cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
		if _, err := a.Dynamic.Resource(cms).Namespace("blog").Get(context.Background(), "someone-elses", metav1.GetOptions{}); err != nil {
			t.Errorf("DeleteManaged(%t) removed a config map blogctl did not apply: %v", withClaims, err)
		}
	}
}
