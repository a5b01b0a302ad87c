package tui

import (
	"strings"
	"testing"
	"time"
)

// TestKubeLostIsUnmissable checks that a lost API server shows a banner
// naming it, marks the Kubernetes panes stale and stops their ages, and
// that its return clears both.
func TestKubeLostIsUnmissable(t *testing.T) {
	clock := now
	m := loaded(t, Config{})
	m.cfg.Now = func() time.Time { return clock }
	m.Update(ConnMsg{Source: sourceKubernetes, Where: apiServer, Err: errUnreachable})
	clock = clock.Add(10 * time.Minute)
	m.Update(tickMsg(clock))

	got := screen(m)
	flat := strings.Join(strings.Fields(got), " ")
	want := "CONNECTION LOST to the Kubernetes API server " + apiServer + ", reconnecting…"
	if !strings.Contains(flat, want) {
		t.Errorf("screen lacks %q:\n%s", want, got)
	}
	for _, title := range []string{"Deployments", "Pods", "Kubernetes events"} {
		if !strings.Contains(got, title+" (") || strings.Count(got, "STALE, as of 12:00:00") != 3 {
			t.Errorf("pane %s is not marked stale:\n%s", title, got)
		}
	}
	if strings.Contains(got, "100m") || !strings.Contains(got, "90m") {
		t.Errorf("ages went on while the API server was lost:\n%s", got)
	}
	if strings.Contains(got, "Blog events ·") {
		t.Errorf("the blog events, which do not come from the API server, are marked stale:\n%s", got)
	}

	m.Update(ConnMsg{Source: sourceKubernetes, Where: apiServer})
	got = screen(m)
	if strings.Contains(got, "CONNECTION LOST") || strings.Contains(got, "STALE") || !strings.Contains(got, "100m") {
		t.Errorf("after the API server came back the screen still shows it lost:\n%s", got)
	}
}
