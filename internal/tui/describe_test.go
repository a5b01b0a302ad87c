package tui

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestDescribeKubeEvent checks that enter on a Kubernetes event shows it
// in full, its message not cut, and that esc goes back.
func TestDescribeKubeEvent(t *testing.T) {
	m := loaded(t, Config{})
	ev := fixtureKubeEvents()[1]
	ev.Count, ev.FirstTimestamp = 4, ago(5*time.Minute)
	ev.Source = corev1.EventSource{Component: "kubelet", Host: "node-1"}
	m.Update(KubeEventsMsg{Items: []*corev1.Event{ev, fixtureKubeEvents()[0]}})
	press(t, m, "tab", "tab", "enter")
	got := screen(m)
	checkSize(t, got, 80, 24)
	checkGolden(t, "kube-event-80x24", got)
	flat := strings.Join(strings.Fields(got), " ")
	for _, want := range []string{"Type: Warning", "Reason: ErrImageNeverPull", "Count: 4",
		"First seen: 2026-12-03 11:55:00 UTC (5m ago)", "Source: kubelet, node-1",
		`Container image "blogctl/client:dev" is not present with pull policy of Never`} {
		if !strings.Contains(flat, want) {
			t.Errorf("event view lacks %q:\n%s", want, got)
		}
	}
	press(t, m, "esc")
	if m.state != stateDashboard || m.focus != paneKubeEvents {
		t.Errorf("esc left state %d, focus %d; want the dashboard on the events", m.state, m.focus)
	}
}

// TestDescribeBlogEvent checks that d on a blog event shows its JSON.
func TestDescribeBlogEvent(t *testing.T) {
	m := loaded(t, Config{})
	press(t, m, "shift+tab", "j", "d")
	got := screen(m)
	for _, want := range []string{"Blog event 3 CommentModerated", `"type": "CommentModerated"`,
		`"status": "rejected"`, `"seq": 3`} {
		if !strings.Contains(got, want) {
			t.Errorf("blog event view lacks %q:\n%s", want, got)
		}
	}
}

// slowDoctor fails every fix with err.
type slowDoctor struct {
	fakeDoctor
	err error
}

func (d *slowDoctor) Fix(context.Context, *corev1.Pod) (string, error) { return "", d.err }

// TestLongResultOpensInFull checks that a result that does not fit the
// footer opens, wrapped, in the detail view, and one that fits does not.
func TestLongResultOpensInFull(t *testing.T) {
	long := errors.New("fixing client-depl-5d9c7b8f6-x2k9z: load image blogctl/client:dev into the node: " +
		"the replacement pod client-depl-5d9c7b8f6-abcde did not get its image within 1m30s: " +
		"ErrImageNeverPull: the kubelet refuses the image it pulled before under another name")
	m := loaded(t, Config{Doctor: &slowDoctor{err: long}})
	press(t, m, "tab", "f", "y")
	got := screen(m)
	checkSize(t, got, 80, 24)
	flat := strings.Join(strings.Fields(got), " ")
	if m.state != stateText || !strings.Contains(flat, "ERROR "+long.Error()) ||
		!strings.Contains(got, "Safe fix of pod client-depl-5d9c7b8f6-x2k9z") {
		t.Errorf("a long error is not shown in full:\n%s", got)
	}
	press(t, m, "esc")
	if m.state != stateDashboard {
		t.Errorf("esc left state %d, want the dashboard", m.state)
	}

	short := loaded(t, Config{Doctor: &slowDoctor{err: errors.New("no node")}})
	press(t, short, "tab", "f", "y")
	if short.state != stateDashboard || !strings.Contains(lastLine(screen(short)), "ERROR no node") {
		t.Errorf("a short error is not in the footer:\n%s", screen(short))
	}
}

// sameSecondEvents are n events of one pod in the same second, named as
// the API server names them, with a growing suffix.
func sameSecondEvents(n int) []*corev1.Event {
	out := make([]*corev1.Event, n)
	for i := range out {
		out[i] = &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "posts-depl-5d9c7b8f6-x2k9z.18" + itoa(100+i), Namespace: namespace},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "posts-depl-5d9c7b8f6-x2k9z"},
			Type:           corev1.EventTypeNormal, Reason: "Pulled" + itoa(i), LastTimestamp: ago(time.Minute),
		}
	}
	return out
}

// TestKubeEventsKeepTheirOrder checks that events of the same second come
// in the same order whatever order the informer lists them in.
func TestKubeEventsKeepTheirOrder(t *testing.T) {
	evs := sameSecondEvents(6)
	reasons := func(rows []row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.cells[2])
		}
		return out
	}
	want := reasons(kubeEventRows(evs, now))
	for range 20 {
		rand.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		if diff := cmp.Diff(want, reasons(kubeEventRows(evs, now))); diff != "" {
			t.Fatalf("order changed with the list's order (-first +now):\n%s", diff)
		}
	}
	if want[0] != "Pulled5" {
		t.Errorf("first event is %s, want the last named, Pulled5", want[0])
	}
}

// TestKubeEventsFollowNewest checks that the events' selection stays on
// the newest while it is on the top row, and on the user's row otherwise.
func TestKubeEventsFollowNewest(t *testing.T) {
	m := loaded(t, Config{})
	m.Update(tea.WindowSizeMsg{Width: 132, Height: 40})
	press(t, m, "tab", "tab")
	evs := fixtureKubeEvents()
	add := func(name string, d time.Duration) {
		e := evs[0].DeepCopy()
		e.Name, e.LastTimestamp = name, ago(d)
		evs = append(evs, e)
		m.Update(KubeEventsMsg{Items: evs})
	}
	add("new1", time.Second)
	if got := m.focused().Selected(); got != "new1" {
		t.Errorf("at the top, after a new event the selection is on %s, want new1", got)
	}
	press(t, m, "j")
	add("new2", 0)
	if got := m.focused().Selected(); got != "e2" {
		t.Errorf("moved down to e2, after a new event the selection is on %s, want e2", got)
	}
}
