package diagnose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

func manifestsDir(t *testing.T) string {
	t.Helper()
	files, err := manifest.Render(manifest.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := manifest.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// podCaseYAML returns the named pod of podCases.
func podCaseYAML(t *testing.T, name string) string {
	t.Helper()
	for _, tc := range podCases {
		if tc.name == name {
			return tc.pod
		}
	}
	t.Fatalf("no pod case %q", name)
	return ""
}

// findingOf diagnoses the named pod of podCases.
func findingOf(t *testing.T, name string) *Finding {
	t.Helper()
	for _, tc := range podCases {
		if tc.name == name {
			return Classify(decodePod(t, tc.pod))
		}
	}
	t.Fatalf("no pod case %q", name)
	return nil
}

func TestPlanFix(t *testing.T) {
	dir := manifestsDir(t)
	posts := filepath.Join(dir, "posts.yaml")
	query := filepath.Join(dir, "query.yaml")
	has := func(context.Context, string) bool { return true }
	hasNot := func(context.Context, string) bool { return false }
	tests := []struct {
		name    string
		pod     string
		env     Env
		want    []Step
		wantErr string
	}{
		{"never pulled, local node we can load into", "image never pulled",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has},
			[]Step{{LoadImage, "blogctl/posts:sha-abc", ""}, {ApplyFile, posts, ""}, {DeletePod, "posts-depl-1", ""}}, ""},
		{"pull back-off, local node: load and set Never", "image pull back-off",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has},
			[]Step{{LoadImage, "blogctl/query:latest", ""}, {SetPullPolicy, query, "Never"},
				{ApplyFile, query, ""}, {DeletePod, "query-depl-1", ""}}, ""},
		{"pull back-off, Docker Desktop: set Never only", "image pull back-off",
			Env{ManifestsDir: dir, Local: true, SharedEngine: true},
			[]Step{{SetPullPolicy, query, "Never"}, {ApplyFile, query, ""}, {DeletePod, "query-depl-1", ""}}, ""},
		{"pull back-off, remote cluster: push first", "image pull back-off",
			Env{ManifestsDir: dir, HasImage: has},
			[]Step{{PushImage, "blogctl/query:latest", ""}, {ApplyFile, query, ""}, {DeletePod, "query-depl-1", ""}}, ""},
		{"image not built anywhere", "image never pulled",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: hasNot}, nil,
			"image blogctl/posts:sha-abc is not on this machine either"},
		{"local node blogctl cannot load into", "image never pulled",
			Env{ManifestsDir: dir, Local: true, HasImage: has}, nil, "pass --containerd-address"},
		{"crash loop has no safe fix", "crash loop with last logs",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has}, nil, "no safe automatic fix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanFix(context.Background(), findingOf(t, tc.pod), tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("PlanFix() = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PlanFix() = %v", err)
			}
			if diff := cmp.Diff(tc.want, p.Steps); diff != "" {
				t.Errorf("PlanFix() steps mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReview checks that after Review a finding promises an automatic fix
// exactly when PlanFix would make one, and that an image missing from this
// machine says to build it first.
func TestReview(t *testing.T) {
	dir := manifestsDir(t)
	has := func(context.Context, string) bool { return true }
	hasNot := func(context.Context, string) bool { return false }
	tests := []struct {
		name        string
		pod         string
		env         Env
		wantFixable bool
		wantFix     string
	}{
		{"image on this machine", "image never pulled",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has}, true, "load the image into the node"},
		{"image not built anywhere", "image never pulled",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: hasNot}, false,
			"image blogctl/posts:sha-abc is not on this machine either: build it first (blogctl build posts --image-prefix blogctl)"},
		{"node blogctl cannot load into", "image pull back-off",
			Env{ManifestsDir: dir, Local: true, HasImage: has}, false, "pass --containerd-address"},
		{"no manifests", "image pull back-off",
			Env{ManifestsDir: filepath.Join(dir, "nope"), Local: true, CanLoad: true, HasImage: has}, false,
			"\"blogctl doctor --fix\" cannot"},
		{"crash loop stays unfixable", "crash loop with last logs",
			Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has}, false, "fix the crash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := findingOf(t, tc.pod)
			Review(context.Background(), []*Finding{f}, tc.env)
			_, planErr := PlanFix(context.Background(), f, tc.env)
			if f.Fixable() != tc.wantFixable || f.Fixable() != (planErr == nil) {
				t.Errorf("after Review Fixable() = %v, want %v; PlanFix() = %v", f.Fixable(), tc.wantFixable, planErr)
			}
			if !strings.Contains(f.Fix, tc.wantFix) {
				t.Errorf("after Review Fix = %q, want it to contain %q", f.Fix, tc.wantFix)
			}
		})
	}
}

func TestFixerFix(t *testing.T) {
	dir := manifestsDir(t)
	f := findingOf(t, "image pull back-off")
	pod := decodePod(t, podCaseYAML(t, "image pull back-off"))
	cs := fake.NewClientset(pod)
	var did []string
	x := &Fixer{
		Clientset: cs, Namespace: "blog",
		Env: Env{ManifestsDir: dir, Local: true, CanLoad: true,
			HasImage: func(context.Context, string) bool { return true }},
		LoadImage: func(_ context.Context, ref string) error { did = append(did, "load "+ref); return nil },
		Apply: func(_ context.Context, file string) error {
			did = append(did, "apply "+filepath.Base(file))
			return nil
		},
	}
	if _, err := x.Fix(context.Background(), f); err != nil {
		t.Fatalf("Fix() = %v", err)
	}
	if diff := cmp.Diff([]string{"load blogctl/query:latest", "apply query.yaml"}, did); diff != "" {
		t.Errorf("Fix() actions mismatch (-want +got):\n%s", diff)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "query.yaml"))
	if !strings.Contains(string(b), "imagePullPolicy: Never") {
		t.Errorf("query.yaml after Fix() has no imagePullPolicy: Never")
	}
	_, err := cs.CoreV1().Pods("blog").Get(context.Background(), pod.Name, metav1.GetOptions{})
	if err == nil {
		t.Errorf("pod %s still exists after Fix(), want it deleted", pod.Name)
	}
}

