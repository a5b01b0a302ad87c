package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestKubernetes runs the whole workflow on the test cluster, in order:
// up, a post and a comment through Services, a rollout restart, a missing
// image with imagePullPolicy Never fixed by the doctor, a missing image
// with IfNotPresent, and down.
func TestKubernetes(t *testing.T) {
	c := needCluster(t)
	dir := t.TempDir()

	t.Run("up", func(t *testing.T) { testUp(t, c, dir) })
	if t.Failed() {
		return
	}
	t.Run("post and comment through Services", func(t *testing.T) { testPostAndComment(t, c) })
	t.Run("rollout restart", func(t *testing.T) { testRestart(t, c) })
	t.Run("missing image, pull policy Never, doctor --fix", func(t *testing.T) { testNeverPull(t, c, dir) })
	t.Run("missing image, IfNotPresent", func(t *testing.T) { testPullFailure(t, c, dir) })
	t.Run("down", func(t *testing.T) { testDown(t, c) })
}

func testUp(t *testing.T, c *cluster, dir string) {
	start := time.Now()
	out, _, err := c.blogctl(t, "up", "--manifests-dir", dir, "--no-storage-class",
		"--containerd-address", c.containerd, "--timeout", "4m",
		"--service-type", "comments=NodePort", "--service-type", "query=NodePort")
	if err != nil {
		t.Fatalf("blogctl up = %v", err)
	}
	t.Logf("blogctl up took %v (build included)", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(out, "posts (NodePort posts-srv): http://") {
		t.Errorf("blogctl up printed %q, want the NodePort address", out)
	}

	// Every deployment is available, and runs the immutable tag just built.
	deps, err := c.cs.AppsV1().Deployments(c.namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps.Items) != 6 {
		t.Errorf("blogctl up made %d deployments, want 6", len(deps.Items))
	}
	for _, d := range deps.Items {
		if d.Status.AvailableReplicas != *d.Spec.Replicas {
			t.Errorf("deployment %s: %d of %d available", d.Name, d.Status.AvailableReplicas, *d.Spec.Replicas)
		}
		// The test cluster advertises a registry, so the images were
		// pushed, and the reference is pinned to what the registry got.
		if img := d.Spec.Template.Spec.Containers[0].Image; !strings.Contains(img, ":sha-") ||
			!strings.Contains(img, "@sha256:") {
			t.Errorf("deployment %s runs %s, want its sha- tag and the pushed digest", d.Name, img)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "posts.yaml")); err != nil {
		t.Errorf("blogctl up wrote no posts.yaml: %v", err)
	}
}

func testPostAndComment(t *testing.T, c *cluster) {
	defer func() {
		// On failure, the services' logs say where the events stopped.
		if t.Failed() {
			for _, svc := range []string{"event-bus", "posts", "comments", "query", "moderation"} {
				c.blogctl(t, "logs", svc)
			}
			c.dumpDelivery(t)
		}
	}()
	base := func(svc string) string { return fmt.Sprintf("http://%s:%d", c.nodeIP, c.nodePort(t, svc)) }
	var p struct{ ID, Title string }
	post(t, base("posts-srv")+"/posts", map[string]string{"title": "from the cluster"}, &p)
	var comments []map[string]string
	post(t, base("comments-srv")+"/posts/"+p.ID+"/comments", map[string]string{"content": "an apple"}, &comments)

	eventually(t, 30*time.Second, func() error {
		resp, err := http.Get(base("query-srv") + "/posts")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var posts map[string]struct {
			Title    string
			Comments []struct{ ID, Content, Status string }
		}
		if err := json.NewDecoder(resp.Body).Decode(&posts); err != nil {
			return err
		}
		got := posts[p.ID]
		if got.Title != "from the cluster" || len(got.Comments) != 1 || got.Comments[0].Status != "approved" {
			return fmt.Errorf("query has %+v for post %s, want its approved comment", got, p.ID)
		}
		return nil
	})
}

func testRestart(t *testing.T, c *cluster) {
	before := podNames(t, c, "app=posts")
	if _, _, err := c.blogctl(t, "rollout", "restart", "posts", "--wait", "--timeout", "2m"); err != nil {
		t.Fatalf("blogctl rollout restart = %v", err)
	}
	after := podNames(t, c, "app=posts")
	for _, name := range after {
		for _, old := range before {
			if name == old {
				t.Errorf("pod %s survived the restart", name)
			}
		}
	}
	if len(after) == 0 {
		t.Errorf("no posts pod after the restart")
	}
	testRestartKeepsOldImage(t, c)
}

// testRestartKeepsOldImage names the posts image by its tag alone, as a
// hand-written manifest does, then rebuilds the image on this machine
// under that tag without loading it into the node: a restart then runs
// the node's old image, and blogctl must say so and fail. (blogctl up's
// own manifests pin the pushed digest, so there the node cannot keep an
// old image.)
func testRestartKeepsOldImage(t *testing.T, c *cluster) {
	pinned := deploymentImage(t, c, "posts-depl")
	ref, _, _ := strings.Cut(pinned, "@")
	if ref == pinned {
		t.Fatalf("posts-depl runs %s, want a reference pinned to the pushed digest", pinned)
	}
	setImage(t, c, "posts-depl", ref)
	if _, _, err := c.blogctl(t, "rollout", "status", "posts", "--timeout", "2m"); err != nil {
		t.Fatalf("blogctl rollout status after naming the image by its tag = %v", err)
	}
	id, err := exec.Command("docker", "image", "inspect", "-f", "{{.Id}}", ref).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", ref, err)
	}
	// Put the name back on the image the node has, and the pinned
	// reference in the deployment, for the later tests.
	defer func() {
		if out, err := exec.Command("docker", "tag", strings.TrimSpace(string(id)), ref).CombinedOutput(); err != nil {
			t.Errorf("docker tag back %s: %v: %s", ref, err, out)
		}
		setImage(t, c, "posts-depl", pinned)
		if _, _, err := c.blogctl(t, "rollout", "status", "posts", "--timeout", "2m"); err != nil {
			t.Errorf("blogctl rollout status after pinning the image again = %v", err)
		}
	}()
	dir := t.TempDir()
	dockerfile := "FROM " + ref + "\nLABEL blogctl.e2e=" + randomHex(4) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("docker", "build", "-q", "-t", ref, dir).CombinedOutput(); err != nil {
		t.Fatalf("docker build -t %s: %v: %s", ref, err, out)
	}
	_, errOut, err := c.blogctl(t, "rollout", "restart", "posts", "--wait", "--timeout", "2m")
	if err == nil || !strings.Contains(errOut, "not the image this machine has") {
		t.Errorf("blogctl rollout restart after a rebuild that never reached the node = %v, "+
			"stderr %q; want a failure saying the pods run another image", err, errOut)
	}
}

// setImage points the first container of deployment name at image, as an
// edited manifest would.
func setImage(t *testing.T, c *cluster, name, image string) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":%q,"image":%q}]}}}}`,
		strings.TrimSuffix(name, "-depl"), image)
	if _, err := c.cs.AppsV1().Deployments(c.namespace).Patch(context.Background(), name,
		types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatalf("setting the image of %s to %s: %v", name, image, err)
	}
}

func podNames(t *testing.T, c *cluster, selector string) []string {
	t.Helper()
	pods, err := c.cs.CoreV1().Pods(c.namespace).List(context.Background(),
		metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			names = append(names, p.Name)
		}
	}
	return names
}
