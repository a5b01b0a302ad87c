package tui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
	"github.com/blogctl/blogctl/internal/event"
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
