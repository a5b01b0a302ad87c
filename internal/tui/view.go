package tui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// View renders the whole screen: header, connection banners, the panes or
// a detail view, and the footer.
func (m *Model) View() tea.View {
	lines := []string{m.header()}
	lines = append(lines, m.banners()...)
	if m.inView() {
		lines = append(lines, m.detail.View(m.st))
	} else {
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
	right := alwaysKeys
	if m.inView() {
		right = viewQuitKey
	}
	left := fit(m.cfg.Title, max(m.width-len(right)-1, 0))
	return m.st.focusedTitle.Render(left + " " + right)
}

// banners says, per source, which connections are lost or which sources
// are not there, each in at most two lines.
func (m *Model) banners() []string {
	sources := make([]string, 0, len(m.lost))
	for s := range m.lost {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	var out []string
	for _, s := range sources {
		for _, l := range wrap(m.bannerText(s), m.width, 2) {
			out = append(out, m.st.banner.Render(l))
		}
	}
	return out
}

func (m *Model) bannerText(source string) string {
	reason := oneLine(m.lost[source].Error())
	if !m.missing[source] {
		where := ""
		if w := m.where[source]; w != "" {
			where = " " + w
		}
		return "CONNECTION LOST to the " + source + where + ", reconnecting… (" + reason + ")"
	}
	where, when := "", "it runs"
	if m.cfg.Kubernetes {
		where, when = " in namespace "+m.cfg.Namespace, "it is deployed"
	}
	return "no " + source + where + " (" + reason + "); blog events will show once " + when
}

// wrap breaks s into lines of width, at most n of them, the last cut with
// "…" when s needs more; every line is exactly width wide.
func wrap(s string, width, n int) []string {
	if width <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wrap(s, width, ""), "\n")
	if len(lines) > n {
		lines[n-1] = strings.Join(lines[n-1:], " ")
		lines = lines[:n]
	}
	for i, l := range lines {
		lines[i] = fit(strings.TrimRight(l, " "), width)
	}
	return lines
}

// alwaysKeys end the dashboard's footer at any width.
const alwaysKeys = "? help  q quit"

// viewQuitKey is how to quit from a full-screen view, where q goes back.
const viewQuitKey = "ctrl+c quit"

// inView reports whether a full-screen view (help, a diagnosis, logs or a
// text) is open.
func (m *Model) inView() bool {
	switch m.state {
	case stateHelp, stateDiagnosis, stateLogs, stateText:
		return true
	}
	return false
}

// maxFooterLines is how many lines a message may take in the footer.
const maxFooterLines = 3

// footer renders the footer's lines.
func (m *Model) footer() string {
	lines := m.footerLines()
	for i, l := range lines {
		lines[i] = m.st.footer.Render(l)
	}
	return strings.Join(lines, "\n")
}

// footerLines are the footer's lines: one, or up to maxFooterLines for a
// message too long to fit beside the keys, so that it can be read.
func (m *Model) footerLines() []string {
	if m.state == stateDashboard && m.message != "" && ansi.StringWidth(m.message) > m.messageWidth() {
		if lines := wrap(m.message, m.width, maxFooterLines); len(lines) > 0 {
			return lines
		}
	}
	var text string
	switch {
	case m.state == stateFilter:
		text = "filter /" + m.filter + "_  (enter keeps, esc clears)"
	case m.state == stateConfirm:
		text = m.confirm.prompt + " [y/N]"
	case m.state != stateDashboard:
		text = "esc/q back  j/k up/down pgup/pgdown scroll  " + viewQuitKey
	case m.message != "":
		text = fit(m.message, m.messageWidth()) + "  " + alwaysKeys
	default:
		text = m.keyHints()
	}
	return []string{fit(text, m.width)}
}

// fitFooter lays the screen out again when the footer's height changed.
func (m *Model) fitFooter() {
	if n := len(m.footerLines()); n != m.footerHeight {
		m.footerHeight = n
		m.layout()
	}
}

// keyHints lists the dashboard's keys that fit beside alwaysKeys, which
// always shows.
func (m *Model) keyHints() string {
	hints := append([]string{"tab pane", "j/k row", "/ filter"}, m.paneKeys()...)
	text := alwaysKeys
	for i := len(hints); i >= 0; i-- {
		text = strings.Join(append(hints[:i:i], alwaysKeys), "  ")
		if ansi.StringWidth(text) <= m.width {
			break
		}
	}
	return text
}

// paneKeys are the keys that act on the focused pane's selected row.
func (m *Model) paneKeys() []string {
	switch {
	case m.focus == len(m.panes)-1, m.cfg.Kubernetes && m.focus == paneKubeEvents:
		return []string{"enter details"}
	case m.cfg.Kubernetes && m.focus == paneDeployments:
		return []string{"r restart"}
	case m.cfg.Kubernetes && m.focus == panePods:
		return []string{"d diagnose", "l logs", "f fix"}
	case m.cfg.ServiceLogs != nil:
		return []string{"l logs"}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
