//go:build !serveonly

package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/image"
)

// dockerUpOptions are the flags of "blogctl up --target docker".
type dockerUpOptions struct {
	prefix, source func() string
	gatewayPort    func() int
	timeout        func() time.Duration
	words          func() string
	project        func() string
}

// addProjectFlag defines --project, which names the network and prefixes
// the containers and volumes, so that several systems share one engine.
func addProjectFlag(cmd *cobra.Command) func() string {
	return sharedString(cmd, "project", dockertarget.DefaultProject,
		"docker: the project name, which names the network and prefixes the containers and volumes")
}

func (o *dockerUpOptions) addFlags(cmd *cobra.Command) {
	o.prefix = sharedString(cmd, "image-prefix", defaultImagePrefix,
		"image name prefix: a Docker ID or registry path, as in cygnet or localhost:5000/blog")
	o.source = sharedString(cmd, "source", "",
		"blogctl's source tree to build from (default: found from the working directory)")
	o.gatewayPort = sharedInt(cmd, "gateway-port", gatewayPort, "the gateway's port on this machine")
	o.timeout = sharedDuration(cmd, "ready-timeout", 2*time.Minute,
		"how long to wait for every service to be ready")
	o.words = sharedString(cmd, "words", "",
		"words that get a comment rejected, comma-separated (empty: the moderation service's default)")
	o.project = addProjectFlag(cmd)
}

func (o *dockerUpOptions) run(ctx context.Context, s *Streams) error {
	src, err := findSource(o.source())
	if err != nil {
		return err
	}
	engine, err := connectEngine(ctx, "running the system on Docker")
	if err != nil {
		return err
	}
	defer engine.Close()

	images, err := buildForDocker(ctx, s, engine, src, o.prefix())
	if err != nil {
		return err
	}
	containers := dockertarget.Layout(images, o.gatewayPort())
	for i := range containers {
		if containers[i].Service == blog.Moderation && o.words() != "" {
			containers[i].Env = append(containers[i].Env, EnvName("words")+"="+o.words())
		}
	}
	sys := &dockertarget.System{Engine: engine, Project: o.project(), Progress: s.ErrOut}
	if err := sys.Up(ctx, containers, o.timeout()); err != nil {
		return err
	}
	fmt.Fprintf(s.ErrOut, "the blog system is up; open the gateway:\n")
	fmt.Fprintf(s.Out, "http://127.0.0.1:%d\n", o.gatewayPort())
	return nil
}

// buildForDocker builds every service's image and the gateway's, and returns
// each one's reference by service.
func buildForDocker(ctx context.Context, s *Streams, engine *client.Client, src, prefix string,
) (map[string]string, error) {
	b := &image.Builder{Engine: engine, Progress: image.NewProgress(s.ErrOut, s.ErrTerminal)}
	results, err := b.Build(ctx, image.BuildOptions{
		Source: src, Prefix: prefix, Services: dockertarget.Images(), CacheDir: buildCacheDir(),
	})
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, r := range results {
		refs[r.Service] = r.Image
	}
	return refs, nil
}

// connectSystem connects to the engine for down, status and logs.
func connectSystem(ctx context.Context, s *Streams, project string) (*dockertarget.System, func(), error) {
	engine, err := connectEngine(ctx, "reaching the system on Docker")
	if err != nil {
		return nil, nil, err
	}
	sys := &dockertarget.System{Engine: engine, Project: project, Progress: s.ErrOut}
	return sys, func() { engine.Close() }, nil
}

// volumesUsage documents down's --volumes, which the Docker and Kubernetes
// targets share.
const volumesUsage = "remove the bus's data too (docker: its volume; kubernetes: its claim), losing every post"

// dockerDownOptions are the flags of "blogctl down --target docker".
type dockerDownOptions struct {
	volumes func() bool
	project func() string
}

func (o *dockerDownOptions) addFlags(cmd *cobra.Command) {
	o.volumes = sharedBool(cmd, "volumes", false, volumesUsage)
	o.project = addProjectFlag(cmd)
}

func (o *dockerDownOptions) run(ctx context.Context, s *Streams) error {
	sys, done, err := connectSystem(ctx, s, o.project())
	if err != nil {
		return err
	}
	defer done()
	return sys.Down(ctx, o.volumes())
}

// dockerStatusOptions are the flags of "blogctl status --target docker".
type dockerStatusOptions struct {
	project func() string
}

func (o *dockerStatusOptions) addFlags(cmd *cobra.Command) { o.project = addProjectFlag(cmd) }

func (o *dockerStatusOptions) run(ctx context.Context, s *Streams, output string) error {
	sys, done, err := connectSystem(ctx, s, o.project())
	if err != nil {
		return err
	}
	defer done()
	rows, err := sys.Status(ctx)
	if err != nil {
		return err
	}
	if len(rows) == 0 && output == outputText {
		start := "blogctl up --target docker"
		if sys.Project != dockertarget.DefaultProject {
			start += " --project " + sys.Project
		}
		fmt.Fprintf(s.ErrOut, "no containers in project %s: start the system with %s\n", sys.Project, start)
		return nil
	}
	return printOutput(s.Out, output, rows, func() string {
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 4, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tIMAGE\tSTATUS\tRESTARTS\tPORTS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.Container, r.Image, r.Status, r.Restarts,
				strings.Join(r.Ports, ", "))
		}
		tw.Flush()
		return b.String()
	})
}

// dockerLogsOptions are the flags of "blogctl logs --target docker".
type dockerLogsOptions struct {
	project func() string
}

func (o *dockerLogsOptions) addFlags(cmd *cobra.Command) { o.project = addProjectFlag(cmd) }

func (o *dockerLogsOptions) run(ctx context.Context, s *Streams, service string, follow bool) error {
	if _, err := blog.Lookup(service); err != nil && service != dockertarget.Gateway {
		return fmt.Errorf("%w (or %s)", err, dockertarget.Gateway)
	}
	sys, done, err := connectSystem(ctx, s, o.project())
	if err != nil {
		return err
	}
	defer done()
	return sys.Logs(ctx, service, follow, s.Out)
}
