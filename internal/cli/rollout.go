//go:build !serveonly

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/deploy/kube"
)

// rolloutOptions holds what "blogctl rollout restart" and "rollout status"
// need. The cluster flags are the rollout command's, shared by both.
type rolloutOptions struct {
	streams *Streams
	cluster *kubeFlags
	timeout timeoutFlag
	all     bool
	wait    bool
}

func newRolloutCmd(s *Streams) *cobra.Command {
	cluster := &kubeFlags{}
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Restart the blog system's deployments, or follow their rollout",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for \"blogctl rollout\": use restart or status", args[0])
			}
			return cmd.Help()
		},
	}
	// As in kubectl, -n and the other cluster flags may come before the
	// subcommand; "blogctl rollout -n blog" shows the help.
	cluster.addPersistentFlags(cmd)
	cmd.AddCommand(newRolloutRestartCmd(s, cluster), newRolloutStatusCmd(s, cluster))
	return cmd
}

func newRolloutRestartCmd(s *Streams, cluster *kubeFlags) *cobra.Command {
	o := &rolloutOptions{streams: s, cluster: cluster}
	cmd := &cobra.Command{
		Use:   "restart [service...|--all]",
		Short: "Restart services' deployments as \"kubectl rollout restart\" does",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.restart(cmd.Context(), args)
		},
	}
	o.timeout.addFlag(cmd)
	cmd.Flags().BoolVar(&o.all, "all", false, "restart every service")
	cmd.Flags().BoolVar(&o.wait, "wait", false, "wait for the new pods, then check the images they run")
	return cmd
}

func newRolloutStatusCmd(s *Streams, cluster *kubeFlags) *cobra.Command {
	o := &rolloutOptions{streams: s, cluster: cluster}
	cmd := &cobra.Command{
		Use:   "status [service...]",
		Short: "Wait for services' rollouts; exit non-zero when one fails",
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.status(cmd.Context(), args)
		},
	}
	o.timeout.addFlag(cmd)
	return cmd
}

// deployments maps service names to deployment names: all of them with
// --all or no name.
func deploymentsOf(services []string, all bool) ([]string, error) {
	if all || len(services) == 0 {
		services = blog.Names()
	}
	var deps []string
	for _, name := range services {
		svc, err := blog.Lookup(name)
		if err != nil {
			return nil, err
		}
		deps = append(deps, svc.Deployment)
	}
	return deps, nil
}

func (o *rolloutOptions) restart(ctx context.Context, services []string) error {
	switch {
	case len(services) == 0 && !o.all:
		return fmt.Errorf("name the services to restart, or pass --all")
	case len(services) > 0 && o.all:
		return fmt.Errorf("restarting %s with --all: give the services to restart, or --all for "+
			"every service, not both", strings.Join(services, ", "))
	}
	deps, cluster, err := o.existing(ctx, services)
	if err != nil {
		return err
	}
	start := time.Now()
	for _, d := range deps {
		if err := kube.RestartDeployment(ctx, cluster.Clientset, cluster.Namespace, d); err != nil {
			return cluster.Explain(err)
		}
		fmt.Fprintf(o.streams.Out, "deployment.apps/%s restarted\n", d)
	}
	if !o.wait {
		return nil
	}
	if err := o.waitFor(ctx, cluster, deps, start); err != nil {
		return err
	}
	return o.checkImages(ctx, cluster, deps, start)
}

func (o *rolloutOptions) status(ctx context.Context, services []string) error {
	deps, cluster, err := o.existing(ctx, services)
	if err != nil {
		return err
	}
	return o.waitFor(ctx, cluster, deps, time.Time{})
}

// existing connects and returns the services' deployments, failing at
// once, as kubectl does, when one does not exist.
func (o *rolloutOptions) existing(ctx context.Context, services []string) ([]string, *kube.Cluster, error) {
	deps, err := deploymentsOf(services, o.all)
	if err != nil {
		return nil, nil, err
	}
	cluster, err := o.cluster.connect()
	if err != nil {
		return nil, nil, err
	}
	err = kube.CheckDeployments(ctx, cluster.Clientset, cluster.Namespace, deps)
	var missing *kube.MissingDeploymentsError
	if errors.As(err, &missing) && len(missing.Existing) == 0 && !missing.NoNamespace {
		up := commandLine(append([]string{"blogctl", "up"}, o.cluster.commandArgs(cluster.Namespace)...)...)
		err = fmt.Errorf("%w: deploy the system there with %q, or choose its namespace with -n/--namespace", err, up)
	}
	if err != nil {
		return nil, nil, cluster.Explain(err)
	}
	return deps, cluster, nil
}

func (o *rolloutOptions) waitFor(ctx context.Context, c *kube.Cluster, deps []string, since time.Time) error {
	waitCtx, cancel := context.WithTimeout(ctx, o.timeout.value.Duration)
	defer cancel()
	w := &kube.Waiter{Clientset: c.Clientset, Namespace: c.Namespace, Progress: o.streams.ErrOut, Since: since}
	err := reviewRolloutError(ctx, c, o.streams, kube.DefaultManifestsDir, "", c.Explain(w.Wait(waitCtx, deps)))
	return explainRollout(o.streams.ErrOut, err, doctorFixCommand("", "", o.cluster.commandArgs(c.Namespace)))
}

// checkImages checks that the new pods run the image this machine has
// under the name each deployment gives, comparing digests through the
// Docker engine, and warns when a restart cannot have brought a new image:
// a mutable tag the node already has is not pulled again.
func (o *rolloutOptions) checkImages(ctx context.Context, c *kube.Cluster, deps []string, since time.Time) error {
	local, closeEngine := o.localImages(ctx)
	defer closeEngine()
	var stale int
	for _, name := range deps {
		d, err := c.Clientset.AppsV1().Deployments(c.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return c.Explain(err)
		}
		var found []kube.StaleImage
		if local != nil {
			if found, err = kube.CheckRunningImages(ctx, c.Clientset, c.Namespace, name, since, local); err != nil {
				return c.Explain(err)
			}
		}
		for _, s := range found {
			fmt.Fprintf(o.streams.ErrOut, "error: %s\n", s)
		}
		stale += len(found)
		if len(found) > 0 {
			continue
		}
		for _, ct := range d.Spec.Template.Spec.Containers {
			if local != nil {
				if _, here := local(ctx, ct.Image); here {
					continue // compared above, digest by digest: no guess needed
				}
			}
			if w := kube.StaleImageWarning(ct); w != "" {
				fmt.Fprintf(o.streams.ErrOut, "warning: deployment %s: %s\n", name, w)
			}
		}
	}
	if stale > 0 {
		return fmt.Errorf("checking the restarted pods: %d container(s) do not run the image built on this machine", stale)
	}
	return nil
}

// localImages returns the Docker engine's view of the built images, or nil
// with a note when no engine answers: then only the tag and pull policy
// can be checked. The close function is never nil.
func (o *rolloutOptions) localImages(ctx context.Context) (kube.LocalImage, func()) {
	engine, err := image.Connect(ctx)
	if err != nil {
		fmt.Fprintf(o.streams.ErrOut, "note: not comparing the pods' images with the ones built here: %v\n", err)
		return nil, func() {}
	}
	return kube.EngineImage(engine), func() { engine.Close() }
}
