package tui

import (
	"bufio"
	"context"
	"io"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// detail is the full-screen text view under the header: help, a diagnosis
// or a pod's logs, scrolled with a viewport.
type detail struct {
	vp    viewport.Model
	title string
	lines []string
	// tail keeps the view at the bottom as lines arrive, as long as the
	// user has not scrolled up.
	tail bool
	// wrap breaks long lines between words; a log view, which gets lines
	// too fast to wrap them all again each time, breaks them anywhere.
	wrap bool

	// stream numbers the log streams, so that lines of a closed one are
	// dropped; ch carries the open one's lines.
	stream int
	ch     <-chan tea.Msg
	cancel context.CancelFunc
}

// lineSource is a stream of text lines, such as a pod's logs.
type lineSource = io.ReadCloser

// maxLogLines is how many log lines the view keeps.
const maxLogLines = 5000

// SetSize gives the view its width and height, title included.
func (d *detail) SetSize(width, height int) {
	d.vp.SetWidth(width)
	d.vp.SetHeight(max(height-1, 0))
	d.render()
}

func (d *detail) open(title string, lines []string, tail bool) {
	d.stop()
	d.title, d.lines, d.tail, d.wrap = title, lines, tail, !tail
	d.vp.SetYOffset(0)
	d.render()
}

func (d *detail) render() {
	lines := d.lines
	if w := d.vp.Width(); d.wrap && w > 0 {
		lines = make([]string, 0, len(d.lines))
		for _, l := range d.lines {
			lines = append(lines, wrapWords(l, w)...)
		}
	}
	d.vp.SetContentLines(lines)
	if d.tail {
		d.vp.GotoBottom()
	}
}

// wrapWords breaks line at spaces into lines no wider than width, each
// continuation indented as the line was; only a word longer than a line is
// cut. ansi.Wrap would also break after every hyphen, which splits a
// command such as "blogctl doctor --fix" or a host name in two.
func wrapWords(line string, width int) []string {
	if ansi.StringWidth(line) <= width {
		return []string{line}
	}
	body := strings.TrimLeft(line, " ")
	cur := line[:len(line)-len(body)]
	indent := cur
	if len(indent) >= width/2 {
		indent = ""
	}
	var out []string
	for _, word := range strings.Fields(body) {
		switch {
		case strings.TrimSpace(cur) == "":
			cur += word
		case ansi.StringWidth(cur)+1+ansi.StringWidth(word) <= width:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = indent + word
		}
		for ansi.StringWidth(cur) > width {
			out = append(out, ansi.Truncate(cur, width, ""))
			cur = indent + ansi.TruncateLeft(cur, width, "")
		}
	}
	return append(out, cur)
}

// stop ends the log stream, if one is open.
func (d *detail) stop() {
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
	d.stream++
}

func (d *detail) scroll(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "j":
		d.vp.ScrollDown(1)
	case "k":
		d.vp.ScrollUp(1)
	case "g", "home":
		d.vp.GotoTop()
	case "G", "end":
		d.vp.GotoBottom()
	default:
		var cmd tea.Cmd
		d.vp, cmd = d.vp.Update(k)
		d.tail = d.vp.AtBottom()
		return cmd
	}
	d.tail = d.vp.AtBottom()
	return nil
}

// follow opens a stream with open and feeds its lines into the view until
// the stream ends or the view closes.
func (d *detail) follow(ctx context.Context, open func(context.Context) (lineSource, error)) tea.Cmd {
	ctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	id := d.stream
	ch := make(chan tea.Msg, 64)
	go func() {
		defer close(ch)
		rc, err := open(ctx)
		if err != nil {
			send(ctx, ch, logEndMsg{stream: id, err: err})
			return
		}
		defer rc.Close()
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			if !send(ctx, ch, logLineMsg{stream: id, line: sc.Text()}) {
				return
			}
		}
		send(ctx, ch, logEndMsg{stream: id, err: sc.Err()})
	}()
	d.ch = ch
	return listen(ch)
}

// handleLog adds a line of the open stream, or says that it ended.
func (d *detail) handleLog(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case logLineMsg:
		if msg.stream != d.stream {
			return nil
		}
		d.lines = append(d.lines, msg.line)
		if n := len(d.lines) - maxLogLines; n > 0 {
			d.lines = d.lines[n:]
		}
		d.render()
		return listen(d.ch)
	case logEndMsg:
		if msg.stream != d.stream {
			return nil
		}
		end := "-- the log stream ended --"
		if msg.err != nil {
			end = "-- the log stream ended: " + msg.err.Error() + " --"
		}
		d.lines = append(d.lines, end)
		d.render()
	}
	return nil
}

// View renders the title and the visible lines.
func (d *detail) View(st styles) string {
	return st.focusedTitle.Render(fit("> "+d.title, d.vp.Width())) + "\n" + d.vp.View()
}
