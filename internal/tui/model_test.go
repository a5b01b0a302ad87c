package tui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/event"
)

// TestScreens compares the main screens with their golden views, at the
// smallest supported terminal and a larger one.
func TestScreens(t *testing.T) {
	sizes := []struct{ w, h int }{{80, 24}, {132, 40}}
	tests := []struct {
		name string
		keys []string
		prep func(*Model)
	}{
		{name: "dashboard"},
		{name: "pods-selected", keys: []string{"tab", "j", "j"}},
		{name: "help", keys: []string{"?"}},
		{name: "filter", keys: []string{"tab", "/", "c", "l", "i"}},
		{name: "diagnosis", keys: []string{"tab", "G", "d"}},
		{name: "confirm-restart", keys: []string{"j", "r"}},
		{name: "lost-connection", prep: func(m *Model) {
			m.Update(ConnMsg{Source: sourceKubernetes, Where: apiServer, Err: errUnreachable})
		}},
	}
	for _, size := range sizes {
		for _, tt := range tests {
			name := tt.name + "-" + itoa(size.w) + "x" + itoa(size.h)
			t.Run(name, func(t *testing.T) {
				m := loaded(t, Config{Doctor: &fakeDoctor{}, Cluster: &KubeCluster{}})
				m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
				if tt.prep != nil {
					tt.prep(m)
				}
				press(t, m, tt.keys...)
				got := screen(m)
				checkSize(t, got, size.w, size.h)
				checkGolden(t, name, got)
			})
		}
	}
}

func TestServicesScreen(t *testing.T) {
	m := New(Config{Title: "blogctl tui · local · ~/.local/share/blogctl/local", Now: func() time.Time { return now }})
	m.Update(ServicesMsg{Items: []ServiceStatus{
		{Name: "gateway", State: "running", Health: HealthReady, Address: "http://127.0.0.1:8080"},
		{Name: "event-bus", State: "running", Health: HealthReady, Address: "http://127.0.0.1:4005", Restarts: 2},
		{Name: "posts", State: "running", Health: HealthReady, Address: "http://127.0.0.1:4000"},
		{Name: "query", State: "down", Health: HealthUnreachable, Address: "http://127.0.0.1:4002"},
	}})
	m.Update(BlogEventsMsg{Events: fixtureBlogEvents(t)})
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "services-80x24", got)
}

// TestServicesLost checks that services whose system cannot be read any
// more show as unknown, not as they last were, and show again once it can.
func TestServicesLost(t *testing.T) {
	m := New(Config{Title: "blogctl tui · local", Now: func() time.Time { return now }})
	items := []ServiceStatus{
		{Name: "event-bus", State: "running", Health: HealthReady, Address: "http://127.0.0.1:4005"},
		{Name: "posts", State: "running", Health: HealthReady, Address: "http://127.0.0.1:4000"},
	}
	m.Update(ServicesMsg{Items: items})
	m.Update(ConnMsg{Source: "local system", Err: errors.New("the local system is not running")})
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "services-lost-80x24", got)
	if strings.Contains(got, "ready") {
		t.Errorf("a service of a lost system still shows as ready:\n%s", got)
	}
	m.Update(ConnMsg{Source: "local system"})
	if got := screen(m); strings.Contains(got, "unknown") {
		t.Errorf("services still unknown after the system is back:\n%s", got)
	}
}

// TestEmptyNamespace checks that a pane whose list has come says that the
// namespace has none, while a pane still waiting says so.
func TestEmptyNamespace(t *testing.T) {
	m := New(Config{Kubernetes: true, Namespace: "default",
		Title: "blogctl tui · kubernetes · namespace default", Now: func() time.Time { return now }})
	m.Update(DeploymentsMsg{})
	m.Update(PodsMsg{})
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "empty-namespace-80x24", got)
	for _, want := range []string{"no deployments in namespace default", "no pods in namespace default"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
}

