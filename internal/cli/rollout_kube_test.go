//go:build !serveonly

package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/blogctl/blogctl/internal/testenv"
)

// TestRolloutStatusImageNowhere runs "blogctl rollout status" on the test
// cluster for a deployment whose image is neither in the node nor on this
// machine: the diagnosis says to build it first and promises no automatic
// fix that "blogctl doctor --fix" would refuse.
func TestRolloutStatusImageNowhere(t *testing.T) {
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"source the test cluster's env file, which sets BLOGCTL_TEST_KUBECONFIG")
	ns := testNamespace(t, kubeconfig, kctx)
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kctx}).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "posts", "app.kubernetes.io/name": "posts", "app.kubernetes.io/part-of": "blog"}
	img := fmt.Sprintf("blogctl-test/nowhere:sha-%d", time.Now().UnixNano()%1000000)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "posts-depl", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "posts"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "posts", Image: img, ImagePullPolicy: corev1.PullNever},
				}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment posts-depl: %v", err)
	}

	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"rollout", "status", "posts", "--timeout", "2m",
		"--kubeconfig", kubeconfig, "--context", kctx, "-n", ns})
	err = cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "ErrImageNeverPull") {
		t.Fatalf("blogctl rollout status = %v, want an ErrImageNeverPull failure", err)
	}
	if strings.Contains(errOut.String(), "can apply this fix") || !strings.Contains(errOut.String(), "docker build -t "+img) {
		t.Errorf("blogctl rollout status printed %q, want it to say to build the image first, "+
			"and no automatic fix", errOut.String())
	}
}
