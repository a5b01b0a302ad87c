package cli

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/gateway"
	"github.com/blogctl/blogctl/internal/services/httpapi"
)

func init() { registerServe(newServeGatewayCmd) }

// gatewayPort is the port "blogctl serve gateway" listens on by default.
const gatewayPort = 8080

// serveGatewayOptions are the settings of "blogctl serve gateway".
type serveGatewayOptions struct {
	streams   *Streams
	host      string
	port      int
	logLevel  string
	logFormat string
	backends  map[string]*string
}

func newServeGatewayCmd(s *Streams) *cobra.Command {
	o := &serveGatewayOptions{streams: s, backends: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Run the gateway: one address that routes like the course's ingress",
		Long: `Run the gateway: one address that routes requests as the course's ingress
does for host posts.com: /posts/create to posts, /posts to query,
/posts/{id}/comments to comments and everything else to the client. The
container image of the Docker target runs it; its default backends are the
in-cluster names that the Docker target gives the services.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.host, "host", "", hostUsage)
	f.IntVar(&o.port, "port", gatewayPort, "port to listen on")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	for _, name := range []string{blog.Posts, blog.Comments, blog.Query, blog.Client} {
		svc, _ := blog.Lookup(name)
		o.backends[name] = f.String(name+"-url", svc.DefaultURL(), "address of the "+name+" service")
	}
	return cmd
}

func (o *serveGatewayOptions) run(cmd *cobra.Command) error {
	sf := serveFlags{LogLevel: o.logLevel, LogFormat: o.logFormat}
	log, err := sf.logger(o.streams.ErrOut, "gateway")
	if err != nil {
		return err
	}
	u := map[string]*url.URL{}
	for name, raw := range o.backends {
		v, err := url.Parse(*raw)
		if err != nil || v.Host == "" {
			return fmt.Errorf("reading --%s-url %q: give an address like http://%s:80", name, *raw, name)
		}
		u[name] = v
	}
	g, err := gateway.New(gateway.Backends{
		Posts: u[blog.Posts], Comments: u[blog.Comments], Query: u[blog.Query], Client: u[blog.Client],
	}, log)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	if err := httpapi.ListenAndServe(cmd.Context(), addr, g, log); err != nil {
		return fmt.Errorf("serving the gateway: %w", err)
	}
	return nil
}