// TestBusMissing checks that a bus never reached because it is not there
// says so, wrapped so that its reason can be read, and not that a
// connection was lost.
func TestBusMissing(t *testing.T) {
	m := New(Config{Kubernetes: true, Namespace: "default",
		Title: "blogctl tui · kubernetes · namespace default", Now: func() time.Time { return now }})
	m.Update(ConnMsg{Source: sourceBus, Missing: true, Err: errors.New("service event-bus-srv not found")})
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "bus-missing-80x24", got)
	flat := strings.Join(strings.Fields(got), " ")
	want := "no event bus in namespace default (service event-bus-srv not found); " +
		"blog events will show once it is deployed"
	if !strings.Contains(flat, want) || strings.Contains(got, "LOST") {
		t.Errorf("screen lacks %q or says LOST:\n%s", want, got)
	}

	local := New(Config{Title: "blogctl tui · local", Now: func() time.Time { return now }})
	local.Update(ConnMsg{Source: sourceBus, Missing: true, Err: errors.New("no state file")})
	flat = strings.Join(strings.Fields(screen(local)), " ")
	if want := "no event bus (no state file); blog events will show once it runs"; !strings.Contains(flat, want) {
		t.Errorf("local screen lacks %q:\n%s", want, flat)
	}
}

// TestLocalKeys checks that the help and the footer of a local or Docker
// dashboard offer only the keys that work there: no pods, no deployments.
func TestLocalKeys(t *testing.T) {
	logs := func(context.Context, string) (io.ReadCloser, error) { return nil, io.EOF }
	m := New(Config{Title: "blogctl tui · local", ServiceLogs: logs, Now: func() time.Time { return now }})
	footer := lastLine(screen(m))
	press(t, m, "?")
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "help-local-80x24", got)
	for _, view := range []string{got, footer} {
		for _, bad := range []string{"pod", "deployment", "diagnose", "restart", "fix"} {
			if strings.Contains(view, bad) {
				t.Errorf("local dashboard offers %q:\n%s", bad, view)
			}
		}
	}
	if !strings.Contains(got, "follow the selected service's logs") || !strings.Contains(footer, "l logs") {
		t.Errorf("local dashboard does not offer its logs:\n%s\n%s", got, footer)
	}
}

// TestFooterKeepsHelpAndQuit checks that the footer shows "? help" and
// "q quit" at every width, dropping other hints first.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	for _, kube := range []bool{true, false} {
		for _, w := range []int{40, 80, 100, 132, 200} {
			m := New(Config{Kubernetes: kube, Now: func() time.Time { return now }})
			m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			if got := strings.TrimRight(lastLine(screen(m)), " "); !strings.HasSuffix(got, "? help  q quit") {
				t.Errorf("kubernetes %v, width %d: footer %q lacks ? help and q quit", kube, w, got)
			}
		}
	}
}

