//go:build !serveonly

package cli

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
)

// pushOptions holds what "blogctl push" needs.
type pushOptions struct {
	streams  *Streams
	services []string
	output   string
	images   imageFlags
}

func newPushCmd(s *Streams) *cobra.Command {
	o := &pushOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "push [service...]",
		Short: "Push the images that blogctl build made, with Docker's credentials",
		Long: `Push each service's image (all by default), under its sha- tag and latest,
through the Docker Engine API. The credentials are the ones Docker itself uses:
~/.docker/config.json, or $DOCKER_CONFIG, and its credential helpers; log in
with "docker login <registry>" first.`,
		Example: `  blogctl push --image-prefix cygnet
  blogctl push posts --image-prefix localhost:5000/blog -o json`,
		ValidArgs: blog.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.services = args
			return o.run(cmd.Context())
		},
	}
	addOutputFlag(cmd, &o.output)
	o.images.addFlags(cmd)
	return cmd
}

func (o *pushOptions) run(ctx context.Context) error {
	services, err := imageServices(o.services)
	if err != nil {
		return err
	}
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.Name
	}
	engine, err := connectEngine(ctx, "pushing the images")
	if err != nil {
		return err
	}
	defer engine.Close()

	b := &image.Builder{Engine: engine, Progress: image.NewProgress(o.streams.ErrOut, o.streams.ErrTerminal)}
	results, err := b.Push(ctx, image.PushOptions{
		Prefix: o.images.prefix, Services: names, ConfigDir: os.Getenv("DOCKER_CONFIG"),
	})
	if err != nil {
		return err
	}
	return printImages(o.streams, o.output, results)
}
