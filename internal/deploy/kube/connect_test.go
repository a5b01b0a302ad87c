package kube

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const testKubeconfig = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: blog}
- name: other
  context: {cluster: dev, user: dev}
users:
- name: dev
  user: {token: abc}
`

func writeKubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(testKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConnect(t *testing.T) {
	path := writeKubeconfig(t)
	tests := []struct {
		name    string
		opts    ConnectOptions
		context string
		ns      string
		wantErr string
	}{
		{"current context", ConnectOptions{Kubeconfig: path}, "dev", "blog", ""},
		{"context given", ConnectOptions{Kubeconfig: path, Context: "other"}, "other", "default", ""},
		{"namespace given", ConnectOptions{Kubeconfig: path, Namespace: "x"}, "dev", "x", ""},
		{"missing context", ConnectOptions{Kubeconfig: path, Context: "prod"}, "", "",
			`context "prod" is not in ` + path},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Connect(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Connect() = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect() = %v, want nil", err)
			}
			if c.Context != tc.context || c.Namespace != tc.ns || c.Server != "https://127.0.0.1:1" {
				t.Errorf("Connect() = context %q namespace %q server %q, want %q %q https://127.0.0.1:1",
					c.Context, c.Namespace, c.Server, tc.context, tc.ns)
			}
		})
	}
}

// TestConnectWithoutKubeconfig checks what a new machine with no
// kubeconfig gets, with no --context or with one: the way to name a
// cluster's file, and the target that needs none.
func TestConnectWithoutKubeconfig(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", empty)
	const want = "found no cluster: the kubeconfig ($KUBECONFIG or ~/.kube/config) names no context, " +
		"or does not exist: name your cluster's file with --kubeconfig or $KUBECONFIG, or run the " +
		"system without a cluster with --target local"
	for _, name := range []string{"", "prod"} {
		if _, err := Connect(ConnectOptions{Context: name}); err == nil || err.Error() != want {
			t.Errorf("Connect(context %q) = %v, want %q", name, err, want)
		}
	}
}

func TestCheckUnreachable(t *testing.T) {
	c, err := Connect(ConnectOptions{Kubeconfig: writeKubeconfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Check(context.Background())
	want := `cannot reach the cluster of context "dev" (server https://127.0.0.1:1)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Check() = %v, want an error containing %q", err, want)
	}
}

// A rollout that ran out of time names the cluster it waited on.
func TestExplainRolloutTimeout(t *testing.T) {
	c := &Cluster{Context: "dev", Server: "https://k8s.example:6443"}
	err := c.Explain(&RolloutError{Deployment: "posts-depl", Err: ErrRolloutTimeout})
	var re *RolloutError
	if !errors.Is(err, ErrRolloutTimeout) || !errors.As(err, &re) {
		t.Errorf("Explain() lost the rollout error: %v", err)
	}
	for _, want := range []string{"posts-depl", `context "dev"`, "https://k8s.example:6443"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Explain() = %q, want it to contain %q", err, want)
		}
	}
}

func TestExplainForbidden(t *testing.T) {
	c := &Cluster{Context: "dev", Server: "https://k8s.example:6443"}
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "deployments"}, "posts-depl",
		errors.New(`User "dev" cannot get resource "deployments"`))
	err := c.Explain(forbidden)
	if !apierrors.IsForbidden(err) {
		t.Errorf("Explain() lost the API error: %v", err)
	}
	for _, want := range []string{`context "dev"`, "https://k8s.example:6443", "--context"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Explain() = %q, want it to contain %q", err, want)
		}
	}
}
