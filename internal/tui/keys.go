package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// keyScope says on which dashboards a key does something.
type keyScope int

const (
	keysAll keyScope = iota
	// keysKube are the keys of the Kubernetes panes: pods and deployments.
	keysKube
	// keysServiceLogs is "l" on a local or Docker system with logs.
	keysServiceLogs
)

// keyHelp lists every key, as "?" shows it.
var keyHelp = []struct {
	keys, what string
	scope      keyScope
}{
	{"tab, right", "next pane", keysAll},
	{"shift+tab, left", "previous pane", keysAll},
	{"j, down", "next row", keysAll},
	{"k, up", "previous row", keysAll},
	{"g, G", "first row, last row", keysAll},
	{"pgup, pgdown", "a page of rows up or down", keysAll},
	{"/", "filter the pane's rows afresh (enter keeps, esc clears)", keysAll},
	{"enter, d", "diagnose the selected pod, as blogctl doctor does", keysKube},
	{"enter, d", "show the selected event in full", keysAll},
	{"l", "follow the selected pod's logs", keysKube},
	{"l", "follow the selected service's logs", keysServiceLogs},
	{"r", "restart the selected deployment's rollout (asks first)", keysKube},
	{"f", "apply the doctor's safe fix to the selected pod (asks first)", keysKube},
	{"?", "this help", keysAll},
	{"esc", "back, or clear the filter", keysAll},
	{"q", "back from a view; quit from the dashboard", keysAll},
	{"ctrl+c", "quit", keysAll},
}

// applies reports whether keys of scope do something on this dashboard.
func (m *Model) applies(scope keyScope) bool {
	switch scope {
	case keysKube:
		return m.cfg.Kubernetes
	case keysServiceLogs:
		return !m.cfg.Kubernetes && m.cfg.ServiceLogs != nil
	}
	return true
}

// handleKey dispatches a key by the screen's state.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		m.detail.stop()
		return tea.Quit
	}
	switch {
	case m.state == stateFilter:
		m.filterKey(k)
		return nil
	case m.state == stateConfirm:
		return m.confirmKey(k)
	case m.inView():
		return m.detailKey(k)
	}
	return m.dashboardKey(k)
}

func (m *Model) dashboardKey(k tea.KeyPressMsg) tea.Cmd {
	m.message = ""
	switch k.String() {
	case "q":
		return tea.Quit
	case "tab", "right":
		m.focus = (m.focus + 1) % len(m.panes)
	case "shift+tab", "left":
		m.focus = (m.focus + len(m.panes) - 1) % len(m.panes)
	case "j", "down":
		m.focused().Move(1)
	case "k", "up":
		m.focused().Move(-1)
	case "g", "home":
		m.focused().Move(-1 << 30)
	case "G", "end":
		m.focused().Move(1 << 30)
	case "pgup":
		m.focused().Move(-max(m.focused().bodyHeight(), 1))
	case "pgdown":
		m.focused().Move(max(m.focused().bodyHeight(), 1))
	case "/":
		m.state, m.filter = stateFilter, ""
		m.focused().SetFilter("")
	case "esc":
		m.focused().SetFilter("")
	case "?":
		m.detail.open("Keys", m.helpText(), false)
		m.state = stateHelp
	case "enter", "d":
		return m.describe()
	case "l":
		return m.followLogs()
	case "r":
		m.askRestart()
	case "f":
		m.askFix()
	}
	return nil
}

// filterKey edits the filter, applying it as it is typed.
func (m *Model) filterKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "enter":
		m.state = stateDashboard
		return
	case "esc":
		m.filter = ""
		m.state = stateDashboard
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	default:
		if k.Text != "" {
			m.filter += k.Text
		}
	}
	m.focused().SetFilter(m.filter)
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	c := m.confirm
	m.confirm, m.state = nil, stateDashboard
	if k.String() == "y" || k.String() == "Y" {
		m.message = "working…"
		return c.run
	}
	m.message = "cancelled"
	return nil
}

// detailKey handles the keys of a full-screen view: esc or q goes back to
// the dashboard, as in k9s's log and describe views.
func (m *Model) detailKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc", "q":
		m.detail.stop()
		m.state = stateDashboard
		return nil
	}
	return m.detail.scroll(k)
}

func (m *Model) helpText() []string {
	lines := make([]string, 0, len(keyHelp))
	for _, kh := range keyHelp {
		if m.applies(kh.scope) {
			lines = append(lines, fmt.Sprintf("  %-17s %s", kh.keys, kh.what))
		}
	}
	return lines
}
