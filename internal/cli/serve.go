package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/comments"
	"github.com/blogctl/blogctl/internal/services/httpapi"
	"github.com/blogctl/blogctl/internal/services/moderation"
	"github.com/blogctl/blogctl/internal/services/posts"
	"github.com/blogctl/blogctl/internal/services/projection"
	"github.com/blogctl/blogctl/internal/services/query"
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
image does. It logs to stderr and stops gracefully on SIGTERM or Ctrl-C.

Every flag can also be set from the environment: --event-bus-url from
BLOGCTL_EVENT_BUS_URL, --port from BLOGCTL_PORT, and so on.`,
	}
	for _, newSub := range serveCommands {
		cmd.AddCommand(newSub(s))
	}
	return cmd
}

// serveFlags are the settings every service shares. A serve subcommand
// embeds them in its options struct and calls addFlags.
type serveFlags struct {
	Host      string
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
	fs.StringVar(&f.Host, "host", "", hostUsage)
	fs.IntVar(&f.Port, "port", svc.Port, "port to listen on")
	fs.Int64Var(&f.MaxBody, "max-body", httpapi.DefaultMaxBody,
		"largest request body accepted, in bytes")
	fs.StringVar(&f.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log-format", "text", "log format: text or json")
}

// hostUsage documents every serve command's --host.
const hostUsage = "address to listen on, such as 127.0.0.1 (empty: every address, as a container needs)"

// addr returns the address to listen on.
func (f *serveFlags) addr() string { return net.JoinHostPort(f.Host, strconv.Itoa(f.Port)) }

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

func init() {
	registerServe(newServePostsCmd)
	registerServe(newServeCommentsCmd)
	registerServe(newServeQueryCmd)
	registerServe(newServeModerationCmd)
}

// foldService is a service that folds the bus's log: posts, comments,
// query and moderation.
type foldService interface {
	Handler() http.Handler
	Projection() *projection.Projection
}

// serviceOptions are the options of "blogctl serve" for a foldService.
type serviceOptions struct {
	streams *Streams
	name    string
	// build returns the service, given its bus client and logger.
	build func(bus *event.Client, log *slog.Logger) foldService

	serveFlags
	busFlags
	Words []string
}

func newServiceCmd(o *serviceOptions, short, long string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   o.name,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context())
		},
	}
	o.serveFlags.addFlags(cmd, o.name)
	o.busFlags.addFlags(cmd)
	return cmd
}

func (o *serviceOptions) run(ctx context.Context) error {
	log, err := o.logger(o.streams.ErrOut, o.name)
	if err != nil {
		return err
	}
	svc := o.build(projection.NewBusClient(o.EventBusURL), log)
	if err := projection.Serve(ctx, o.addr(), svc.Handler(), svc.Projection(), log); err != nil {
		return fmt.Errorf("serving %s: %w", o.name, err)
	}
	return nil
}

func newServePostsCmd(s *Streams) *cobra.Command {
	o := &serviceOptions{streams: s, name: blog.Posts}
	o.build = func(bus *event.Client, log *slog.Logger) foldService {
		return posts.New(posts.Config{Bus: bus, Logger: log, MaxBody: o.MaxBody})
	}
	return newServiceCmd(o, "Run the posts service",
		"Run the posts service: POST /posts (and /posts/create) and GET /posts.")
}

func newServeCommentsCmd(s *Streams) *cobra.Command {
	o := &serviceOptions{streams: s, name: blog.Comments}
	o.build = func(bus *event.Client, log *slog.Logger) foldService {
		return comments.New(comments.Config{Bus: bus, Logger: log, MaxBody: o.MaxBody})
	}
	return newServiceCmd(o, "Run the comments service",
		"Run the comments service: POST and GET /posts/{id}/comments; it turns\n"+
			"CommentModerated into CommentUpdated.")
}

func newServeQueryCmd(s *Streams) *cobra.Command {
	o := &serviceOptions{streams: s, name: blog.Query}
	o.build = func(bus *event.Client, log *slog.Logger) foldService {
		return query.New(query.Config{Bus: bus, Logger: log, MaxBody: o.MaxBody})
	}
	return newServiceCmd(o, "Run the query service",
		"Run the query service: GET /posts, every post with its comments.")
}

func newServeModerationCmd(s *Streams) *cobra.Command {
	o := &serviceOptions{streams: s, name: blog.Moderation}
	o.build = func(bus *event.Client, log *slog.Logger) foldService {
		cfg := moderation.Config{Bus: bus, Logger: log, MaxBody: o.MaxBody, Words: o.Words}
		return moderation.New(cfg)
	}
	cmd := newServiceCmd(o, "Run the moderation service",
		"Run the moderation service: it rejects every comment that contains one of\n"+
			"--words (a case-sensitive substring) and approves the others.")
	cmd.Flags().StringSliceVar(&o.Words, "words", moderation.DefaultWords,
		"words that get a comment rejected, comma-separated")
	return cmd
}
