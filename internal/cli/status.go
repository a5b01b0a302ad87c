//go:build !serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// statusOptions holds what "blogctl status" needs on every target.
type statusOptions struct {
	streams *Streams
	target  string
	output  string

	local  localStatusOptions
	docker dockerStatusOptions
	kube   kubeStatusOptions
}

func newStatusCmd(s *Streams) *cobra.Command {
	o := &statusOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the blog system's deployments, pods and services, or its containers or processes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return onTarget(o.target,
				func() error { return o.local.run(ctx, s, o.output) },
				func() error { return o.docker.run(ctx, s, o.output) },
				func() error { return o.kube.run(ctx, s, o.output) })
		},
	}
	addTargetFlag(cmd, &o.target)
	addOutputFlag(cmd, &o.output)
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
