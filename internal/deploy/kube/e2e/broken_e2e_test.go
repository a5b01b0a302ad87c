package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// brokenDeployment is a Deployment of one blog-labelled pod running image.
func brokenDeployment(name, image, policy string) string {
	return `# A deployment whose image is missing, for the doctor.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `-depl
  labels: {app: ` + name + `, app.kubernetes.io/part-of: blog}
spec:
  replicas: 1
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata:
      labels: {app: ` + name + `, app.kubernetes.io/name: ` + name + `, app.kubernetes.io/part-of: blog}
    spec:
      containers:
        - name: ` + name + `
          image: ` + image + `
          imagePullPolicy: ` + policy + `
          ports: [{name: http, containerPort: 4000}]
          readinessProbe: {httpGet: {path: /readyz, port: http}, periodSeconds: 1}
`
}

func writeManifest(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func testNeverPull(t *testing.T, c *cluster, dir string) {
	img := "blogctl-e2e/broken:sha-" + randomHex(4)
	file := writeManifest(t, dir, "broken", brokenDeployment("broken", img, "Never"))

	// The rollout stops with the diagnosis.
	_, errOut, err := c.blogctl(t, "apply", "-f", file, "--wait", "--timeout", "2m")
	if err == nil || !strings.Contains(err.Error(), "ErrImageNeverPull") {
		t.Fatalf("blogctl apply --wait = %v, want an ErrImageNeverPull failure", err)
	}
	// The image is on this machine neither: like the doctor, apply says to
	// build it first, and promises no automatic fix.
	if !strings.Contains(errOut, "fix: ") || !strings.Contains(errOut, "docker build -t "+img) ||
		strings.Contains(errOut, "can apply this fix") {
		t.Errorf("blogctl apply --wait printed %q, want the fix: build the image first, and no automatic fix", errOut)
	}
	out, _, err := c.blogctl(t, "doctor", "--manifests-dir", dir, "--containerd-address", c.containerd)
	if err == nil || !strings.Contains(out, "ErrImageNeverPull") || !strings.Contains(out, "fix:") {
		t.Errorf("blogctl doctor = %q, %v, want the ErrImageNeverPull finding and exit 1", out, err)
	}
	// The image is on this machine neither: the doctor says to build it
	// first, and promises no automatic fix that --fix would refuse.
	if strings.Contains(out, "can apply this fix") || !strings.Contains(out, "docker build -t "+img) {
		t.Errorf("blogctl doctor = %q, want it to say to build the image first, and no automatic fix", out)
	}

	// The image now exists on this machine but not in the node: apply
	// names the doctor command that loads it, and that command does.
	dockerBuildFrom(t, deploymentImage(t, c, "posts-depl"), img)
	_, errOut, err = c.blogctl(t, "apply", "-f", file, "--wait", "--timeout", "2m",
		"--containerd-address", c.containerd)
	// The command carries the cluster flags, as it must run as printed.
	fixCmd := "blogctl doctor --fix --manifests-dir " + dir + " --containerd-address " + c.containerd +
		" -n " + c.namespace + " --context " + c.context + " --kubeconfig " + c.kubeconfig
	if err == nil || !strings.Contains(errOut, fmt.Sprintf("%q can apply this fix", fixCmd)) {
		t.Errorf("blogctl apply --wait = %v, printed %q; want the fix command %q", err, errOut, fixCmd)
	}
	if _, _, err := c.blogctl(t, strings.Fields(fixCmd)[1:]...); err != nil {
		t.Fatalf("%s = %v", fixCmd, err)
	}
	waitAvailable(t, c, "broken-depl", time.Minute)
}

func testPullFailure(t *testing.T, c *cluster, dir string) {
	img := "localhost:5001/blogctl-e2e/missing:nope-" + randomHex(4)
	file := writeManifest(t, dir, "missing", brokenDeployment("missing", img, "IfNotPresent"))
	start := time.Now()
	_, _, err := c.blogctl(t, "apply", "-f", file, "--wait", "--timeout", "2m")
	reported := time.Now()
	if err == nil || !(strings.Contains(err.Error(), "ErrImagePull") ||
		strings.Contains(err.Error(), "ImagePullBackOff")) {
		t.Fatalf("blogctl apply --wait = %v, want an image pull failure", err)
	}
	t.Logf("image pull failure reported %v after apply; %v after the pod showed it",
		reported.Sub(start).Round(time.Millisecond), sinceFailure(t, c, "app=missing", reported))
}

// sinceFailure is how long before reported the pod's pull failure event
// was recorded.
func sinceFailure(t *testing.T, c *cluster, selector string, reported time.Time) time.Duration {
	events, err := c.cs.CoreV1().Events(c.namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return -1
	}
	var first time.Time
	for _, e := range events.Items {
		if e.Reason == "Failed" && strings.HasPrefix(e.InvolvedObject.Name, "missing-depl") {
			ts := e.FirstTimestamp.Time
			if ts.IsZero() {
				ts = e.EventTime.Time
			}
			if first.IsZero() || ts.Before(first) {
				first = ts
			}
		}
	}
	if first.IsZero() {
		return -1
	}
	return reported.Sub(first).Round(time.Millisecond)
}

func testDown(t *testing.T, c *cluster) {
	if _, _, err := c.blogctl(t, "down"); err != nil {
		t.Fatalf("blogctl down = %v", err)
	}
	ctx := context.Background()
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=blogctl"}
	deps, _ := c.cs.AppsV1().Deployments(c.namespace).List(ctx, sel)
	svcs, _ := c.cs.CoreV1().Services(c.namespace).List(ctx, sel)
	ings, _ := c.cs.NetworkingV1().Ingresses(c.namespace).List(ctx, sel)
	if n := len(deps.Items) + len(svcs.Items) + len(ings.Items); n != 0 {
		t.Errorf("after blogctl down %d objects of blogctl's are left", n)
	}
}

func deploymentImage(t *testing.T, c *cluster, name string) string {
	t.Helper()
	d, err := c.cs.AppsV1().Deployments(c.namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Image
}

// dockerBuildFrom builds image to from base with a label of its own: a new
// image, as a local build makes. (A mere tag of an image the node already
// has under another name is not seen by containerd 1.6's CRI after an
// import.)
func dockerBuildFrom(t *testing.T, base, to string) {
	t.Helper()
	dir := t.TempDir()
	dockerfile := "FROM " + base + "\nLABEL blogctl.e2e=" + randomHex(4) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("docker", "build", "-q", "-t", to, dir).CombinedOutput(); err != nil {
		t.Fatalf("docker build -t %s: %v: %s", to, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", to).Run() })
}

func waitAvailable(t *testing.T, c *cluster, name string, within time.Duration) {
	t.Helper()
	eventually(t, within, func() error {
		d, err := c.cs.AppsV1().Deployments(c.namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cond := range d.Status.Conditions {
			if cond.Type == "Available" && cond.Status == corev1.ConditionTrue && d.Status.UpdatedReplicas > 0 {
				return nil
			}
		}
		return errors.New("deployment " + name + " is not available")
	})
}
