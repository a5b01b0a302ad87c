package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// keyHelp lists every key, as "?" shows it.
var keyHelp = [][2]string{
	{"tab, right", "next pane"},
	{"shift+tab, left", "previous pane"},
	{"j, down", "next row"},
	{"k, up", "previous row"},
	{"g, G", "first row, last row"},
	{"pgup, pgdown", "a page of rows up or down"},
	{"/", "filter the pane's rows (enter keeps, esc clears)"},
	{"enter, d", "diagnose the selected pod, as blogctl doctor does"},
	{"l", "follow the selected pod's logs"},
	{"r", "restart the selected deployment's rollout (asks first)"},
	{"f", "apply the doctor's safe fix to the selected pod (asks first)"},
	{"?", "this help"},
	{"esc", "back, or clear the filter"},
	{"q, ctrl+c", "quit"},
}

// handleKey dispatches a key by the screen's state.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		m.detail.stop()
		return tea.Quit
	}
	switch m.state {
	case stateFilter:
		m.filterKey(k)
		return nil
	case stateConfirm:
		return m.confirmKey(k)
	case stateHelp, stateDiagnosis, stateLogs:
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
		m.state, m.filter = stateFilter, m.focused().filter
	case "esc":
		m.focused().SetFilter("")
	case "?":
		m.detail.open("Keys", helpText(), false)
		m.state = stateHelp
	case "enter", "d":
		return m.diagnose()
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

func (m *Model) detailKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.detail.stop()
		m.state = stateDashboard
		return nil
	case "q":
		m.detail.stop()
		return tea.Quit
	}
	return m.detail.scroll(k)
}

func helpText() []string {
	lines := make([]string, 0, len(keyHelp))
	for _, kh := range keyHelp {
		lines = append(lines, fmt.Sprintf("  %-17s %s", kh[0], kh[1]))
	}
	return lines
}
