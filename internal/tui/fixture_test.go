package tui

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is the fixed clock of every test.
var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

const namespace = "blog"

func ago(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }

// fixtureDeployments are the blog's deployments, the client's not ready.
func fixtureDeployments() []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, s := range blog.Services {
		one := int32(1)
		ready := int32(1)
		if s.Name == blog.Client {
			ready = 0
		}
		out = append(out, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: s.Deployment, Namespace: namespace},
			Spec: appsv1.DeploymentSpec{
				Replicas: &one,
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: s.Name, Image: "blogctl/" + s.Name + ":dev"},
				}}},
			},
			Status: appsv1.DeploymentStatus{ReadyReplicas: ready, UpdatedReplicas: 1, AvailableReplicas: ready},
		})
	}
	return out
}

// fixturePods are one running pod per service but the client, whose pod
// cannot get its image; the query service's pod has restarted twice.
func fixturePods() []*corev1.Pod {
	var out []*corev1.Pod
	for _, s := range blog.Services {
		state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago(time.Hour)}}
		ready := true
		if s.Name == blog.Client {
			state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
				Reason: "ErrImageNeverPull", Message: "image is not present"}}
			ready = false
		}
		var restarts int32
		var last corev1.ContainerState
		if s.Name == blog.Query {
			restarts = 2
			last.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", FinishedAt: ago(5 * time.Minute)}
		}
		out = append(out, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: s.Deployment + "-5d9c7b8f6-x2k9z", Namespace: namespace,
				CreationTimestamp: ago(90 * time.Minute)},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: s.Name}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{
				{Name: s.Name, Ready: ready, State: state, RestartCount: restarts, LastTerminationState: last},
			}},
		})
	}
	return out
}

func fixtureKubeEvents() []*corev1.Event {
	mk := func(name, typ, reason, pod, msg string, d time.Duration) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: namespace},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod},
			Type:           typ, Reason: reason, Message: msg, LastTimestamp: ago(d),
		}
	}
	return []*corev1.Event{
		mk("e1", corev1.EventTypeNormal, "Scheduled", "posts-depl-5d9c7b8f6-x2k9z",
			"Successfully assigned blog/posts-depl-5d9c7b8f6-x2k9z to node-1", 90*time.Minute),
		mk("e2", corev1.EventTypeWarning, "ErrImageNeverPull", "client-depl-5d9c7b8f6-x2k9z",
			"Container image \"blogctl/client:dev\" is not present with pull policy of Never", 30*time.Second),
		mk("e3", corev1.EventTypeNormal, "Started", "query-depl-5d9c7b8f6-x2k9z",
			"Started container query", 80*time.Minute),
	}
}

func fixtureBlogEvents(t testing.TB) []event.Event {
	t.Helper()
	mk := func(seq uint64, typ string, data any) event.Event {
		ev, err := event.New(typ, "", data)
		if err != nil {
			t.Fatal(err)
		}
		ev.Seq = seq
		return ev
	}
	return []event.Event{
		mk(1, event.PostCreated, event.Post{ID: "1a2b3c4d", Title: "Hello from the course"}),
		mk(2, event.CommentCreated, event.Comment{ID: "0badf00d", PostID: "1a2b3c4d",
			Content: "an orange", Status: event.StatusPending}),
		mk(3, event.CommentModerated, event.Comment{ID: "0badf00d", PostID: "1a2b3c4d",
			Content: "an orange", Status: event.StatusRejected}),
		mk(4, event.CommentUpdated, event.Comment{ID: "0badf00d", PostID: "1a2b3c4d",
			Content: "an orange", Status: event.StatusRejected}),
	}
}

// fakeDoctor answers every diagnosis the same way and records fixes.
type fakeDoctor struct {
	fixed []string
	err   error
}

func (d *fakeDoctor) Diagnose(_ context.Context, pod *corev1.Pod) (Diagnosis, error) {
	if d.err != nil {
		return Diagnosis{}, d.err
	}
	return Diagnosis{
		Summary: "ErrImageNeverPull: the image is not on the node",
		Details: []string{"Cause: imagePullPolicy Never and no image " + pod.Spec.Containers[0].Name},
		Fix:     "load the image into the cluster",
	}, nil
}

func (d *fakeDoctor) Fix(_ context.Context, pod *corev1.Pod) (string, error) {
	d.fixed = append(d.fixed, pod.Name)
	return "loaded the image of pod " + pod.Name, nil
}

var errUnreachable = errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")

// apiServer is where the fixtures' API server is.
const apiServer = "https://127.0.0.1:6443"

// loaded returns a Kubernetes dashboard fed with the fixtures.
func loaded(t testing.TB, cfg Config) *Model {
	t.Helper()
	cfg.Kubernetes, cfg.Namespace = true, namespace
	cfg.Title = "blogctl tui · kubernetes · context kind-blog · namespace blog"
	cfg.Now = func() time.Time { return now }
	m := New(cfg)
	for _, msg := range []tea.Msg{
		DeploymentsMsg{Items: fixtureDeployments()},
		PodsMsg{Items: fixturePods()},
		KubeEventsMsg{Items: fixtureKubeEvents()},
		BlogEventsMsg{Events: fixtureBlogEvents(t)},
	} {
		m.Update(msg)
	}
	return m
}

// keyMsg turns a key's name, as bubbletea prints it, into a key press.
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"backspace": {Code: tea.KeyBackspace},
		"pgup":      {Code: tea.KeyPgUp},
		"pgdown":    {Code: tea.KeyPgDown},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	}
	if msg, ok := named[k]; ok {
		return msg
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys to m and runs the commands they return, feeding their
// messages back, as the program would; a quit stops it.
func press(t *testing.T, m *Model, keys ...string) (quit bool) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		if run(m, cmd) {
			return true
		}
	}
	return false
}

// run runs cmd and the commands that follow from it, and reports a quit.
func run(m *Model, cmd tea.Cmd) bool {
	for cmd != nil {
		msg := cmd()
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
		if msg == nil {
			return false
		}
		_, cmd = m.Update(msg)
	}
	return false
}

// screen renders m's view without styles, one string per line.
func screen(m *Model) string {
	return ansi.Strip(m.View().Content)
}

// checkGolden compares got with testdata/name.golden, or rewrites it under
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v (run go test with -update to create it)", path, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("view %s differs from %s (-want +got):\n%s", name, path, diff)
	}
}

// checkSize fails unless every line of view fits in width and there are
// exactly height lines.
func checkSize(t *testing.T, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Errorf("view has %d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide, want at most %d: %q", i+1, w, width, l)
		}
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
