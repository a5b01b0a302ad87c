//go:build !serveonly

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// applyOptions holds what "blogctl apply" needs.
type applyOptions struct {
	streams   *Streams
	cluster   kubeFlags
	files     []string
	dryRun    string
	force     bool
	wait      bool
	timeout   timeoutFlag
	output    string
	serverRun bool
	// containerdAddress is the node's containerd, for the doctor's review
	// of a failed rollout.
	containerdAddress string
}

func newApplyCmd(s *Streams) *cobra.Command {
	o := &applyOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "apply [-f path...]",
		Short: "Apply manifest files with server-side apply",
		Long: `Apply manifest files with server-side apply (field manager blogctl), and
print per object whether it was created, configured or unchanged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	o.cluster.addFlags(cmd)
	fs := cmd.Flags()
	fs.StringSliceVarP(&o.files, "filename", "f", []string{kube.DefaultManifestsDir}, "files or directories to apply")
	fs.StringVar(&o.dryRun, "dry-run", "none", "none, or server: the server checks and persists nothing")
	fs.BoolVar(&o.force, "force-conflicts", false, "take over fields another field manager owns")
	fs.BoolVar(&o.wait, "wait", false, "wait for the deployments to roll out")
	fs.StringVar(&o.containerdAddress, "containerd-address", "",
		"with --wait, the node's containerd socket, so a failed rollout's fix can load images into it")
	o.timeout.addFlag(cmd)
	addOutputFlag(cmd, &o.output)
	return cmd
}

func (o *applyOptions) run(ctx context.Context) error {
	switch o.dryRun {
	case "none", "":
	case "server":
		o.serverRun = true
	default:
		return fmt.Errorf("unknown --dry-run %q: use none or server", o.dryRun)
	}
	objs, err := manifest.ReadPaths(o.files)
	if err != nil {
		return err
	}
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	results, applyErr := o.apply(ctx, cluster, objs)
	if err := printResults(o.streams, o.output, results, o.serverRun); err != nil {
		return err
	}
	if applyErr != nil || !o.wait || o.serverRun {
		return cluster.Explain(applyErr)
	}
	err = waitApplied(ctx, o.streams, cluster, results, o.timeout.value)
	dir := manifestsDirOf(o.files)
	err = reviewRolloutError(ctx, cluster, o.streams, dir, o.containerdAddress, err)
	fixCmd := doctorFixCommand(dir, o.containerdAddress, o.cluster.commandArgs(cluster.Namespace))
	return explainRollout(o.streams.ErrOut, err, fixCmd)
}

// apply creates the namespace when it is missing, then applies objs. Its
// results start with the namespace's line, as kubectl's would with a
// Namespace object. In a server dry run a missing namespace is only
// checked: the objects in it are left unchecked, as the server cannot
// check them before it exists.
func (o *applyOptions) apply(ctx context.Context, c *kube.Cluster,
	objs []manifest.Object) ([]kube.Result, error) {
	a, err := c.NewApplier()
	if err != nil {
		return nil, err
	}
	a.DryRun, a.Force = o.serverRun, o.force
	ns, err := kube.EnsureNamespace(ctx, c, o.serverRun)
	if err != nil {
		return nil, err
	}
	if ns != nil && o.serverRun {
		a.PendingNamespace = c.Namespace
		fmt.Fprintf(o.streams.ErrOut, "note: namespace %s does not exist: the server checked creating it, "+
			"but cannot check the objects in it until it exists; the real apply creates it first\n", c.Namespace)
	}
	results, err := a.Apply(ctx, objs)
	if ns != nil {
		results = append([]kube.Result{*ns}, results...)
	}
	return results, err
}

// manifestsDirOf is the directory the doctor should fix files in after
// applying paths: the one directory given, or the one directory every
// file given is in; otherwise the default, where blogctl writes them.
func manifestsDirOf(paths []string) string {
	dir := ""
	for _, p := range paths {
		d := p
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			d = filepath.Dir(p)
		}
		d = filepath.Clean(d)
		if dir != "" && d != dir {
			return kube.DefaultManifestsDir
		}
		dir = d
	}
	if dir == "" {
		return kube.DefaultManifestsDir
	}
	return dir
}

// printResults prints kubectl's lines, or the results as data.
func printResults(s *Streams, format string, results []kube.Result, dryRun bool) error {
	if results == nil {
		results = []kube.Result{}
	}
	return printOutput(s.Out, format, results, func() string {
		var out string
		for _, r := range results {
			switch {
			case dryRun && r.Note != "":
				r.Note = "server dry run; " + r.Note
			case dryRun:
				r.Note = "server dry run"
			}
			out += r.String() + "\n"
		}
		return out
	})
}

// waitApplied waits for the deployments among the results.
func waitApplied(ctx context.Context, s *Streams, c *kube.Cluster, results []kube.Result,
	timeout timeoutValue) error {
	var deps []string
	for _, r := range results {
		if r.Kind == "Deployment" && r.Group == "apps" {
			deps = append(deps, r.Name)
		}
	}
	if len(deps) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout.Duration)
	defer cancel()
	w := &kube.Waiter{Clientset: c.Clientset, Namespace: c.Namespace, Progress: s.ErrOut}
	return c.Explain(w.Wait(ctx, deps))
}
