package kube

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestStatusText(t *testing.T) {
	created := "2026-12-03T16:00:00Z"
	var objs []runtime.Object
	dep := &appsv1.Deployment{}
	decodeInto(`
metadata: {name: posts-depl, namespace: blog, labels: {app.kubernetes.io/part-of: blog}, creationTimestamp: "`+created+`"}
spec: {replicas: 1}
status: {readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1}
`, dep)
	objs = append(objs, dep)
	for _, i := range []int{0, 2, 4} {
		tc := podStatusCases[i]
		pod := &corev1.Pod{}
		decodeInto(tc.pod, pod)
		pod.Name, pod.Namespace = "posts-depl-"+strings.ToLower(tc.status), "blog"
		pod.CreationTimestamp = dep.CreationTimestamp
		pod.Labels = map[string]string{"app.kubernetes.io/part-of": "blog"}
		objs = append(objs, pod)
	}
	svc := &corev1.Service{}
	decodeInto(`
metadata: {name: posts-srv, namespace: blog, labels: {app.kubernetes.io/part-of: blog}}
spec: {type: NodePort, clusterIP: 10.96.0.20, ports: [{port: 4000, nodePort: 30080, protocol: TCP}]}
`, svc)
	objs = append(objs, svc)

	st, err := GetStatus(context.Background(), fake.NewClientset(objs...), "blog")
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.Parse(time.RFC3339, "2026-12-03T16:05:00Z")
	got := st.Text(now)
	golden := filepath.Join("testdata", "status.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading %s (run with -update to create it): %v", golden, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Status.Text() mismatch (-want +got):\n%s", diff)
	}
}

// TestStatusTextSkipsEmptyKinds checks that a kind with no objects gets
// no table, not a header alone, as in kubectl get all.
func TestStatusTextSkipsEmptyKinds(t *testing.T) {
	svc := &corev1.Service{}
	decodeInto(`
metadata: {name: bus-srv, namespace: blog, labels: {app.kubernetes.io/part-of: blog}}
spec: {type: ExternalName, externalName: bus.example.com}
`, svc)
	st, err := GetStatus(context.Background(), fake.NewClientset(svc), "blog")
	if err != nil {
		t.Fatal(err)
	}
	got := st.Text(time.Now())
	if strings.Contains(got, "DEPLOYMENT") || strings.Contains(got, "POD") || !strings.Contains(got, "bus-srv") {
		t.Errorf("Status.Text() of a namespace with one service =\n%s\nwant its table alone", got)
	}
}

// TestStatusEmpty checks that an empty namespace gives an empty status
// whose lists encode as [] (not null), and that a namespace that does not
// exist says so.
func TestStatusEmpty(t *testing.T) {
	ns := &corev1.Namespace{}
	ns.Name = "default"
	cs := fake.NewClientset(ns)
	tests := []struct {
		namespace string
		wantJSON  string
		wantErr   string
	}{
		{namespace: "default",
			wantJSON: `{"namespace":"default","deployments":[],"pods":[],"services":[]}`},
		{namespace: "nope", wantErr: `namespace "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.namespace, func(t *testing.T) {
			st, err := GetStatus(context.Background(), cs, tt.namespace)
			if tt.wantErr != "" {
				var nn *NoNamespaceError
				if !errors.As(err, &nn) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("GetStatus(%q) error = %v, want %q", tt.namespace, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantJSON, string(b)); diff != "" || !st.Empty() {
				t.Errorf("empty %v, JSON (-want +got):\n%s", st.Empty(), diff)
			}
		})
	}
}

// TestStatusAllNamespaces checks that every namespace is read and that
// the tables then name each row's namespace.
func TestStatusAllNamespaces(t *testing.T) {
	var objs []runtime.Object
	for _, ns := range []string{"blog", "staging"} {
		pod := &corev1.Pod{}
		pod.Name, pod.Namespace = "posts-depl-1", ns
		pod.Labels = map[string]string{"app.kubernetes.io/part-of": "blog"}
		objs = append(objs, pod)
	}
	st, err := GetStatus(context.Background(), fake.NewClientset(objs...), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(st.Text(time.Now()), "\n") {
		if f := strings.Fields(line); len(f) > 1 && (f[1] == "POD" || strings.HasPrefix(f[1], "posts-depl")) {
			got = append(got, f[0]+" "+f[1])
		}
	}
	want := []string{"NAMESPACE POD", "blog posts-depl-1", "staging posts-depl-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pods across namespaces (-want +got):\n%s", diff)
	}
}
