//go:build !serveonly

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/local"
	"github.com/blogctl/blogctl/internal/tui"
)

// tuiOptions holds what "blogctl tui" needs.
type tuiOptions struct {
	streams *Streams

	target      string
	kubeconfig  string
	context     string
	namespace   string
	eventBusURL string
	dataDir     string
	project     string

	manifestsDir      string
	containerdAddress string
}

// errNotTerminal says that the dashboard needs a terminal.
var errNotTerminal = errors.New("blogctl tui needs a terminal and stdout is not one")

func newTuiCmd(s *Streams) *cobra.Command {
	o := &tuiOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Watch the blog system live in a terminal dashboard, and act on it",
		Long: `tui shows, live, the deployments, pods and Kubernetes events of the
namespace (or, with --target local or docker, the services and their
health) beside the blog's own event stream. Press ? in it for the keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	addTargetFlag(cmd, &o.target)
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubernetes: the kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&o.context, "context", "", "kubernetes: the kubeconfig context (default the current one)")
	f.StringVarP(&o.namespace, "namespace", "n", "", "kubernetes: the namespace (default the context's)")
	f.StringVar(&o.eventBusURL, "event-bus-url", "", "the event bus to follow (default: kubernetes "+
		"through the API server's proxy, local from the state file, docker at the bus container's address)")
	f.StringVar(&o.dataDir, "data-dir", local.DefaultDataDir(), "local: the data directory of the running system")
	f.StringVar(&o.project, "project", dockertarget.DefaultProject,
		"docker: the project name the system was started under (blogctl up --target docker --project)")
	f.StringVar(&o.manifestsDir, "manifests-dir", kube.DefaultManifestsDir,
		"kubernetes: directory of the manifest files that the safe fix (f) edits and applies")
	f.StringVar(&o.containerdAddress, "containerd-address", "",
		"kubernetes: the node's containerd socket, for the safe fix to load images into a local node")
	return cmd
}

func (o *tuiOptions) run(ctx context.Context) error {
	t, err := checkTarget(o.target)
	if err != nil {
		return err
	}
	if o.dataDir, err = filepath.Abs(o.dataDir); err != nil {
		return fmt.Errorf("reading --data-dir: %w", err)
	}
	if !o.streams.OutTerminal {
		return &ExitError{Code: 2, Err: fmt.Errorf("%w: for a listing that pipes, run "+
			"%s", errNotTerminal, o.statusCommand(t))}
	}
	opts := tui.Options{In: o.streams.In, Out: o.streams.Out}
	opts.Color = Color()
	var done func()
	switch t {
	case targetLocal:
		err = o.local(&opts)
	case targetDocker:
		done, err = o.docker(ctx, &opts)
	default:
		err = o.kube(ctx, &opts)
	}
	if err != nil {
		return err
	}
	if done != nil {
		defer done()
	}
	return tui.Run(ctx, opts)
}

func (o *tuiOptions) kube(ctx context.Context, opts *tui.Options) error {
	c, err := kube.Connect(kube.ConnectOptions{Kubeconfig: o.kubeconfig, Context: o.context, Namespace: o.namespace})
	if err != nil {
		return err
	}
	if err := c.Check(ctx); err != nil {
		return err
	}
	bus, err := o.busClient(func() (*event.Client, error) { return tui.KubeBusClient(c.Config, c.Namespace) })
	if err != nil {
		return err
	}
	opts.Title = fmt.Sprintf("blogctl · kubernetes · %s · ns/%s", c.Context, c.Namespace)
	opts.Kubernetes, opts.Namespace, opts.Target = true, c.Namespace, targetKubernetes
	opts.Doctor = &tui.KubeDoctor{Clientset: c.Clientset, NewFixer: o.fixer(c)}
	opts.Cluster = &tui.KubeCluster{Clientset: c.Clientset, RestartDeployment: kube.RestartDeployment}
	opts.Sources = []tui.Source{
		&tui.KubeSource{Clientset: c.Clientset, Namespace: c.Namespace, Server: c.Config.Host},
		&tui.BusSource{Client: bus},
	}
	return nil
}

// fixer builds the doctor's fixer when a fix is asked for. Its progress
// goes nowhere: the dashboard owns the screen.
func (o *tuiOptions) fixer(c *kube.Cluster) func(context.Context) (*diagnose.Fixer, func(), error) {
	return func(ctx context.Context) (*diagnose.Fixer, func(), error) {
		engine, err := connectEngine(ctx, "applying the doctor's fix")
		if err != nil {
			return nil, nil, err
		}
		x, err := kube.NewFixer(ctx, kube.FixerOptions{Cluster: c, ContainerdAddress: o.containerdAddress,
			Engine: engine, Save: kube.EngineSaver(engine), ManifestsDir: o.manifestsDir, Progress: io.Discard})
		if err != nil {
			engine.Close()
			return nil, nil, err
		}
		return x, func() { engine.Close() }, nil
	}
}

func (o *tuiOptions) local(opts *tui.Options) error {
	// Fail now, with the next step, when nothing runs.
	if _, err := local.ReadState(o.dataDir); err != nil {
		return tui.LocalError(err, o.dataDir)
	}
	opts.Title, opts.Target = "blogctl · local · "+o.dataDir, targetLocal
	opts.ServiceLogs = tui.LocalServiceLogs(o.dataDir)
	opts.Sources = []tui.Source{
		&tui.ServiceSource{Name: "local system", List: tui.LocalServices(o.dataDir)},
		o.busSource(tui.LocalBus(o.dataDir)),
	}
	return nil
}

func (o *tuiOptions) docker(ctx context.Context, opts *tui.Options) (func(), error) {
	engine, err := connectEngine(ctx, "watching the system on Docker")
	if err != nil {
		return nil, err
	}
	sys := &dockertarget.System{Engine: engine, Project: o.project, Progress: io.Discard}
	opts.Title, opts.Target = "blogctl · docker · "+sys.NetworkName(), targetDocker
	opts.ServiceLogs = tui.DockerServiceLogs(sys)
	services := &tui.ServiceSource{Name: "Docker engine", List: tui.DockerServices(sys),
		Wake: tui.DockerChanges(sys)}
	if services.Wake != nil {
		// The engine's events say when to look again; the poll is only a
		// backstop, so it need not be frequent.
		services.Every = dockerBackstop
	}
	opts.Sources = []tui.Source{
		services,
		o.busSource(tui.DockerBus(sys)),
	}
	return func() { engine.Close() }, nil
}

// statusCommand is the "blogctl status" command line that lists what the
// dashboard would show: the target t, and the flags given that say where.
func (o *tuiOptions) statusCommand(t string) string {
	args := []string{"blogctl", "status", "--target", t}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, flag, shellQuote(value))
		}
	}
	switch t {
	case targetLocal:
		if filepath.Clean(o.dataDir) != filepath.Clean(local.DefaultDataDir()) {
			add("--data-dir", o.dataDir)
		}
	case targetDocker:
		if o.project != dockertarget.DefaultProject {
			add("--project", o.project)
		}
	default:
		add("--kubeconfig", o.kubeconfig)
		add("--context", o.context)
		add("-n", o.namespace)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a shell when it holds anything but the
// characters of names and paths.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dockerBackstop is how often the dashboard reads a Docker system's
// containers when the engine reports nothing.
const dockerBackstop = 5 * time.Second

// busSource follows the bus of --event-bus-url, or the one that resolve
// finds.
func (o *tuiOptions) busSource(resolve func(context.Context) (*event.Client, error)) *tui.BusSource {
	if o.eventBusURL != "" {
		return &tui.BusSource{Client: event.NewClient(o.eventBusURL, nil)}
	}
	return &tui.BusSource{Resolve: resolve}
}

// busClient returns the bus of --event-bus-url, or the target's own.
func (o *tuiOptions) busClient(targets func() (*event.Client, error)) (*event.Client, error) {
	if o.eventBusURL != "" {
		return event.NewClient(o.eventBusURL, nil), nil
	}
	return targets()
}
