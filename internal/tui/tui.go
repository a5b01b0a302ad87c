// Package tui is blogctl's terminal dashboard: the deployments, pods and
// Kubernetes events of a namespace, or the services of a local or Docker
// system, beside the blog's own event stream, all live, with the
// operator's actions (diagnose, logs, rollout restart, safe fix) a key
// away. Sources watch and send messages; the Model only draws and reacts.
package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"

	tea "charm.land/bubbletea/v2"
	"k8s.io/klog/v2"
)

// Source feeds the dashboard: Start begins watching something and sends
// what it sees on out until ctx ends. It must not block.
type Source interface {
	Start(ctx context.Context, out chan<- tea.Msg)
}

// frameRate is how often, at most, the screen is redrawn. The renderer
// wakes up this often even when nothing changed, so it is kept low: a
// dashboard does not animate.
const frameRate = 20

// Options say what Run shows and where.
type Options struct {
	Config
	Sources []Source
	In      io.Reader
	Out     io.Writer
}

// Run shows the dashboard on the terminal of o.In and o.Out until the user
// quits or ctx ends. Nothing else may write on that terminal meanwhile, so
// Run silences klog, the log package and slog's default logger while it
// runs.
func Run(ctx context.Context, o Options) error {
	restore := silenceLogs()
	defer restore()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := make(chan tea.Msg, 64)
	for _, s := range o.Sources {
		s.Start(ctx, feed)
	}

	cfg := o.Config
	cfg.Feed, cfg.Context = feed, ctx
	p := tea.NewProgram(New(cfg), tea.WithContext(ctx), tea.WithInput(o.In), tea.WithOutput(o.Out),
		tea.WithFPS(frameRate))
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("running the dashboard: %w", err)
	}
	return nil
}

// silenceLogs sends every logger that a library may use to nowhere, and
// returns a function that puts them back.
func silenceLogs() (restore func()) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("alsologtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)

	prevLog, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(io.Discard)
	prevSlog := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	return func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevLog)
		log.SetFlags(prevFlags)
		klog.LogToStderr(true)
	}
}
