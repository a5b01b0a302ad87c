package kube

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

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
		{"written again unchanged", obj("1", "a"), obj("2", "a"), Unchanged},
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

// TestResultString checks kubectl's wording: the lowercase kind with its
// group, not the resource.
func TestResultString(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Kind: "Service", Resource: "services", Name: "client-srv", Action: Created}, "service/client-srv created"},
		{Result{Kind: "Deployment", Group: "apps", Resource: "deployments", Name: "posts-depl", Action: Configured},
			"deployment.apps/posts-depl configured"},
		{Result{Kind: "Ingress", Group: "networking.k8s.io", Name: "ingress-srv", Action: Unchanged},
			"ingress.networking.k8s.io/ingress-srv unchanged"},
		{Result{Kind: "PersistentVolumeClaim", Name: "event-bus-depl-data", Action: Deleted},
			"persistentvolumeclaim/event-bus-depl-data deleted"},
		{Result{Kind: "ConfigMap", Name: "c", Action: Created, Note: "not checked"}, "configmap/c created (not checked)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

// TestJoinRefusals checks that objects the server forbade make one error,
// which is still a Forbidden error, beside the other failures.
func TestJoinRefusals(t *testing.T) {
	objs := make([]manifest.Object, 3)
	for i, name := range []string{"a", "b", "c"} {
		u := &unstructured.Unstructured{}
		u.SetKind("Service")
		u.SetName(name)
		objs[i] = manifest.Object{Unstructured: u}
	}
	gr := schema.GroupResource{Resource: "services"}
	forbid := func(name string) error {
		return fmt.Errorf("applying %s: %w", name, apierrors.NewForbidden(gr, name, errors.New("no rights")))
	}
	err := joinRefusals([]error{forbid("a"), errors.New("bad c"), forbid("c")}, objs)
	if !apierrors.IsForbidden(err) {
		t.Errorf("joinRefusals() = %v, want a Forbidden error", err)
	}
	msg := err.Error()
	if strings.Count(msg, "no rights") != 1 || !strings.Contains(msg, "Service/a, Service/c") ||
		!strings.Contains(msg, "bad c") {
		t.Errorf("joinRefusals() = %q, want one refusal naming Service/a and Service/c, and bad c", msg)
	}
	many := make([]manifest.Object, 6)
	errs := make([]error, 6)
	for i := range many {
		many[i] = objs[0]
		errs[i] = forbid("a")
	}
	if msg := joinRefusals(errs, many).Error(); !strings.Contains(msg, "6 objects (Service/a, Service/a, Service/a and 3 more)") {
		t.Errorf("joinRefusals() of 6 refusals = %q, want the first three named and 3 more", msg)
	}
	if joinRefusals([]error{nil, nil, nil}, objs) != nil {
		t.Error("joinRefusals() of no failure is not nil")
	}
}
