package tui

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/local"
)

func TestKubeDoctorDiagnose(t *testing.T) {
	pods := fixturePods()
	broken, healthy := pods[len(pods)-1], pods[0]
	d := &KubeDoctor{Clientset: fake.NewClientset(broken, fixtureKubeEvents()[1])}

	got, err := d.Diagnose(t.Context(), broken)
	if err != nil {
		t.Fatal(err)
	}
	text := got.Summary + "\n" + strings.Join(got.Details, "\n")
	for _, want := range []string{"ErrImageNeverPull", "Cause: ", "Fix: "} {
		if !strings.Contains(text, want) {
			t.Errorf("Diagnose(%s) lacks %q:\n%s", broken.Name, want, text)
		}
	}

	got, err = d.Diagnose(t.Context(), healthy)
	if err != nil || !strings.Contains(got.Summary, "nothing to fix") {
		t.Errorf("Diagnose(%s) = %q, %v; want nothing to fix", healthy.Name, got.Summary, err)
	}
}

// TestKubeBusClient checks that the bus is read through the API server's
// proxy to the event-bus Service.
func TestKubeBusClient(t *testing.T) {
	var gotPath, gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery = r.URL.Path, r.URL.RawQuery
		w.Header().Set(event.HeadHeader, "7")
		_, _ = w.Write([]byte(`[{"type":"PostCreated","data":{"id":"1a2b3c4d","title":"t"},"seq":7}]`))
	}))
	defer srv.Close()

	c, err := KubeBusClient(&rest.Config{Host: srv.URL}, "blog")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Read(t.Context(), 6, 10, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/api/v1/namespaces/blog/services/event-bus-srv:4005/proxy/events", "limit=10&since=6&wait=1s"}
	if diff := cmp.Diff(want, []string{gotPath, gotQuery}); diff != "" {
		t.Errorf("request path and query (-want +got):\n%s", diff)
	}
	if page.Head != 7 || len(page.Events) != 1 {
		t.Errorf("Read = %+v, want one event at head 7", page)
	}
}

func TestDockerHealth(t *testing.T) {
	tests := []struct {
		row  dockertarget.Row
		want string
	}{
		{dockertarget.Row{State: "running", Status: "Up 2 minutes (healthy)"}, HealthReady},
		{dockertarget.Row{State: "running", Status: "Up 2 minutes"}, HealthReady},
		{dockertarget.Row{State: "running", Status: "Up 5 seconds (health: starting)"}, HealthNotReady},
		{dockertarget.Row{State: "running", Status: "Up 2 minutes (unhealthy)"}, HealthNotReady},
		{dockertarget.Row{State: "exited", Status: "Exited (1) 3 seconds ago"}, HealthUnreachable},
	}
	for _, tt := range tests {
		if got := dockerHealth(tt.row); got != tt.want {
			t.Errorf("dockerHealth(%q, %q) = %q, want %q", tt.row.State, tt.row.Status, got, tt.want)
		}
	}
}

func TestDockerAddress(t *testing.T) {
	published := dockertarget.Row{Container: "tt-gateway", URL: "http://127.0.0.1:18880"}
	if got := dockerAddress(published); got != "http://127.0.0.1:18880" {
		t.Errorf("dockerAddress of a container that publishes a port = %q, want its URL", got)
	}
	if got := dockerAddress(dockertarget.Row{Container: "tt-posts"}); got != "tt-posts" {
		t.Errorf("dockerAddress of a container that publishes none = %q, want its name", got)
	}
}

// BenchmarkView measures one render of a full dashboard at 132x40, what
// every message costs.
func BenchmarkView(b *testing.B) {
	m := loaded(b, Config{})
	m.SetSize(132, 40)
	for b.Loop() {
		_ = m.View()
	}
}

