package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/services/httpapi"
)

// serveCommands are the constructors of the "blogctl serve" subcommands.
// Each serve_*.go file adds its own from an init function, so that the
// services register without editing a shared list.
var serveCommands []func(*Streams) *cobra.Command

// registerServe adds a "blogctl serve" subcommand.
func registerServe(newCmd func(*Streams) *cobra.Command) {
	serveCommands = append(serveCommands, newCmd)
}

func newServeCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve <service>",
		Short: "Run one service of the blog system",
		Long: `Run one service of the blog system in the foreground, as its container
image does. It logs to stderr and stops gracefully on SIGTERM or Ctrl-C.`,
	}
	for _, newSub := range serveCommands {
		cmd.AddCommand(newSub(s))
	}
	return cmd
}

// serveFlags are the settings every service shares. A serve subcommand
// embeds them in its options struct and calls addFlags.
type serveFlags struct {
	Port      int
	MaxBody   int64
	LogLevel  string
	LogFormat string
}

// addFlags adds --port, --max-body, --log-level and --log-format, with the
// port of the service called name as the default.
func (f *serveFlags) addFlags(cmd *cobra.Command, name string) {
	svc, err := blog.Lookup(name)
	if err != nil {
		panic(err) // a programming error: every serve command names a known service
	}
	fs := cmd.Flags()
	fs.IntVar(&f.Port, "port", svc.Port, "port to listen on")
	fs.Int64Var(&f.MaxBody, "max-body", httpapi.DefaultMaxBody, "largest request body accepted, in bytes")
	fs.StringVar(&f.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log-format", "text", "log format: text or json")
}

// addr returns the address to listen on.
func (f *serveFlags) addr() string { return fmt.Sprintf(":%d", f.Port) }

// logger returns the service's logger, writing to w.
func (f *serveFlags) logger(w io.Writer, service string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.LogLevel)); err != nil {
		return nil, fmt.Errorf("reading --log-level %q: use debug, info, warn or error", f.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(f.LogFormat) {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("reading --log-format %q: use text or json", f.LogFormat)
	}
	return slog.New(h).With("service", service), nil
}

// busFlags are the settings of a service that talks to the event bus.
type busFlags struct {
	EventBusURL string
}

func (f *busFlags) addFlags(cmd *cobra.Command) {
	bus, _ := blog.Lookup(blog.EventBus)
	cmd.Flags().StringVar(&f.EventBusURL, "event-bus-url", bus.DefaultURL(),
		"address of the event bus (its /events URL is accepted too)")
}
