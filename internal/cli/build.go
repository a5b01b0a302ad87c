//go:build !serveonly

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
)

// defaultImagePrefix names images when no Docker ID or registry is given.
const defaultImagePrefix = "blogctl"

// imageFlags are the flags that name images and find their source, shared by
// build, push and the Docker target.
type imageFlags struct {
	prefix string
	source string
}

func (f *imageFlags) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.prefix, "image-prefix", defaultImagePrefix,
		"image name prefix: a Docker ID or registry path, as in cygnet or localhost:5000/blog")
	cmd.Flags().StringVar(&f.source, "source", "",
		"blogctl's source tree to build from (default: found from the working directory)")
}

// buildOptions holds what "blogctl build" needs.
type buildOptions struct {
	streams  *Streams
	services []string
	output   string
	images   imageFlags
}

func newBuildCmd(s *Streams) *cobra.Command {
	o := &buildOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "build [service...]",
		Short: "Build one container image per service through the Docker Engine API",
		Long: `Build one container image per service (all by default) through the Docker
Engine API. blogctl compiles itself, statically and with only its serving code,
for the engine's architecture, and puts that binary in an image FROM scratch
that runs "blogctl serve <service>" as a non-root user.

Each image is tagged <prefix>/<service>:sha-<hash of its inputs> and latest. A
build whose inputs have not changed reports the existing image and does
nothing else.`,
		Example: `  blogctl build
  blogctl build posts comments --image-prefix cygnet
  blogctl build -o json`,
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

func (o *buildOptions) run(ctx context.Context) error {
	services, err := imageServices(o.services)
	if err != nil {
		return err
	}
	src, err := findSource(o.images.source)
	if err != nil {
		return err
	}
	engine, err := connectEngine(ctx, "building the images")
	if err != nil {
		return err
	}
	defer engine.Close()

	b := &image.Builder{Engine: engine, Progress: image.NewProgress(o.streams.ErrOut, o.streams.ErrTerminal)}
	results, err := b.Build(ctx, image.BuildOptions{
		Source: src, Prefix: o.images.prefix, Services: services, CacheDir: buildCacheDir(),
	})
	if err != nil {
		return err
	}
	return printImages(o.streams, o.output, results)
}

// imageServices returns the services named, or all of them.
func imageServices(names []string) ([]image.Service, error) {
	if len(names) == 0 {
		names = blog.Names()
	}
	services := make([]image.Service, 0, len(names))
	for _, n := range names {
		s, err := blog.Lookup(n)
		if err != nil {
			return nil, err
		}
		services = append(services, image.Service{Name: s.Name, Port: s.Port})
	}
	return services, nil
}

// connectEngine connects to the Docker engine for doing, which a failure
// names: "pushing the images needs a Docker engine: ...".
func connectEngine(ctx context.Context, doing string) (*client.Client, error) {
	engine, err := image.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s needs a Docker engine: %w", doing, err)
	}
	return engine, nil
}

// findSource returns the blogctl module root: dir if given, or the one that
// holds the working directory.
func findSource(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	return image.FindSource(dir)
}

// buildCacheDir is where compiled binaries are kept between builds.
func buildCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "blogctl", "build")
}

// printImages prints build or push results: references on stdout in text.
func printImages(s *Streams, format string, results []image.Result) error {
	return printOutput(s.Out, format, results, func() string {
		var b strings.Builder
		for _, r := range results {
			if r.Digest != "" {
				fmt.Fprintf(&b, "%s@%s\n", r.Image, r.Digest)
				continue
			}
			fmt.Fprintln(&b, r.Image)
		}
		return b.String()
	})
}
