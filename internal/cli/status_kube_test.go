//go:build !serveonly

package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/blogctl/blogctl/internal/testenv"
)

// TestKubeStatusEmpty runs "blogctl status" on the test cluster: an empty
// namespace says "No resources found" on stderr and nothing on stdout,
// its JSON has empty lists, and a namespace that does not exist fails
// saying so.
func TestKubeStatusEmpty(t *testing.T) {
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"source the test cluster's env file, which sets BLOGCTL_TEST_KUBECONFIG")
	ns := testNamespace(t, kubeconfig, kctx)
	base := []string{"status", "--target", "kubernetes", "--kubeconfig", kubeconfig, "--context", kctx}
	tests := []struct {
		name             string
		args             []string
		wantOut, wantErr string
		wantFail         bool
	}{
		{"text", []string{"-n", ns}, "", "No resources found in namespace " + ns + ".\n", false},
		{"json", []string{"-n", ns, "-o", "json"}, `"pods": []`, "", false},
		{"no namespace", []string{"-n", ns + "-nope"}, "", `namespace "` + ns + `-nope" does not exist`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			cmd.SetArgs(append(base, tt.args...))
			err := cmd.Execute()
			if (err != nil) != tt.wantFail {
				t.Fatalf("blogctl %v: error %v, want failure %v", tt.args, err, tt.wantFail)
			}
			stderr := errOut.String()
			if err != nil {
				stderr = err.Error()
			}
			if tt.wantOut == "" && out.Len() > 0 || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("blogctl %v wrote %q on stdout, want %q", tt.args, out.String(), tt.wantOut)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("blogctl %v said %q, want %q", tt.args, stderr, tt.wantErr)
			}
		})
	}
}

// testNamespace creates an empty namespace on the test cluster and deletes
// it at the end of the test.
func testNamespace(t *testing.T, kubeconfig, kctx string) string {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kctx}).ClientConfig()
	if err != nil {
		t.Fatalf("loading the test cluster's kubeconfig: %v", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := fmt.Sprintf("blogctl-status-test-%d", time.Now().UnixNano()%1000000)
	_, err = cs.CoreV1().Namespaces().Create(t.Context(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return ns
}
