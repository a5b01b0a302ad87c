package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestSetPullPolicy(t *testing.T) {
	files, err := Render(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	path, name, err := FindDeployment(dir, "posts")
	if err != nil || name != "posts-depl" || filepath.Base(path) != "posts.yaml" {
		t.Fatalf("FindDeployment() = %s, %s, %v, want posts.yaml, posts-depl", path, name, err)
	}
	before, _ := os.ReadFile(path)

	changed, err := SetPullPolicy(path, "posts-depl", "posts", "Never")
	if err != nil || !changed {
		t.Fatalf("SetPullPolicy() = %v, %v, want true, nil", changed, err)
	}
	changed, err = SetPullPolicy(path, "posts-depl", "posts", "Never")
	if err != nil || changed {
		t.Errorf("SetPullPolicy() again = %v, %v, want false, nil", changed, err)
	}

	// The file still decodes, with the new policy, and only that line changed.
	objs, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	containers, _, _ := unstructured.NestedSlice(objs[0].Object, "spec", "template", "spec", "containers")
	got := containers[0].(map[string]any)["imagePullPolicy"]
	if got != string(corev1.PullNever) {
		t.Errorf("imagePullPolicy = %v, want Never", got)
	}
	after, _ := os.ReadFile(path)
	want := string(before)
	want = strings.Replace(want, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Never", 1)
	if diff := cmp.Diff(want, string(after)); diff != "" {
		t.Errorf("file after SetPullPolicy() (-want +got):\n%s", diff)
	}
}

func TestSetPullPolicyAddsTheLine(t *testing.T) {
	doc := "# keep me\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n" +
		"    spec:\n      containers:\n      - name: a\n        image: a:1\n        ports: []\n"
	path := filepath.Join(t.TempDir(), "x.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SetPullPolicy(path, "x", "a", "Never"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := strings.Replace(doc, "image: a:1\n", "image: a:1\n        imagePullPolicy: Never\n", 1)
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("SetPullPolicy() (-want +got):\n%s", diff)
	}
	if _, err := SetPullPolicy(path, "x", "b", "Never"); err == nil {
		t.Errorf("SetPullPolicy() of a missing container = nil, want an error")
	}
}
