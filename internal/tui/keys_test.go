package tui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"
)

// TestKeysNotOnTarget checks that the Kubernetes keys say, on a local or
// Docker dashboard, that they do nothing on that target.
func TestKeysNotOnTarget(t *testing.T) {
	tests := []struct {
		target string
		keys   []string
		want   string
	}{
		{"local", []string{"r"}, "not available on the local target: rollout restarts are for Kubernetes deployments"},
		{"local", []string{"d"}, "not available on the local target: there are no pods to diagnose"},
		{"local", []string{"enter"}, "not available on the local target: there are no pods to diagnose"},
		{"local", []string{"f"}, "not available on the local target: the doctor's safe fix is for Kubernetes pods"},
		{"docker", []string{"f"}, "not available on the docker target: the doctor's safe fix is for Kubernetes pods"},
		{"docker", []string{"tab", "r"}, "not available on the docker target: rollout restarts"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+strings.Join(tt.keys, " "), func(t *testing.T) {
			m := New(Config{Target: tt.target, Doctor: &fakeDoctor{}, Now: func() time.Time { return now }})
			m.Update(tea.WindowSizeMsg{Width: 132, Height: 24})
			m.Update(ServicesMsg{Items: []ServiceStatus{{Name: "posts", State: "running", Health: HealthReady}}})
			press(t, m, tt.keys...)
			if got := lastLine(screen(m)); !strings.Contains(got, tt.want) || m.state != stateDashboard {
				t.Errorf("keys %v: footer %q, state %d; want %q on the dashboard", tt.keys, got, m.state, tt.want)
			}
		})
	}
}

// TestFooterHintsByPane checks that the footer offers the keys of the
// focused pane on its target, and no others.
func TestFooterHintsByPane(t *testing.T) {
	logs := func(context.Context, string) (io.ReadCloser, error) { return nil, io.EOF }
	tests := []struct {
		name string
		m    func(t *testing.T) *Model
		keys []string
		want string
	}{
		{"deployments", func(t *testing.T) *Model { return loaded(t, Config{}) }, nil, "r restart"},
		{"pods", func(t *testing.T) *Model { return loaded(t, Config{}) }, []string{"tab"},
			"d diagnose  l logs  f fix"},
		{"kubernetes events", func(t *testing.T) *Model { return loaded(t, Config{}) }, []string{"tab", "tab"},
			"enter details"},
		{"blog events", func(t *testing.T) *Model { return loaded(t, Config{}) }, []string{"shift+tab"},
			"enter details"},
		{"services", func(*testing.T) *Model { return New(Config{ServiceLogs: logs}) }, nil, "l logs"},
		{"local blog events", func(*testing.T) *Model { return New(Config{ServiceLogs: logs}) }, []string{"tab"},
			"enter details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m(t)
			m.Update(tea.WindowSizeMsg{Width: 132, Height: 24})
			press(t, m, tt.keys...)
			got := strings.TrimRight(lastLine(screen(m)), " ")
			want := "tab pane  j/k row  / filter  " + tt.want + "  ? help  q quit"
			if got != want {
				t.Errorf("footer = %q, want %q", got, want)
			}
		})
	}
}

// TestFilterStartsFresh checks that "/" starts a new filter rather than
// adding to the one kept, and that esc clears it.
func TestFilterStartsFresh(t *testing.T) {
	m := loaded(t, Config{})
	press(t, m, "tab", "/", "q", "u", "e", "r", "y", "enter")
	press(t, m, "/", "c", "l", "i")
	if got := m.focused().filter; got != "cli" {
		t.Errorf("after /query then /cli the filter is %q, want cli", got)
	}
	press(t, m, "enter")
	if diff := cmp.Diff("client-depl-5d9c7b8f6-x2k9z", m.focused().Selected()); diff != "" {
		t.Errorf("selection (-want +got):\n%s", diff)
	}
	press(t, m, "esc")
	if got := len(m.focused().visible()); m.focused().filter != "" || got != len(fixturePods()) {
		t.Errorf("after esc the filter is %q showing %d pods, want none and every pod", m.focused().filter, got)
	}
}

// TestLongMessageWraps checks that a message too long for the footer
// takes more lines, whole, in a screen that keeps its size, and gives
// them back at the next key.
func TestLongMessageWraps(t *testing.T) {
	m := New(Config{Target: "local", Now: func() time.Time { return now }})
	m.Update(ServicesMsg{Items: []ServiceStatus{{Name: "posts", State: "running", Health: HealthReady}}})
	press(t, m, "d")
	got := screen(m)
	checkSize(t, got, 80, 24)
	flat := strings.Join(strings.Fields(got), " ")
	want := "not available on the local target: there are no pods to diagnose; l follows the selected service's logs"
	if !strings.Contains(flat, want) {
		t.Errorf("screen lacks %q:\n%s", want, got)
	}
	press(t, m, "j")
	if got := screen(m); strings.Contains(got, "not available") || !strings.HasSuffix(strings.TrimRight(got, " "), "q quit") {
		t.Errorf("after another key the message stays:\n%s", got)
	}
	checkSize(t, screen(m), 80, 24)
}
