package tui_test

import (
	"context"
	"fmt"
	"regexp"
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

// TestKubeDashboard runs the dashboard against the test cluster in an
// 80x24 terminal, with a deployment whose image is not on the node: its pod
// shows ErrImageNeverPull (or ImagePullBackOff), the doctor explains it,
// and a post created through a local system's API appears in the blog
// events pane, read from its bus with --event-bus-url.
func TestKubeDashboard(t *testing.T) {
	needTmux(t)
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"start it with test/cluster/up, which writes BLOGCTL_TEST_KUBECONFIG to its env file")
	cs := clusterClient(t, kubeconfig, kctx)
	ns := brokenDeployment(t, cs)

	bin := blogctl(t)
	sys := startLocal(t, bin)
	busURL := localBusURL(t, sys.dataDir)

	term := startTerminal(t, 80, 24, bin, "tui", "--kubeconfig", kubeconfig, "--context", kctx,
		"-n", ns, "--event-bus-url", busURL)
	// Wait for the pod's own row: the events pane names the failure about a
	// second before the kubelet writes it into the pod's status, and the
	// doctor judges the status.
	screen := term.waitFor("the pod failing to get its image", 90*time.Second, func(s string) bool {
		return failingPodRow.MatchString(s)
	})
	if !strings.Contains(screen, "broken-depl") {
		t.Errorf("the screen lacks deployment broken-depl:\n%s", screen)
	}
	checkFits(t, screen, 80, 24)

	// The pods pane is second; its only pod is selected.
	term.send("Tab", "d")
	term.waitForText("Diagnosis of pod broken-depl-", 10*time.Second)
	term.waitFor("the doctor's finding", 30*time.Second, func(s string) bool {
		// The finding wraps where the pod's name makes it: read it as one line.
		s = strings.Join(strings.Fields(s), " ")
		return strings.Contains(s, "Cause:")
	})
	term.send("Escape")
	// Wait for the dashboard: an escape followed at once by a key reads as
	// alt and that key.
	term.waitForText("Blog events", 5*time.Second)

	// The doctor's fix runs for real and fails, with its reason on the
	// screen: no manifest files are there to fix.
	term.send("f")
	term.waitForText("Apply the doctor's safe fix to pod broken-depl-", 5*time.Second)
	term.send("y")
	term.waitForText("ERROR ", 60*time.Second)
	// An error too long for the footer opens in full; escape closes it.
	term.send("Escape")
	term.waitForText("Blog events", 5*time.Second)

	// A rollout restart after its confirmation.
	term.send("BTab")
	term.send("r")
	term.waitForText("Restart the rollout of deployment broken-depl? [y/N]", 5*time.Second)
	term.send("y")
	term.waitForText("restarted the rollout of deployment broken-depl", 10*time.Second)
	dep, err := cs.AppsV1().Deployments(ns).Get(t.Context(), "broken-depl", metav1.GetOptions{})
	if err != nil || dep.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
		t.Errorf("deployment broken-depl has no restartedAt annotation after r, y (%v)", err)
	}

	title := createPost(t, sys.gateway)
	term.waitForText(title, 10*time.Second)

	term.send("q")
	term.waitFor("the dashboard to exit", 5*time.Second, func(string) bool { return term.dead() })
}

// failingPodRow matches the pods pane's row of a broken-depl pod that
// cannot get its image.
var failingPodRow = regexp.MustCompile(`(?m)^\s*>?\s*broken-depl-[a-z0-9]+-[a-z0-9]+\s+0/1\s+(ErrImageNeverPull|ImagePullBackOff)\s`)

func clusterClient(t *testing.T, kubeconfig, kctx string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kctx}).ClientConfig()
	if err != nil {
		t.Fatalf("loading the test cluster's kubeconfig %s: %v", kubeconfig, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestKubeEmptyNamespace runs the dashboard on a namespace with nothing
// in it: the panes say that it has no deployments and no pods, and the
// banner says that there is no event bus, not that a connection was lost.
func TestKubeEmptyNamespace(t *testing.T) {
	needTmux(t)
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"start it with test/cluster/up, which writes BLOGCTL_TEST_KUBECONFIG to its env file")
	ns := emptyNamespace(t, clusterClient(t, kubeconfig, kctx))
	bin := blogctl(t)

	term := startTerminal(t, 160, 50, bin, "tui", "--kubeconfig", kubeconfig, "--context", kctx, "-n", ns)
	for _, want := range []string{"no deployments in namespace " + ns, "no pods in namespace " + ns,
		"no event bus in namespace " + ns} {
		term.waitForText(want, 30*time.Second)
	}
	screen := term.waitForText("blog events will show once it is deployed", 5*time.Second)
	if strings.Contains(screen, "CONNECTION LOST") || strings.Contains(screen, "waiting for the cluster") {
		t.Errorf("an empty namespace shows as lost or waiting:\n%s", screen)
	}
	checkFits(t, screen, 160, 50)
	term.send("q")
	term.waitFor("the dashboard to exit", 5*time.Second, func(string) bool { return term.dead() })
}

// emptyNamespace creates a namespace and deletes it at the end of the
// test.
func emptyNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ctx := t.Context()
	ns := fmt.Sprintf("blogctl-tui-test-%d", time.Now().UnixNano()%1000000)
	_, err := cs.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return ns
}

// brokenDeployment creates a namespace with one deployment whose image
// was never built, with imagePullPolicy Never, and deletes the namespace
// at the end of the test.
func brokenDeployment(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ctx := t.Context()
	ns := emptyNamespace(t, cs)

	labels := map[string]string{"app": "broken"}
	one := int32(1)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "broken-depl", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "broken", Image: "blogctl/never-built:none", ImagePullPolicy: corev1.PullNever,
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment broken-depl: %v", err)
	}
	return ns
}
