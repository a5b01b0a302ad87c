//go:build !serveonly

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/deploy/kube"
)

// kubeUpOptions are the Kubernetes target's part of "blogctl up".
type kubeUpOptions struct {
	cluster           kubeFlags
	manifests         manifestFlags
	timeout           time.Duration
	manifestsDir      string
	containerdAddress string
	prefix            func() string
	source            func() string
	words             func() string
}

func (o *kubeUpOptions) addFlags(cmd *cobra.Command) {
	o.cluster.addFlags(cmd)
	o.manifests.addFlags(cmd)
	fs := cmd.Flags()
	fs.DurationVar(&o.timeout, "timeout", defaultRolloutTimeout, "kubernetes: how long to wait for the rollout")
	fs.StringVar(&o.manifestsDir, "manifests-dir", kube.DefaultManifestsDir,
		"kubernetes: directory the manifests are written to and applied from")
	fs.StringVar(&o.containerdAddress, "containerd-address", "",
		"kubernetes: the node's containerd socket, to load images into a local containerd-based node")
	o.prefix = sharedString(cmd, "image-prefix", defaultImagePrefix,
		"image name prefix: a Docker ID or registry path, as in cygnet or localhost:5000/blog")
	o.source = sharedString(cmd, "source", "", "blogctl's source tree to build from (default: found from the working directory)")
	o.words = sharedString(cmd, "words", "", "words that get a comment rejected, comma-separated, "+
		"given to the moderation service on every target (empty: its default, orange)")
}

func (o *kubeUpOptions) run(ctx context.Context, s *Streams) error {
	cfg, err := o.manifests.config()
	if err != nil {
		return err
	}
	cfg.Words = o.words()
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	if err := cluster.Check(ctx); err != nil {
		return err
	}
	src, err := findSource(o.source())
	if err != nil {
		return err
	}
	engine, err := connectEngine(ctx, "building the images")
	if err != nil {
		return err
	}
	defer engine.Close()
	services, _ := imageServices(blog.Names())
	res, err := kube.Up(ctx, kube.UpOptions{
		Cluster: cluster,
		Images:  &image.Builder{Engine: engine, Progress: image.NewProgress(s.ErrOut, s.ErrTerminal)},
		Save:    kube.EngineSaver(engine),
		Build: image.BuildOptions{Source: src, Prefix: o.prefix(), Services: services,
			CacheDir: buildCacheDir()},
		ContainerdAddress: o.containerdAddress, Config: cfg, ManifestsDir: o.manifestsDir,
		Timeout: o.timeout, Progress: s.ErrOut,
	})
	if err != nil {
		err = reviewRolloutError(ctx, cluster, s, o.manifestsDir, o.containerdAddress, err)
		fixCmd := doctorFixCommand(o.manifestsDir, o.containerdAddress, o.cluster.commandArgs(cluster.Namespace))
		return explainRollout(s.ErrOut, err, fixCmd)
	}
	return printAccess(s.Out, res.Access)
}

// printAccess prints how to reach the system: every NodePort Service, and
// the Ingress, or why it serves nothing.
func printAccess(w io.Writer, a kube.Access) error {
	var b strings.Builder
	for _, np := range a.NodePorts {
		app := np.App
		if app == "" {
			app = np.Service
		}
		url := np.URL
		if np.Service == blog.PostsNodePortName {
			url += "/posts"
		}
		fmt.Fprintf(&b, "%s (NodePort %s): %s\n", app, np.Service, url)
	}
	switch {
	case a.IngressHost != "" && a.NoIngressController != "":
		fmt.Fprintf(&b, "ingress: %s serves nothing yet: %s; install one, such as ingress-nginx, "+
			"then add \"%s\" to /etc/hosts and open http://%s/\n",
			blog.IngressName, a.NoIngressController, a.HostsLine, a.IngressHost)
	case a.IngressHost != "":
		fmt.Fprintf(&b, "ingress: http://%s/ (add \"%s\" to /etc/hosts)\n", a.IngressHost, a.HostsLine)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// kubeDownOptions are the Kubernetes target's part of "blogctl down".
type kubeDownOptions struct {
	cluster kubeFlags
	volumes func() bool
}

func (o *kubeDownOptions) addFlags(cmd *cobra.Command) {
	o.cluster.addFlags(cmd)
	o.volumes = sharedBool(cmd, "volumes", false, volumesUsage)
}

func (o *kubeDownOptions) run(ctx context.Context, s *Streams) error {
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	a, err := cluster.NewApplier()
	if err != nil {
		return err
	}
	results, kept, err := a.DeleteManaged(ctx, o.volumes())
	for _, r := range results {
		fmt.Fprintln(s.Out, r)
	}
	for _, name := range kept {
		fmt.Fprintf(s.ErrOut, "%s kept: it holds the bus's log, every post and comment; "+
			"the next up uses it again, and down --volumes deletes it\n", name)
	}
	if len(results) == 0 && len(kept) == 0 && err == nil {
		fmt.Fprintf(s.ErrOut, "nothing of blogctl's in namespace %s\n", cluster.Namespace)
	}
	return cluster.Explain(err)
}

// kubeStatusOptions are the Kubernetes target's part of "blogctl status".
type kubeStatusOptions struct {
	cluster       kubeFlags
	allNamespaces bool
}

func (o *kubeStatusOptions) addFlags(cmd *cobra.Command) {
	o.cluster.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.allNamespaces, "all-namespaces", "A", false,
		"kubernetes: the blog system's objects in every namespace, as kubectl -A")
}

func (o *kubeStatusOptions) run(ctx context.Context, s *Streams, output string) error {
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	ns := cluster.Namespace
	if o.allNamespaces {
		ns = metav1.NamespaceAll
	}
	st, err := kube.GetStatus(ctx, cluster.Clientset, ns)
	if err != nil {
		return cluster.Explain(err)
	}
	if st.Empty() && (output == outputText || output == "") {
		where := "in namespace " + ns
		if o.allNamespaces {
			where = "in any namespace"
		}
		fmt.Fprintf(s.ErrOut, "No resources found %s.\n", where)
		return nil
	}
	return printOutput(s.Out, output, st, func() string { return st.Text(time.Now()) })
}

// kubeLogsOptions are the Kubernetes target's part of "blogctl logs".
type kubeLogsOptions struct {
	cluster  kubeFlags
	previous bool
	tail     int64
}

func (o *kubeLogsOptions) addFlags(cmd *cobra.Command) {
	o.cluster.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.previous, "previous", "p", false,
		"kubernetes: the logs of the previous run of a restarted container")
	cmd.Flags().Int64Var(&o.tail, "tail", 0, "kubernetes: only the last lines (default all)")
}

func (o *kubeLogsOptions) run(ctx context.Context, s *Streams, service string, follow bool) error {
	if _, err := blog.Lookup(service); err != nil {
		return err
	}
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	opts := kube.LogOptions{Follow: follow, Previous: o.previous, Tail: o.tail}
	err = kube.Logs(ctx, cluster.Clientset, cluster.Namespace, service, opts, s.Out)
	if errors.Is(err, kube.ErrNoPods) {
		up := commandLine(append([]string{"blogctl", "up"}, o.cluster.commandArgs(cluster.Namespace)...)...)
		err = fmt.Errorf("%w: deploy the system with %q", err, up)
	}
	return cluster.Explain(err)
}
