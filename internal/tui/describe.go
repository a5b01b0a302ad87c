package tui

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/event"
)

// describe shows the selected row in full: a pod's diagnosis, or the
// whole of a Kubernetes or blog event, as k9s's describe does.
func (m *Model) describe() tea.Cmd {
	switch {
	case m.focus == len(m.panes)-1:
		m.describeBlogEvent()
		return nil
	case m.cfg.Kubernetes && m.focus == paneKubeEvents:
		m.describeKubeEvent()
		return nil
	case !m.cfg.Kubernetes:
		m.message = m.notHere("there are no pods to diagnose; l follows the selected service's logs")
		return nil
	}
	return m.diagnose()
}

// notHere says that a key does nothing on this dashboard's target, and why.
func (m *Model) notHere(why string) string {
	return "not available on the " + m.cfg.Target + " target: " + why
}

// showText opens lines in the detail view, wrapped, until esc.
func (m *Model) showText(title string, lines []string) {
	m.detail.open(title, lines, false)
	m.state = stateText
}

func (m *Model) describeKubeEvent() {
	name := m.focused().Selected()
	for _, e := range m.kubeEvents {
		if e.Name == name {
			m.showText("Event "+e.Name, kubeEventText(e, m.cfg.Now()))
			return
		}
	}
	m.message = "select an event first (j/k move)"
}

func (m *Model) describeBlogEvent() {
	key := m.focused().Selected()
	for _, ev := range m.blog {
		if blogKey(ev) == key {
			b, err := json.MarshalIndent(ev, "", "  ")
			if err != nil {
				m.message = "ERROR showing event " + key + ": " + err.Error()
				return
			}
			m.showText("Blog event "+strconv.FormatUint(ev.Seq, 10)+" "+ev.Type, strings.Split(string(b), "\n"))
			return
		}
	}
	m.message = "select a blog event first (j/k move)"
}

// kubeEventText is a Kubernetes event in full, one field a line, as
// "kubectl describe" shows it.
func kubeEventText(e *corev1.Event, now time.Time) []string {
	count := e.Count
	if e.Series != nil && e.Series.Count > count {
		count = e.Series.Count
	}
	source := e.Source.Component
	if e.Source.Host != "" {
		source += ", " + e.Source.Host
	}
	if source == "" {
		source = e.ReportingController
	}
	obj := e.InvolvedObject
	lines := []string{
		"Type:        " + e.Type,
		"Reason:      " + e.Reason,
		"Object:      " + strings.ToLower(obj.Kind) + "/" + obj.Name,
		"Count:       " + strconv.Itoa(int(max(count, 1))),
		"First seen:  " + seen(firstSeen(e), now),
		"Last seen:   " + seen(lastSeen(e), now),
	}
	if source != "" {
		lines = append(lines, "Source:      "+source)
	}
	return append(lines, "Message:", "  "+e.Message)
}

// firstSeen is when an event first happened, whichever API version wrote
// it.
func firstSeen(e *corev1.Event) time.Time {
	switch {
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

func seen(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return t.Format(time.DateTime+" MST") + " (" + age(now, t) + " ago)"
}

// messageWidth is how much of the footer a message may take beside the
// keys that always show.
func (m *Model) messageWidth() int { return max(m.width-len(alwaysKeys)-2, 0) }

// actionDone shows an action's result in the footer, and, when it does not
// fit there, in full in the detail view.
func (m *Model) actionDone(msg actionDoneMsg) {
	text := msg.what
	if msg.err != nil {
		text = "ERROR " + msg.err.Error()
	}
	m.message = text
	if ansi.StringWidth(text) <= m.messageWidth() || m.state != stateDashboard {
		return
	}
	m.showText(msg.title, []string{text})
}

// blogKey identifies a blog event's row.
func blogKey(ev event.Event) string { return strconv.FormatUint(ev.Seq, 10) + "/" + ev.ID }
