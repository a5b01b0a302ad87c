package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/event"
)

// Messages that sources send into the program.
type (
	// DeploymentsMsg is every deployment of the namespace, as watched.
	DeploymentsMsg struct{ Items []*appsv1.Deployment }
	// PodsMsg is every pod of the namespace, as watched.
	PodsMsg struct{ Items []*corev1.Pod }
	// KubeEventsMsg is every Kubernetes event of the namespace, as watched.
	KubeEventsMsg struct{ Items []*corev1.Event }
	// ServicesMsg is every service or container of a local or Docker
	// system, with its health.
	ServicesMsg struct{ Items []ServiceStatus }
	// BlogEventsMsg carries events read from the bus, oldest first. Reset
	// says the bus's log started over (it lost its events), so the events
	// shown so far are gone.
	BlogEventsMsg struct {
		Events []event.Event
		Reset  bool
	}
	// ConnMsg says that the connection to Source was lost (Err set) or is
	// back (Err nil). Missing says that Source was never reached because
	// it is not there (not deployed): Err then says what was not found.
	// Where, when known, says where Source was looked for: a URL.
	ConnMsg struct {
		Source  string
		Where   string
		Err     error
		Missing bool
	}
)

// Messages the dashboard sends itself.
type (
	tickMsg      time.Time
	diagnosisMsg struct {
		pod string
		d   Diagnosis
		err error
	}
	// actionDoneMsg is an action's result: what it did, or why it failed.
	// title names the action, for the detail view of a long result.
	actionDoneMsg struct {
		title string
		what  string
		err   error
	}
	logLineMsg struct {
		stream int
		line   string
	}
	logEndMsg struct {
		stream int
		err    error
	}
)

// listen returns a command that waits for the next message of feed.
func listen(feed <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-feed
		if !ok {
			return nil
		}
		return msg
	}
}

// tick returns a command that sends a tickMsg after d, to refresh ages.
func tick(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return tickMsg(t) })
}
