package tui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// View renders the whole screen: header, connection banners, the panes or
// a detail view, and the footer.
func (m *Model) View() tea.View {
	lines := []string{m.header()}
	lines = append(lines, m.banners()...)
	switch m.state {
	case stateHelp, stateDiagnosis, stateLogs:
		lines = append(lines, m.detail.View(m.st))
	default:
		for i, p := range m.panes {
			if v := p.View(m.st, i == m.focus); v != "" {
				lines = append(lines, v)
			}
		}
	}
	lines = append(lines, m.footer())
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.WindowTitle = "blogctl tui"
	return v
}

func (m *Model) header() string {
	right := "? help  q quit"
	left := fit(m.cfg.Title, max(m.width-len(right)-1, 0))
	return m.st.focusedTitle.Render(left + " " + right)
}

// banners says, one line per source, which connections are lost.
func (m *Model) banners() []string {
	sources := make([]string, 0, len(m.lost))
	for s := range m.lost {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	out := make([]string, 0, len(sources))
	for _, s := range sources {
		msg := "CONNECTION LOST to the " + s + ", reconnecting: " + oneLine(m.lost[s].Error())
		out = append(out, m.st.banner.Render(fit(msg, m.width)))
	}
	return out
}

func (m *Model) footer() string {
	var text string
	switch {
	case m.state == stateFilter:
		text = "filter /" + m.filter + "_  (enter keeps, esc clears)"
	case m.state == stateConfirm:
		text = m.confirm.prompt + " [y/N]"
	case m.state != stateDashboard:
		text = "esc back  j/k up/down pgup/pgdown scroll  q quit"
	case m.message != "":
		text = m.message
	case m.cfg.Kubernetes:
		text = "tab pane  j/k row  / filter  d diagnose  l logs  r restart  f fix  ? help"
	default:
		text = "tab pane  j/k row  / filter  ? help  q quit"
	}
	return m.st.footer.Render(fit(text, m.width))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
