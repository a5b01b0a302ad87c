//go:build !serveonly

package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// deleteOptions holds what "blogctl delete" needs.
type deleteOptions struct {
	streams *Streams
	cluster kubeFlags
	files   []string
	output  string
}

func newDeleteCmd(s *Streams) *cobra.Command {
	o := &deleteOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "delete [-f path...]",
		Short: "Delete the objects of manifest files from the cluster",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	o.cluster.addFlags(cmd)
	cmd.Flags().StringSliceVarP(&o.files, "filename", "f", []string{kube.DefaultManifestsDir},
		"files or directories whose objects to delete")
	addOutputFlag(cmd, &o.output)
	return cmd
}

func (o *deleteOptions) run(ctx context.Context) error {
	objs, err := manifest.ReadPaths(o.files)
	if err != nil {
		return err
	}
	cluster, err := o.cluster.connect()
	if err != nil {
		return err
	}
	a, err := cluster.NewApplier()
	if err != nil {
		return err
	}
	results, delErr := a.Delete(ctx, objs)
	if err := printResults(o.streams, o.output, results, false); err != nil {
		return err
	}
	return cluster.Explain(delErr)
}