func TestFixerStopsAtFailure(t *testing.T) {
	x := &Fixer{
		Clientset: fake.NewClientset(), Namespace: "blog",
		Env: Env{ManifestsDir: manifestsDir(t), Local: true, CanLoad: true,
			HasImage: func(context.Context, string) bool { return true }},
		LoadImage: func(context.Context, string) error { return errors.New("ctr: connection refused") },
		Apply:     func(context.Context, string) error { t.Error("applied after a failed load"); return nil },
	}
	_, err := x.Fix(context.Background(), findingOf(t, "image never pulled"))
	want := "fixing posts-depl-1: load image blogctl/posts:sha-abc into the node: ctr: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("Fix() = %v, want %q", err, want)
	}
}

// TestFixerConfirms checks that a fix is done only when a replacement pod
// gets its image, and that one failing again is reported, with the
// kubelet's refusal of a loaded image explained.
func TestFixerConfirms(t *testing.T) {
	tests := []struct {
		name    string
		waiting string // the replacement's waiting reason; "" for running
		wantErr string
	}{
		{"replacement runs", "", ""},
		{"replacement crashes, but got its image", "CrashLoopBackOff", ""},
		{"replacement refused the loaded image", "ErrImageNeverPull", "the kubelet refuses it"},
		{"replacement cannot pull", "ErrImagePull", "shows ErrImagePull too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := decodePod(t, podCaseYAML(t, "image pull back-off"))
			dep := &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "query-depl", Namespace: "blog"},
				Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "query"}}},
			}
			cs := fake.NewClientset(old, dep)
			x := &Fixer{
				Clientset: cs, Namespace: "blog", Settle: 5 * time.Second,
				Env: Env{ManifestsDir: manifestsDir(t), Local: true, CanLoad: true,
					HasImage: func(context.Context, string) bool { return true }},
				LoadImage: func(context.Context, string) error { return nil },
				Apply: func(ctx context.Context, _ string) error {
					// The deployment's replacement pod.
					_, err := cs.CoreV1().Pods("blog").Create(ctx, replacement(tt.waiting), metav1.CreateOptions{})
					return err
				},
			}
			_, err := x.Fix(context.Background(), Classify(old))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Fix() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Fix() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// A fix whose replacement pod never shows up is not called done.
func TestFixerGivesUp(t *testing.T) {
	old := decodePod(t, podCaseYAML(t, "image pull back-off"))
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "query-depl", Namespace: "blog"},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "query"}}},
	}
	x := &Fixer{
		Clientset: fake.NewClientset(old, dep), Namespace: "blog", Settle: time.Second,
		Env: Env{ManifestsDir: manifestsDir(t), Local: true, CanLoad: true,
			HasImage: func(context.Context, string) bool { return true }},
		LoadImage: func(context.Context, string) error { return nil },
		Apply:     func(context.Context, string) error { return nil },
	}
	_, err := x.Fix(context.Background(), Classify(old))
	if err == nil || !strings.Contains(err.Error(), "no new pod of deployment query-depl got its image") {
		t.Errorf("Fix() = %v, want it to say that no new pod got its image", err)
	}
}

func replacement(waiting string) *corev1.Pod {
	st := corev1.ContainerStatus{Name: "query"}
	if waiting == "" {
		st.State.Running = &corev1.ContainerStateRunning{}
	} else {
		st.State.Waiting = &corev1.ContainerStateWaiting{Reason: waiting}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "query-depl-new", Namespace: "blog",
			Labels: map[string]string{"app": "query"}, CreationTimestamp: metav1.Now()},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{st}},
	}
}

func TestBuildAdvice(t *testing.T) {
	tests := []struct{ image, want string }{
		{"blogctl/posts:sha-abc", "blogctl build posts --image-prefix blogctl"},
		{"localhost:5001/cygnet/query:latest", "blogctl build query --image-prefix localhost:5001/cygnet"},
		{"cygnet/posts:0.0.1", "docker build -t cygnet/posts:0.0.1 ."},
		{"example.invalid/nope:1", "blogctl builds only its own services' images"},
		{"localhost:5001/blogctl/posts", "docker tag <image> localhost:5001/blogctl/posts"},
	}
	for _, tt := range tests {
		if got := buildAdvice(tt.image); !strings.Contains(got, tt.want) {
			t.Errorf("buildAdvice(%q) = %q, want it to contain %q", tt.image, got, tt.want)
		}
	}
}

// Examine covers every pod of the namespace that is not ready, with or
// without the blog system's labels, and only that namespace.
func TestExamine(t *testing.T) {
	ours := decodePod(t, podCaseYAML(t, "image never pulled"))
	theirs := decodePod(t, podCaseYAML(t, "image pull back-off"))
	elsewhere := decodePod(t, podCaseYAML(t, "image pull back-off"))
	elsewhere.Namespace = "other"
	cs := fake.NewClientset(ours, theirs, elsewhere)
	findings, err := Examine(context.Background(), cs, "blog")
	if err != nil {
		t.Fatal(err)
	}
	var pods []string
	for _, f := range findings {
		pods = append(pods, f.Namespace+"/"+f.Pod)
	}
	if diff := cmp.Diff([]string{"blog/posts-depl-1", "blog/query-depl-1"}, pods); diff != "" {
		t.Errorf("Examine(blog) pods (-want +got):\n%s", diff)
	}
}
