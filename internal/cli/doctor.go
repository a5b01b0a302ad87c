//go:build !serveonly

package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/kube"
)

// doctorOptions holds what "blogctl doctor" needs.
type doctorOptions struct {
	streams           *Streams
	cluster           kubeFlags
	fix               bool
	manifestsDir      string
	containerdAddress string
	output            string
}

func newDoctorCmd(s *Streams) *cobra.Command {
	o := &doctorOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "doctor [--fix]",
		Short: "Explain every pod that is not ready, and apply the safe fixes",
		Long: `Explain every pod of the namespace that is not ready: the cause in one
line, the evidence (waiting reason, events, last logs) and the fix.

With --fix, apply the fixes that are safe: for an image the node cannot get,
load it into the node or push it, set imagePullPolicy: Never in the manifest
file for a local cluster, and apply the file. Fixes edit the files in
--manifests-dir and apply them, never only the live objects.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	o.cluster.addFlags(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&o.fix, "fix", false, "apply the safe fixes")
	fs.StringVar(&o.manifestsDir, "manifests-dir", kube.DefaultManifestsDir, "directory of the manifest files")
	fs.StringVar(&o.containerdAddress, "containerd-address", "",
		"the node's containerd socket, to load images into a local containerd-based node")
	addOutputFlag(cmd, &o.output)
	return cmd
}

func (o *doctorOptions) run(ctx context.Context) error {
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	findings, err := diagnose.Examine(ctx, cluster.Clientset, cluster.Namespace)
	if err != nil {
		return cluster.Explain(err)
	}
	if len(findings) == 0 {
		// No pod to find fault with may be no namespace at all.
		if err := kube.CheckNamespace(ctx, cluster.Clientset, cluster.Namespace); err != nil {
			return cluster.Explain(err)
		}
		findings = []*diagnose.Finding{}
	}
	fixer, closeFixer, fixerErr := o.newFixer(ctx, cluster, findings)
	defer closeFixer()
	reviewFindings(ctx, findings, fixer, fixerErr)
	if err := printOutput(o.streams.Out, o.output, findings, func() string {
		fixCmd := doctorFixCommand(o.manifestsDir, o.containerdAddress, o.cluster.commandArgs(cluster.Namespace))
		return findingsText(findings, cluster.Namespace, fixCmd)
	}); err != nil {
		return err
	}
	if !o.fix || len(findings) == 0 {
		if len(findings) > 0 {
			return &ExitError{Code: 1}
		}
		return nil
	}
	if fixerErr != nil {
		return fixerErr
	}
	return o.fixAll(ctx, fixer, findings)
}

// newFixer connects to the Docker engine and the cluster's node the way
// "--fix" does, when a finding looks fixable. The close function is never
// nil.
func (o *doctorOptions) newFixer(ctx context.Context, c *kube.Cluster,
	findings []*diagnose.Finding) (*diagnose.Fixer, func(), error) {
	if !slices.ContainsFunc(findings, (*diagnose.Finding).Fixable) {
		return nil, func() {}, nil
	}
	engine, err := connectEngine(ctx, "applying the doctor's fixes")
	if err != nil {
		return nil, func() {}, err
	}
	x, err := kube.NewFixer(ctx, kube.FixerOptions{Cluster: c, ContainerdAddress: o.containerdAddress,
		Engine: engine, Save: kube.EngineSaver(engine), ManifestsDir: o.manifestsDir, Progress: o.streams.ErrOut})
	if err != nil {
		engine.Close()
		return nil, func() {}, err
	}
	return x, func() { engine.Close() }, nil
}

// reviewRolloutError keeps the diagnosis of a failed rollout from
// promising "blogctl doctor --fix" when the doctor, given manifestsDir and
// containerdAddress, would not apply a fix. It returns err.
func reviewRolloutError(ctx context.Context, c *kube.Cluster, s *Streams, manifestsDir, containerdAddress string,
	err error) error {
	var re *kube.RolloutError
	if !errors.As(err, &re) || !re.Finding.Fixable() {
		return err
	}
	d := &doctorOptions{streams: s, manifestsDir: manifestsDir, containerdAddress: containerdAddress}
	findings := []*diagnose.Finding{re.Finding}
	x, closeFixer, fixerErr := d.newFixer(ctx, c, findings)
	defer closeFixer()
	reviewFindings(ctx, findings, x, fixerErr)
	return err
}

// reviewFindings keeps the promise of "blogctl doctor --fix" only on the
// findings the fixer would fix.
func reviewFindings(ctx context.Context, findings []*diagnose.Finding, x *diagnose.Fixer, err error) {
	if x != nil {
		diagnose.Review(ctx, findings, x.Env)
		return
	}
	if err == nil {
		return
	}
	for _, f := range findings {
		if f.Fixable() {
			f.AutoFix = diagnose.FixNone
			f.Fix += " (\"blogctl doctor --fix\" cannot: " + err.Error() + ")"
		}
	}
}

func findingsText(findings []*diagnose.Finding, ns, fixCmd string) string {
	if len(findings) == 0 {
		return fmt.Sprintf("every pod in namespace %s is ready\n", ns)
	}
	var b strings.Builder
	for _, f := range findings {
		printFinding(&b, f, fixCmd)
	}
	return b.String()
}

// fixAll applies the safe fix of every fixable finding; the others are
// reported together.
func (o *doctorOptions) fixAll(ctx context.Context, x *diagnose.Fixer, findings []*diagnose.Finding) error {
	var errs []error
	for _, f := range findings {
		if x == nil {
			// No finding looked fixable, so no fixer was made.
			errs = append(errs, fmt.Errorf("%s: %w: %s", f.Pod, diagnose.ErrNoSafeFix, f.Fix))
			continue
		}
		plan, err := x.Fix(ctx, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, s := range plan.Steps {
			fmt.Fprintf(o.streams.ErrOut, "%s: %s\n", f.Pod, s)
		}
		fmt.Fprintf(o.streams.Out, "fixed %s: %s\n", f.Pod, f.Reason)
	}
	return errors.Join(errs...)
}
