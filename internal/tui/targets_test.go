package tui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
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