// TestColumnsFitContent checks that at 160 columns a pod's name takes what
// it needs, not the whole line, that an event's reason is not cut, and
// that at least two blanks part a column from the next.
func TestColumnsFitContent(t *testing.T) {
	m := loaded(t, Config{})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	got := screen(m)
	for _, want := range []string{
		"  client-depl-5d9c7b8f6-x2k9z      0/1    ErrImageNeverPull",
		"  WARN    ErrImageNeverPull  pod/client-depl-5d9c7b8f6-x2k9z  Container",
		"  3     CommentModerated  comment",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
}

// TestSpareLinesGoToCutPanes checks that at 160x50 the services pane
// keeps no blank lines while the blog events are cut.
func TestSpareLinesGoToCutPanes(t *testing.T) {
	m := New(Config{Title: "blogctl tui · local", Now: func() time.Time { return now }})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	m.Update(ServicesMsg{Items: []ServiceStatus{
		{Name: "event-bus", State: "running", Health: HealthReady},
		{Name: "posts", State: "running", Health: HealthReady},
	}})
	var evs []event.Event
	for i := range 100 {
		ev := fixtureBlogEvents(t)[0]
		ev.Seq = uint64(i + 1)
		evs = append(evs, ev)
	}
	m.Update(BlogEventsMsg{Events: evs})
	if got, want := m.panes[0].height, 4; got != want {
		t.Errorf("services pane is %d lines high, want %d: title, heading, 2 services", got, want)
	}
	if got, want := m.panes[1].bodyHeight(), 50-2-4-2; got != want {
		t.Errorf("blog events show %d rows, want %d", got, want)
	}
	checkSize(t, screen(m), 160, 50)
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

// TestBlogCursorFollowsNewest checks that the blog events' selection stays
// on the newest event as events come, until the user moves it, and then
// stays on the event the user chose.
func TestBlogCursorFollowsNewest(t *testing.T) {
	m := loaded(t, Config{})
	press(t, m, "shift+tab")
	more := func(seq uint64) {
		ev := fixtureBlogEvents(t)[0]
		ev.Seq = seq
		m.Update(BlogEventsMsg{Events: []event.Event{ev}})
	}
	seqOf := func() string { return strings.Split(m.focused().Selected(), "/")[0] }
	more(5)
	more(6)
	if got := seqOf(); got != "6" {
		t.Errorf("after new events the selection is on event %s, want the newest, 6", got)
	}
	press(t, m, "j", "j")
	more(7)
	if got := seqOf(); got != "4" {
		t.Errorf("after the user moved to event 4 and one came, the selection is on %s", got)
	}
	press(t, m, "g")
	more(8)
	if got := seqOf(); got != "8" {
		t.Errorf("back at the top, the selection is on event %s, want the newest, 8", got)
	}
}

// TestResize checks that every width and height gives a screen of exactly
// that size.
func TestResize(t *testing.T) {
	m := loaded(t, Config{})
	for _, size := range [][2]int{{80, 24}, {60, 12}, {200, 60}, {81, 25}, {20, 5}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkSize(t, screen(m), size[0], size[1])
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name      string
		keys      []string
		wantFocus int
		wantSel   string
		wantState state
	}{
		{"tab moves to pods", []string{"tab"}, panePods, "client-depl-5d9c7b8f6-x2k9z", stateDashboard},
		{"shift+tab wraps", []string{"shift+tab"}, 3, "4/", stateDashboard},
		{"arrows move panes", []string{"right", "right", "left"}, panePods, "client-depl-5d9c7b8f6-x2k9z", stateDashboard},
		{"j and down move rows", []string{"tab", "j", "down"}, panePods, "event-bus-depl-5d9c7b8f6-x2k9z", stateDashboard},
		{"k stops at the top", []string{"k", "up"}, paneDeployments, "client-depl", stateDashboard},
		{"G goes last", []string{"G"}, paneDeployments, "query-depl", stateDashboard},
		{"pgdown moves a page", []string{"pgdown"}, paneDeployments, "moderation-depl", stateDashboard},
		{"pgup moves back", []string{"pgdown", "pgup"}, paneDeployments, "client-depl", stateDashboard},
		{"filter narrows", []string{"tab", "/", "q", "u", "enter"}, panePods, "query-depl-5d9c7b8f6-x2k9z", stateDashboard},
		{"esc clears the filter", []string{"tab", "/", "q", "u", "enter", "esc"}, panePods, "client-depl-5d9c7b8f6-x2k9z", stateDashboard},
		{"help opens", []string{"?"}, paneDeployments, "client-depl", stateHelp},
		{"esc leaves help", []string{"?", "esc"}, paneDeployments, "client-depl", stateDashboard},
		{"q leaves help", []string{"?", "q"}, paneDeployments, "client-depl", stateDashboard},
		{"n cancels", []string{"r", "n"}, paneDeployments, "client-depl", stateDashboard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loaded(t, Config{Cluster: &KubeCluster{}})
			if press(t, m, tt.keys...) {
				t.Fatalf("keys %v quit", tt.keys)
			}
			got := []any{m.focus, m.focused().Selected(), m.state}
			if strings.HasSuffix(tt.wantSel, "/") {
				got[1] = m.focused().Selected()[:len(tt.wantSel)]
			}
			if diff := cmp.Diff([]any{tt.wantFocus, tt.wantSel, tt.wantState}, got); diff != "" {
				t.Errorf("keys %v: focus, selection, state (-want +got):\n%s", tt.keys, diff)
			}
		})
	}
}

func TestQuit(t *testing.T) {
	for _, keys := range [][]string{{"q"}, {"ctrl+c"}, {"?", "ctrl+c"}, {"?", "q", "q"}, {"tab", "/", "ctrl+c"}} {
		m := loaded(t, Config{})
		if !press(t, m, keys...) {
			t.Errorf("keys %v did not quit", keys)
		}
	}
	m := loaded(t, Config{})
	if press(t, m, "tab", "/", "q") {
		t.Errorf("q while filtering quit, want it typed into the filter")
	}
}

// TestSelectionSurvivesUpdates checks that a watch update keeps the same
// object selected.
func TestSelectionSurvivesUpdates(t *testing.T) {
	m := loaded(t, Config{})
	press(t, m, "tab", "j", "j", "j")
	before := m.focused().Selected()
	pods := fixturePods()
	m.Update(PodsMsg{Items: append(pods[:1:1], pods[2:]...)}) // one pod less, above the selection
	if got := m.focused().Selected(); got != before {
		t.Errorf("after an update the selection is %q, want %q", got, before)
	}
}

func TestRestartAfterConfirmation(t *testing.T) {
	deps := fixtureDeployments()
	cs := fake.NewClientset(deps[0])
	m := loaded(t, Config{Cluster: &KubeCluster{Clientset: cs, RestartDeployment: kube.RestartDeployment}})
	press(t, m, "G", "r") // query-depl is last; the fake holds only the bus's

	if !strings.Contains(screen(m), "Restart the rollout of deployment query-depl? [y/N]") {
		t.Fatalf("no confirmation prompt in:\n%s", screen(m))
	}
	press(t, m, "y")
	if !strings.Contains(screen(m), "ERROR restarting deployment blog/query-depl") || m.state != stateText {
		t.Errorf("restarting a missing deployment shows no error in full in:\n%s", screen(m))
	}

	press(t, m, "esc", "g", "j", "j", "r", "y") // event-bus-depl, which exists
	if !strings.Contains(screen(m), "restarted the rollout of deployment event-bus-depl") {
		t.Errorf("no restart report in:\n%s", screen(m))
	}
	got, err := cs.AppsV1().Deployments(namespace).Get(t.Context(), "event-bus-depl", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Template.Annotations[kube.RestartedAtAnnotation] == "" {
		t.Errorf("deployment event-bus-depl has no %s annotation after the restart", kube.RestartedAtAnnotation)
	}
}

func TestFixAfterConfirmation(t *testing.T) {
	doc := &fakeDoctor{}
	m := loaded(t, Config{Doctor: doc})
	press(t, m, "tab", "f", "n")
	press(t, m, "f", "y")
	if diff := cmp.Diff([]string{"client-depl-5d9c7b8f6-x2k9z"}, doc.fixed); diff != "" {
		t.Errorf("fixed pods (-want +got):\n%s", diff)
	}
	if !strings.Contains(screen(m), "loaded the image of pod client-depl-5d9c7b8f6-x2k9z") {
		t.Errorf("no fix report in:\n%s", screen(m))
	}
}

func TestActionsNeedTheRightPane(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"d"}, "select a pod in the Pods pane first"},
		{[]string{"l"}, "select a pod in the Pods pane first"},
		{[]string{"f"}, "select a pod in the Pods pane first"},
		{[]string{"tab", "r"}, "select a deployment in the Deployments pane first"},
	}
	for _, tt := range tests {
		m := loaded(t, Config{Doctor: &fakeDoctor{}, Cluster: &KubeCluster{}})
		press(t, m, tt.keys...)
		if !strings.Contains(screen(m), tt.want) {
			t.Errorf("keys %v: screen lacks %q:\n%s", tt.keys, tt.want, screen(m))
		}
	}
}

