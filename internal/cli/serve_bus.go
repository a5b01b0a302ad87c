package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/services/bus"
)

func init() { registerServe(newServeBusCmd) }

// serveBusOptions are the settings of "blogctl serve event-bus".
type serveBusOptions struct {
	streams *Streams
	serveFlags
	DataDir     string
	Subscribers []string
}

func newServeBusCmd(s *Streams) *cobra.Command {
	o := &serveBusOptions{streams: s}
	cmd := &cobra.Command{
		Use:   blog.EventBus,
		Short: "Run the event bus, the durable log every service publishes to",
		Long: `Run the event bus. It appends each event POSTed to /events to a log on disk
before answering, serves the log on GET /events (?since=N, ?limit=L, ?wait=30s),
and delivers every event to each subscriber's URL at least once and in order,
resuming where it left off after a restart of either side.
GET /subscribers shows each subscriber's progress.`,
		Example: `  blogctl serve event-bus --data-dir /data \
    --subscribers http://localhost:4000/events,http://localhost:4002/events`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := o.logger(s.ErrOut, blog.EventBus)
			if err != nil {
				return err
			}
			cfg := bus.Config{
				Addr:        o.addr(),
				DataDir:     o.DataDir,
				Subscribers: trimAll(o.Subscribers),
				MaxBody:     o.MaxBody,
			}
			if err := bus.Run(cmd.Context(), cfg, log); err != nil {
				return fmt.Errorf("serving the event bus: %w", err)
			}
			return nil
		},
	}
	o.addFlags(cmd, blog.EventBus)
	fs := cmd.Flags()
	fs.StringVar(&o.DataDir, "data-dir", "",
		"directory of the event log\n(default $XDG_DATA_HOME/blogctl/event-bus or ~/.local/share/blogctl/event-bus)")
	fs.StringSliceVar(&o.Subscribers, "subscribers", blog.DefaultSubscribers(),
		"URLs every event is POSTed to, comma-separated; empty for none")
	return cmd
}

// trimAll drops blanks around and between comma-separated values.
func trimAll(values []string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
