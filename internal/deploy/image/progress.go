package image

import (
	"fmt"
	"io"
	"strings"

	"github.com/schollz/progressbar/v3"
)

// Progress shows how a build or push goes. Each Begin is followed by any
// number of Status and Count calls, then one End.
type Progress interface {
	// Begin starts a task, such as "building posts".
	Begin(task string)
	// Status reports a line of what the engine says.
	Status(msg string)
	// Count reports how far the task is: steps or bytes.
	Count(current, total int64, bytes bool)
	// End finishes the task with a one-line summary.
	End(summary string)
}

// NewProgress returns progress bars on a terminal and plain lines otherwise.
func NewProgress(w io.Writer, terminal bool) Progress {
	if terminal {
		return &barProgress{w: w}
	}
	return &lineProgress{w: w}
}

// lineProgress prints one line per task start, engine message and summary.
type lineProgress struct {
	w    io.Writer
	task string
	last string
}

// Begin prints the task only once there is something to say about it, so a
// task that ends at once takes one line.
func (p *lineProgress) Begin(task string) {
	p.task, p.last = task, ""
}

func (p *lineProgress) Status(msg string) {
	msg = strings.TrimSpace(msg)
	if msg == "" || msg == p.last {
		return
	}
	if p.task != "" {
		fmt.Fprintln(p.w, p.task)
		p.task = ""
	}
	p.last = msg
	fmt.Fprintf(p.w, "  %s\n", msg)
}

func (p *lineProgress) Count(int64, int64, bool) {}

func (p *lineProgress) End(summary string) { fmt.Fprintln(p.w, summary) }

// barProgress draws one progress bar per task.
type barProgress struct {
	w     io.Writer
	task  string
	bar   *progressbar.ProgressBar
	bytes bool
}

func (p *barProgress) Begin(task string) {
	p.task = task
	p.bar = progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(task),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionEnableColorCodes(false),
	)
}

func (p *barProgress) Status(msg string) {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return
	}
	if len(msg) > 40 {
		msg = msg[:40] + "…"
	}
	p.bar.Describe(p.task + ": " + msg)
}

func (p *barProgress) Count(current, total int64, bytes bool) {
	if total <= 0 {
		return
	}
	if p.bar.GetMax64() != total || p.bytes != bytes {
		p.bytes = bytes
		_ = p.bar.Clear()
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.task),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowBytes(bytes),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set64(current)
}

func (p *barProgress) End(summary string) {
	_ = p.bar.Finish()
	fmt.Fprintln(p.w, summary)
}