// TestLogsFollow follows a pod's logs through the fake clientset's log
// stream.
func TestLogsFollow(t *testing.T) {
	pods := fixturePods()
	objs := make([]runtime.Object, len(pods))
	for i, p := range pods {
		objs[i] = p
	}
	cs := fake.NewClientset(objs...)
	m := loaded(t, Config{Cluster: &KubeCluster{Clientset: cs}})
	press(t, m, "tab", "l")
	got := screen(m)
	for _, want := range []string{"Logs of pod client-depl-5d9c7b8f6-x2k9z (following)", "fake logs",
		"the log stream ended"} {
		if !strings.Contains(got, want) {
			t.Errorf("logs screen lacks %q:\n%s", want, got)
		}
	}
	press(t, m, "esc")
	if m.state != stateDashboard {
		t.Errorf("esc left state %d, want the dashboard", m.state)
	}
	// q goes back from the logs too, as in k9s, rather than quitting.
	if press(t, m, "l", "q") || m.state != stateDashboard {
		t.Errorf("l, q quit or left state %d, want the dashboard", m.state)
	}
}

func TestBlogEventsKeepTheLatest(t *testing.T) {
	m := loaded(t, Config{})
	evs := fixtureBlogEvents(t)
	for i := range maxBlogEvents {
		ev := evs[0]
		ev.Seq = uint64(10 + i)
		m.Update(BlogEventsMsg{Events: []event.Event{ev}})
	}
	if len(m.blog) != maxBlogEvents || m.blog[len(m.blog)-1].Seq != 10+maxBlogEvents-1 {
		t.Errorf("kept %d events ending at %d, want %d ending at %d", len(m.blog),
			m.blog[len(m.blog)-1].Seq, maxBlogEvents, 10+maxBlogEvents-1)
	}
	m.Update(BlogEventsMsg{Reset: true, Events: evs[:1]})
	if len(m.blog) != 1 {
		t.Errorf("after a reset %d events are kept, want 1", len(m.blog))
	}
}

