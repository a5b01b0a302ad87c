package tui

import (
	"strconv"
	"time"

	"charm.land/lipgloss/v2"
	"k8s.io/apimachinery/pkg/util/duration"
)

// styles are the dashboard's looks. Every meaning they carry is also
// carried by text ("WARN", ">", a banner's words), so that NO_COLOR, or a
// terminal without colour, loses nothing.
type styles struct {
	title        lipgloss.Style
	focusedTitle lipgloss.Style
	heading      lipgloss.Style
	selected     lipgloss.Style
	warn         lipgloss.Style
	dim          lipgloss.Style
	banner       lipgloss.Style
	footer       lipgloss.Style
}

// newStyles returns coloured styles, or plain ones when color is false.
func newStyles(color bool) styles {
	if !color {
		plain := lipgloss.NewStyle()
		return styles{plain, plain, plain, plain, plain, plain, plain, plain}
	}
	return styles{
		title:        lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("7")),
		focusedTitle: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		heading:      lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		selected:     lipgloss.NewStyle().Reverse(true),
		warn:         lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		dim:          lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		banner:       lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
		footer:       lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// age formats how long ago t was as kubectl does: 42s, 5m10s, 3h, 2d.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}
