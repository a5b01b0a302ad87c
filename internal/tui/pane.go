package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one column of a pane: its heading and its width. A width of
// zero makes the column take whatever the other columns leave. A column
// grows up to upTo to fit its longest cell while the flexible column keeps
// minFlex. A flexible column with fit takes no more than its longest cell
// needs, leaving the rest of the line blank.
type column struct {
	title string
	width int
	upTo  int
	fit   bool
}

// gap is the blank between two columns.
const gap = "  "

// minFlex is the width the flexible column keeps before others grow.
const minFlex = 24

// row is one line of a pane. key identifies the object behind it (a pod's
// name, a deployment's name) across updates, so the selection survives a
// refresh; warn marks a row that needs attention.
type row struct {
	key   string
	cells []string
	warn  bool
}

// pane is a titled table with a selected row and a filter, the component
// every part of the dashboard is made of.
type pane struct {
	title   string
	columns []column
	rows    []row
	// empty is shown in place of rows when there are none.
	empty string
	// newestFirst keeps the selection on the top row, the newest, while it
	// is there when rows come: new rows do not push it down.
	newestFirst bool
	// stale, when set, says in the title that the rows are not live.
	stale string

	filter   string
	cursor   int
	offset   int
	width    int
	height   int
	selected string
}

func newPane(title, empty string, cols ...column) *pane {
	return &pane{title: title, columns: cols, empty: empty}
}

// SetSize gives the pane its width and height, title and heading included.
func (p *pane) SetSize(width, height int) {
	p.width, p.height = width, height
	p.clamp()
}

// SetRows replaces the pane's rows, keeping the selected object selected
// when it is still there.
func (p *pane) SetRows(rows []row) {
	atTop := p.cursor == 0
	p.rows = rows
	switch i := p.indexOf(p.selected); {
	case p.newestFirst && atTop:
		p.cursor, p.offset = 0, 0
	case i >= 0:
		p.cursor = i
	}
	p.clamp()
}

// SetFilter shows only the rows that contain f, ignoring case.
func (p *pane) SetFilter(f string) {
	p.filter = f
	p.cursor, p.offset = 0, 0
	p.clamp()
}

// Move moves the selection by delta rows.
func (p *pane) Move(delta int) {
	p.cursor += delta
	p.clamp()
}

// Selected returns the key of the selected row, or "" when the pane shows
// no rows.
func (p *pane) Selected() string {
	vis := p.visible()
	if len(vis) == 0 {
		return ""
	}
	return vis[p.cursor].key
}

func (p *pane) indexOf(key string) int {
	for i, r := range p.visible() {
		if key != "" && r.key == key {
			return i
		}
	}
	return -1
}

// visible returns the rows that pass the filter.
func (p *pane) visible() []row {
	if p.filter == "" {
		return p.rows
	}
	f := strings.ToLower(p.filter)
	var out []row
	for _, r := range p.rows {
		if strings.Contains(strings.ToLower(strings.Join(r.cells, " ")), f) {
			out = append(out, r)
		}
	}
	return out
}

// need is the height that shows every row: title, heading and rows, or
// the line that says there are none.
func (p *pane) need() int { return 2 + max(len(p.rows), 1) }

// bodyHeight is how many rows fit under the title and heading.
func (p *pane) bodyHeight() int { return max(p.height-2, 0) }

func (p *pane) clamp() {
	n := len(p.visible())
	p.cursor = min(max(p.cursor, 0), max(n-1, 0))
	h := p.bodyHeight()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if h > 0 && p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = min(p.offset, max(n-h, 0))
	if n > 0 {
		p.selected = p.visible()[p.cursor].key
	}
}

// View renders the pane in exactly its height. A focused pane marks its
// title and its selected row with ">" as well as with style.
func (p *pane) View(st styles, focused bool) string {
	if p.height <= 0 {
		return ""
	}
	vis := p.visible()
	lines := make([]string, 0, p.height)
	lines = append(lines, p.titleLine(st, focused, len(vis)))
	if p.height > 1 {
		lines = append(lines, st.heading.Render(fit("  "+p.format(p.headings()), p.width)))
	}
	end := min(p.offset+p.bodyHeight(), len(vis))
	for i := p.offset; i < end; i++ {
		lines = append(lines, p.rowLine(st, vis[i], focused && i == p.cursor))
	}
	if len(vis) == 0 && p.height > 2 {
		msg := p.empty
		if p.filter != "" {
			msg = "no rows match the filter"
		}
		lines = append(lines, st.dim.Render(fit("  "+msg, p.width)))
	}
	for len(lines) < p.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (p *pane) titleLine(st styles, focused bool, shown int) string {
	mark := "  "
	style := st.title
	if focused {
		mark, style = "> ", st.focusedTitle
	}
	t := mark + p.title
	switch {
	case p.filter != "":
		t += " (" + itoa(shown) + " of " + itoa(len(p.rows)) + ", filter /" + p.filter + ")"
	case len(p.rows) > p.bodyHeight() && p.bodyHeight() > 0:
		t += " (" + itoa(p.offset+1) + "-" + itoa(min(p.offset+p.bodyHeight(), shown)) +
			" of " + itoa(shown) + ")"
	}
	if p.stale != "" {
		t += " · " + p.stale
	}
	return style.Render(fit(t, p.width))
}

func (p *pane) rowLine(st styles, r row, selected bool) string {
	mark := "  "
	if selected {
		mark = "> "
	}
	line := fit(mark+p.format(r.cells), p.width)
	switch {
	case selected:
		return st.selected.Render(line)
	case r.warn:
		return st.warn.Render(line)
	}
	return line
}

func (p *pane) headings() []string {
	h := make([]string, len(p.columns))
	for i, c := range p.columns {
		h[i] = c.title
	}
	return h
}

// format lays cells out in the pane's columns, after the two-character
// selection mark.
func (p *pane) format(cells []string) string {
	widths := p.widths()
	var b strings.Builder
	for i := range p.columns {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		if i == len(p.columns)-1 {
			b.WriteString(ansi.Truncate(cell, widths[i], "…"))
			break
		}
		b.WriteString(pad(ansi.Truncate(cell, widths[i], "…"), widths[i]) + gap)
	}
	return strings.TrimRight(b.String(), " ")
}

// widths gives every column its width for the pane's width and rows.
func (p *pane) widths() []int {
	widths := make([]int, len(p.columns))
	longest := make([]int, len(p.columns))
	for i, c := range p.columns {
		longest[i] = ansi.StringWidth(c.title)
	}
	for _, r := range p.rows {
		for i, cell := range r.cells {
			if i < len(longest) {
				longest[i] = max(longest[i], ansi.StringWidth(cell))
			}
		}
	}
	flex := p.width - 2 - len(gap)*(len(p.columns)-1)
	for i, c := range p.columns {
		widths[i] = c.width
		flex -= c.width
	}
	for i, c := range p.columns {
		if c.width == 0 || c.upTo <= c.width {
			continue
		}
		grow := min(longest[i], c.upTo) - c.width
		grow = min(max(grow, 0), max(flex-minFlex, 0))
		widths[i] += grow
		flex -= grow
	}
	for i, c := range p.columns {
		if c.width == 0 {
			widths[i] = max(flex, 4)
			if c.fit {
				widths[i] = max(min(flex, longest[i]), 4)
			}
		}
	}
	return widths
}

// fit cuts s to width and pads it to exactly width.
func fit(s string, width int) string {
	return pad(ansi.Truncate(s, width, "…"), width)
}

func pad(s string, width int) string {
	if n := width - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
