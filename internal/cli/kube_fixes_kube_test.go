//go:build !serveonly

package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/blogctl/blogctl/internal/testenv"
)

// testCluster is the test cluster's kubeconfig and context, and a client.
type testCluster struct {
	kubeconfig, context string
	cs                  kubernetes.Interface
}

func needTestCluster(t *testing.T) *testCluster {
	t.Helper()
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"source the test cluster's env file, which sets BLOGCTL_TEST_KUBECONFIG")
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
	return &testCluster{kubeconfig: kubeconfig, context: kctx, cs: cs}
}

// run runs blogctl with the cluster flags and returns stdout and stderr.
func (c *testCluster) run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(append(args, "--kubeconfig", c.kubeconfig, "--context", c.context))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// missingNamespace returns a namespace name that does not exist, and
// deletes it at the end of the test should a command create it.
func (c *testCluster) missingNamespace(t *testing.T) string {
	ns := fmt.Sprintf("blogctl-cli-test-%d", time.Now().UnixNano()%1000000)
	t.Cleanup(func() {
		_ = c.cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return ns
}

func (c *testCluster) namespaceExists(t *testing.T, ns string) bool {
	_, err := c.cs.CoreV1().Namespaces().Get(t.Context(), ns, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// writeManifests writes the system's manifests for the tests to apply.
func writeManifests(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "k8s")
	var out bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
	cmd.SetArgs([]string{"manifests", "--out", dir, "--no-storage-class"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("blogctl manifests: %v: %s", err, out.String())
	}
	return dir
}

// TestDoctorNoNamespace checks that the doctor fails on a namespace that
// does not exist, as status does, instead of calling every pod ready.
func TestDoctorNoNamespace(t *testing.T) {
	c := needTestCluster(t)
	ns := c.missingNamespace(t)
	out, _, err := c.run(t, "doctor", "-n", ns)
	if err == nil || !strings.Contains(err.Error(), `namespace "`+ns+`" does not exist`) {
		t.Errorf("blogctl doctor -n %s = %v (stdout %q), want namespace does not exist", ns, err, out)
	}
	if strings.Contains(out, "is ready") {
		t.Errorf("blogctl doctor -n %s printed %q, a false all-clear", ns, out)
	}
}

// TestApplyNamespace checks that apply prints the namespace it creates
// first, that a server dry run into a missing namespace says what it could
// not check and creates nothing, and that rollout fails at once for
// deployments that do not exist.
func TestApplyNamespace(t *testing.T) {
	c := needTestCluster(t)
	dir := writeManifests(t)
	ns := c.missingNamespace(t)

	out, errOut, err := c.run(t, "apply", "-f", filepath.Join(dir, "posts.yaml"), "--dry-run=server", "-n", ns)
	if err != nil {
		t.Fatalf("blogctl apply --dry-run=server -n %s = %v: %s", ns, err, errOut)
	}
	wantDry := "namespace/" + ns + " created (server dry run)\n" +
		"service/posts-clusterip-srv created (server dry run; unchecked until namespace " + ns + " exists)\n"
	if !strings.HasPrefix(out, wantDry) || !strings.Contains(errOut, "the real apply creates it first") {
		t.Errorf("blogctl apply --dry-run=server printed %q and %q, want %q first and a note", out, errOut, wantDry)
	}
	if c.namespaceExists(t, ns) {
		t.Fatalf("a server dry run created namespace %s", ns)
	}

	out, errOut, err = c.run(t, "apply", "-f", filepath.Join(dir, "posts.yaml"), "-n", ns)
	if err != nil {
		t.Fatalf("blogctl apply -n %s = %v: %s", ns, err, errOut)
	}
	want := "namespace/" + ns + " created\n" +
		"service/posts-clusterip-srv created\ndeployment.apps/posts-depl created\n"
	if out != want {
		t.Errorf("blogctl apply -n %s printed %q, want %q", ns, out, want)
	}

	// The timeout is long: a rollout that waited for the deployment to
	// appear would end the test by its own deadline.
	_, _, err = c.run(t, "rollout", "status", "posts", "query", "--timeout", "10m", "-n", ns)
	wantErr := "deployment query-depl not found in namespace " + ns +
		"; the blog system's deployments there: posts-depl"
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("blogctl rollout status posts query = %v, want %q", err, wantErr)
	}
	_, _, err = c.run(t, "rollout", "-n", ns, "restart", "client")
	if err == nil || !strings.Contains(err.Error(), "deployment client-depl not found") {
		t.Errorf("blogctl rollout -n %s restart client = %v, want client-depl not found", ns, err)
	}
}

// TestUpStorageCheck checks that up refuses, before it changes anything,
// a claim the test cluster cannot bind: it has no default StorageClass,
// and no class of the name given. Other tests may add classes meanwhile,
// but not a default one.
func TestUpStorageCheck(t *testing.T) {
	c := needTestCluster(t)
	classes, err := c.cs.StorageV1().StorageClasses().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hasDefault := slices.ContainsFunc(classes.Items, func(sc storagev1.StorageClass) bool {
		return sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true"
	})
	testenv.Need(t, !hasDefault, "a cluster with no default StorageClass",
		"the test cluster has none unless one was added: remove its default annotation")
	ns := c.missingNamespace(t)
	dir := filepath.Join(t.TempDir(), "k8s")
	missing := fmt.Sprintf("blogctl-cli-test-none-%d", time.Now().UnixNano()%1000000)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no class given", nil, "no --storage-class was given and the cluster has no default StorageClass"},
		{"a class that does not exist", []string{"--storage-class", missing},
			fmt.Sprintf("storage class %q does not exist", missing)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"up", "--target", "kubernetes", "-n", ns, "--manifests-dir", dir}, tt.args...)
			_, errOut, err := c.run(t, args...)
			msg := fmt.Sprint(err)
			if err == nil || !strings.Contains(msg, tt.want) || !strings.Contains(msg, "nothing was changed") ||
				!strings.Contains(msg, "--no-storage-class") {
				t.Fatalf("blogctl %s = %v (stderr %q), want %q, nothing changed and the choices",
					strings.Join(args, " "), err, errOut, tt.want)
			}
			if c.namespaceExists(t, ns) {
				t.Errorf("the refused up created namespace %s", ns)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the refused up wrote %s", dir)
			}
		})
	}
}