func TestServiceLogs(t *testing.T) {
	opened := ""
	m := New(Config{ServiceLogs: func(_ context.Context, name string) (io.ReadCloser, error) {
		opened = name
		return io.NopCloser(strings.NewReader("posts serving\n")), nil
	}})
	m.Update(ServicesMsg{Items: []ServiceStatus{{Name: "gateway"}, {Name: "posts"}}})
	press(t, m, "j", "l")
	if opened != "posts" || !strings.Contains(screen(m), "posts serving") {
		t.Errorf("l opened the logs of %q and shows:\n%s\nwant those of posts", opened, screen(m))
	}
}

// TestColorChangesNoContent checks that colour only styles the screen:
// without its escape codes, the coloured screen is the plain one.
func TestColorChangesNoContent(t *testing.T) {
	for _, keys := range [][]string{nil, {"tab", "j"}, {"?"}} {
		plain, colored := loaded(t, Config{}), loaded(t, Config{Color: true})
		press(t, plain, keys...)
		press(t, colored, keys...)
		if colored.View().Content == plain.View().Content {
			t.Errorf("keys %v: the coloured screen has no styles", keys)
		}
		if diff := cmp.Diff(screen(plain), screen(colored)); diff != "" {
			t.Errorf("keys %v: coloured and plain screens differ (-plain +coloured):\n%s", keys, diff)
		}
	}
}
