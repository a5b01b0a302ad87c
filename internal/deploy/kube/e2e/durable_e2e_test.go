package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// busUID is the user the images run as; the bus must own its data dir.
const busUID = 65532

// TestKubernetesDurableBus runs the system with the event bus's log on a
// PersistentVolumeClaim, then deletes the bus's pod and the query
// service's pod: what was acknowledged before is still there, and new
// events still flow. Then "down" keeps the claim, so that the next "up"
// shows the same posts, and "down --volumes" deletes it.
func TestKubernetesDurableBus(t *testing.T) {
	c := needCluster(t)
	class := localVolume(t, c)
	dir := t.TempDir()

	up := func() {
		t.Helper()
		if _, _, err := c.blogctl(t, "up", "--manifests-dir", dir, "--storage-class", class,
			"--containerd-address", c.containerd, "--timeout", "4m",
			"--service-type", "comments=NodePort", "--service-type", "query=NodePort"); err != nil {
			t.Fatalf("blogctl up with the bus on a PersistentVolumeClaim = %v", err)
		}
	}
	claims := func() []corev1.PersistentVolumeClaim {
		t.Helper()
		list, err := c.cs.CoreV1().PersistentVolumeClaims(c.namespace).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("listing the claims: %v", err)
		}
		return list.Items
	}
	up()
	if got := claims(); len(got) != 1 || got[0].Status.Phase != corev1.ClaimBound {
		t.Fatalf("after up, claims = %+v, want one bound claim", got)
	}

	base := func(svc string) string { return fmt.Sprintf("http://%s:%d", c.nodeIP, c.nodePort(t, svc)) }
	var p struct{ ID string }
	post(t, base("posts-srv")+"/posts", map[string]string{"title": "before the restarts"}, &p)
	waitForPost(t, base("query-srv"), p.ID, "before the restarts", 0)

	for _, app := range []string{"event-bus", "query"} {
		deletePods(t, c, "app="+app)
		waitAvailable(t, c, app+"-depl", 2*time.Minute)
	}

	// The query service rebuilt its state from the bus's log, which the
	// bus read back from its volume; a comment made now is moderated.
	waitForPost(t, base("query-srv"), p.ID, "before the restarts", 0)
	var comments []map[string]string
	post(t, base("comments-srv")+"/posts/"+p.ID+"/comments", map[string]string{"content": "after"}, &comments)
	waitForPost(t, base("query-srv"), p.ID, "before the restarts", 1)

	_, stderr, err := c.blogctl(t, "down")
	if err != nil {
		t.Fatalf("blogctl down = %v", err)
	}
	if got := claims(); len(got) != 1 || !strings.Contains(stderr, "persistentvolumeclaim/"+got[0].Name+" kept") {
		t.Fatalf("after down, claims = %+v and stderr %q, want the bus's claim kept and said so", got, stderr)
	}
	up()
	waitForPost(t, base("query-srv"), p.ID, "before the restarts", 1)

	if _, _, err := c.blogctl(t, "down", "--volumes"); err != nil {
		t.Fatalf("blogctl down --volumes = %v", err)
	}
	eventually(t, time.Minute, func() error {
		if got := claims(); len(got) != 0 {
			return fmt.Errorf("after down --volumes %d claims are left", len(got))
		}
		return nil
	})
}

// localVolume makes a storage class with no provisioner and one
// PersistentVolume of it on the node's disk, owned by the images' user,
// and removes them at the end of the test.
func localVolume(t *testing.T, c *cluster) string {
	t.Helper()
	ctx := context.Background()
	name := "blogctl-e2e-" + randomHex(3)
	hostDir := filepath.Join(os.TempDir(), name)
	if err := os.MkdirAll(hostDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(hostDir, busUID, busUID); err != nil {
		t.Fatalf("giving %s to the images' user (the test cluster runs as root): %v", hostDir, err)
	}

	wait := storagev1.VolumeBindingWaitForFirstConsumer
	sc := &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: name},
		Provisioner:       "kubernetes.io/no-provisioner",
		VolumeBindingMode: &wait,
	}
	if _, err := c.cs.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating storage class %s: %v", name, err)
	}
	dirType := corev1.HostPathDirectory
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			StorageClassName:              name,
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: hostDir, Type: &dirType},
			},
		},
	}
	if _, err := c.cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating persistent volume %s: %v", name, err)
	}
	t.Cleanup(func() {
		// Registered after needCluster's, so this runs first: the
		// namespace, and with it the claim, goes after the volume.
		_ = c.cs.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{})
		_ = c.cs.StorageV1().StorageClasses().Delete(ctx, name, metav1.DeleteOptions{})
		_ = os.RemoveAll(hostDir)
	})
	return name
}

// deletePods deletes the pods that selector picks, as a node failure or a
// "kubectl delete pod" would, and waits for them to be gone.
func deletePods(t *testing.T, c *cluster, selector string) {
	t.Helper()
	before := podNames(t, c, selector)
	if len(before) == 0 {
		t.Fatalf("no pod matches %s", selector)
	}
	for _, name := range before {
		if err := c.cs.CoreV1().Pods(c.namespace).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("deleting pod %s: %v", name, err)
		}
	}
	eventually(t, 2*time.Minute, func() error {
		for _, name := range before {
			_, err := c.cs.CoreV1().Pods(c.namespace).Get(context.Background(), name, metav1.GetOptions{})
			if err == nil {
				return fmt.Errorf("pod %s is still there", name)
			}
			if !apierrors.IsNotFound(err) {
				return err
			}
		}
		return nil
	})
}

// waitForPost waits until the query service at base has post id with
// title and exactly comments approved comments.
func waitForPost(t *testing.T, base, id, title string, comments int) {
	t.Helper()
	eventually(t, time.Minute, func() error {
		resp, err := http.Get(base + "/posts")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var posts map[string]struct {
			Title    string
			Comments []struct{ Status string }
		}
		if err := json.NewDecoder(resp.Body).Decode(&posts); err != nil {
			return err
		}
		got := posts[id]
		approved := 0
		for _, c := range got.Comments {
			if c.Status == "approved" {
				approved++
			}
		}
		if got.Title != title || len(got.Comments) != comments || approved != comments {
			return fmt.Errorf("query has %+v for post %s, want title %q and %d approved comments",
				got, id, title, comments)
		}
		return nil
	})
}