// TestKubeDoctorFix applies the doctor's safe fix to a pod whose image is
// not on the node, with the doctor's real plan and fake image and apply
// steps.
func TestKubeDoctorFix(t *testing.T) {
	dir := t.TempDir()
	files, err := manifest.Render(manifest.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	pod := fixturePods()[len(fixturePods())-1] // the client's, ErrImageNeverPull
	pod.Labels = map[string]string{"app": "client"}
	pod.Spec.Containers[0].Image = "blogctl/client:dev"
	cs := fake.NewClientset(pod)

	var loaded, applied []string
	x := &diagnose.Fixer{
		Clientset: cs, Namespace: namespace,
		Env:       diagnose.Env{ManifestsDir: dir, Local: true, CanLoad: true},
		LoadImage: func(_ context.Context, ref string) error { loaded = append(loaded, ref); return nil },
		Apply:     func(_ context.Context, file string) error { applied = append(applied, file); return nil },
	}
	released := false
	d := &KubeDoctor{Clientset: cs, NewFixer: func(context.Context) (*diagnose.Fixer, func(), error) {
		return x, func() { released = true }, nil
	}}

	did, err := d.Fix(t.Context(), pod)
	if err != nil {
		t.Fatalf("Fix(%s): %v", pod.Name, err)
	}
	want := []any{[]string{"blogctl/client:dev"}, []string{filepath.Join(dir, "client.yaml")}, true}
	if diff := cmp.Diff(want, []any{loaded, applied, released}); diff != "" {
		t.Errorf("loaded, applied, released (-want +got):\n%s", diff)
	}
	if !strings.Contains(did, "load image blogctl/client:dev into the node") {
		t.Errorf("Fix said %q, want the steps it took", did)
	}
	if _, err := cs.CoreV1().Pods(namespace).Get(t.Context(), pod.Name, metav1.GetOptions{}); err == nil {
		t.Errorf("pod %s still exists after the fix, want it replaced", pod.Name)
	}

	if _, err := (&KubeDoctor{Clientset: cs}).Fix(t.Context(), fixturePods()[len(fixturePods())-1]); err == nil {
		t.Errorf("Fix without a fixer succeeded, want it to point to blogctl doctor --fix")
	}
	if did, err := d.Fix(t.Context(), fixturePods()[0]); err != nil || !strings.Contains(did, "needs no fix") {
		t.Errorf("Fix(healthy pod) = %q, %v; want no fix needed", did, err)
	}
}

// TestKubeDoctorReviewsTheFix checks that the diagnosis offers the safe
// fix only when the doctor's fixer, reviewing it, would apply it here.
func TestKubeDoctorReviewsTheFix(t *testing.T) {
	dir := t.TempDir()
	files, err := manifest.Render(manifest.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	pod := fixturePods()[len(fixturePods())-1] // the client's, ErrImageNeverPull
	pod.Labels = map[string]string{"app": "client"}
	pod.Spec.Containers[0].Image = "blogctl/client:dev"
	cs := fake.NewClientset(pod)
	withEnv := func(env diagnose.Env, released *bool) func(context.Context) (*diagnose.Fixer, func(), error) {
		return func(context.Context) (*diagnose.Fixer, func(), error) {
			return &diagnose.Fixer{Clientset: cs, Namespace: namespace, Env: env}, func() { *released = true }, nil
		}
	}
	has := func(yes bool) func(context.Context, string) bool {
		return func(context.Context, string) bool { return yes }
	}
	tests := []struct {
		name        string
		newFixer    func(*bool) func(context.Context) (*diagnose.Fixer, func(), error)
		wantFix     bool
		wantInFix   string
		wantRelease bool
	}{
		{"fixer would fix", func(r *bool) func(context.Context) (*diagnose.Fixer, func(), error) {
			return withEnv(diagnose.Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has(true)}, r)
		}, true, "", true},
		{"image not on this machine", func(r *bool) func(context.Context) (*diagnose.Fixer, func(), error) {
			return withEnv(diagnose.Env{ManifestsDir: dir, Local: true, CanLoad: true, HasImage: has(false)}, r)
		}, false, "is not on this machine either", true},
		{"fixer cannot be built", func(*bool) func(context.Context) (*diagnose.Fixer, func(), error) {
			return func(context.Context) (*diagnose.Fixer, func(), error) {
				return nil, nil, errors.New("connecting to the Docker engine: no socket")
			}
		}, false, "the dashboard cannot apply it: connecting to the Docker engine: no socket", false},
		{"no fixer", nil, false, "run blogctl doctor --fix", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			released := false
			d := &KubeDoctor{Clientset: cs}
			if tt.newFixer != nil {
				d.NewFixer = tt.newFixer(&released)
			}
			got, err := d.Diagnose(t.Context(), pod)
			if err != nil {
				t.Fatal(err)
			}
			fixLine := got.Details[len(got.Details)-1]
			if (got.Fix != "") != tt.wantFix || !strings.Contains(fixLine, tt.wantInFix) || released != tt.wantRelease {
				t.Errorf("Diagnose(%s) offers fix %q, says %q, released %v; want fix offered %v, saying %q, released %v",
					pod.Name, got.Fix, fixLine, released, tt.wantFix, tt.wantInFix, tt.wantRelease)
			}
		})
	}
}

// TestHealthySummary checks that a pod needing no fix is said to be
// ready, or still starting, as it is.
func TestHealthySummary(t *testing.T) {
	ready := fixturePods()[0]
	starting := ready.DeepCopy()
	starting.Status.ContainerStatuses[0].Ready = false
	starting.Status.ContainerStatuses[0].State = corev1.ContainerState{
		Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	tests := []struct {
		pod  *corev1.Pod
		want string
	}{
		{ready, "pod event-bus-depl-5d9c7b8f6-x2k9z is running and ready: nothing to fix"},
		{starting, "pod event-bus-depl-5d9c7b8f6-x2k9z is still starting (ContainerCreating): nothing to fix yet"},
	}
	for _, tt := range tests {
		if got := healthySummary(tt.pod); got != tt.want {
			t.Errorf("healthySummary(%s) = %q, want %q", tt.pod.Name, got, tt.want)
		}
	}
}

// TestLocalError checks that "not running" names the command that starts
// the system of the data directory given.
func TestLocalError(t *testing.T) {
	dir := t.TempDir()
	_, err := local.ReadState(dir)
	got := LocalError(err, dir)
	want := `start it with "blogctl up --target local --data-dir ` + dir + `"`
	if !errors.Is(got, local.ErrNotRunning) || !strings.Contains(got.Error(), want) {
		t.Errorf("LocalError(%v) = %v, want it to say %s", err, got, want)
	}
	if _, err := LocalServices(dir)(t.Context()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("LocalServices(%s) = %v, want it to say %s", dir, err, want)
	}
	spaced := filepath.Join(dir, "my data")
	want = `start it with "blogctl up --target local --data-dir '` + spaced + `'"`
	if got := LocalError(local.ErrNotRunning, spaced); !strings.Contains(got.Error(), want) {
		t.Errorf("LocalError(%s) = %v, want it to say %s", spaced, got, want)
	}
}
