package cli

import (
	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/services/client"
)

func init() { registerServe(newServeClientCmd) }

// serveClientOptions are the settings of "blogctl serve client".
type serveClientOptions struct {
	streams *Streams
	serveFlags
}

func newServeClientCmd(s *Streams) *cobra.Command {
	o := &serveClientOptions{streams: s}
	cmd := &cobra.Command{
		Use:   blog.Client,
		Short: "Serve the web client, the page where people write posts and comments",
		Long: `Serve the web client: a page embedded in this binary that lists posts with
their comments, creates posts and adds comments. It calls the services through
relative URLs (/posts/create, /posts, /posts/{id}/comments), so serve it behind
the gateway of "blogctl up --target local" or the ingress, which route those
paths to the services.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := o.logger(s.ErrOut, blog.Client)
			if err != nil {
				return err
			}
			return client.Run(cmd.Context(), client.Config{Addr: o.addr(), MaxBody: o.MaxBody, Logger: log})
		},
	}
	o.addFlags(cmd, blog.Client)
	return cmd
}
