//go:build !serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// downOptions holds what "blogctl down" needs on every target.
type downOptions struct {
	streams *Streams
	target  string

	local  localDownOptions
	docker dockerDownOptions
	kube   kubeDownOptions
}

func newDownCmd(s *Streams) *cobra.Command {
	o := &downOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop the blog system and remove what blogctl created for it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return onTarget(o.target,
				func() error { return o.local.run(ctx, s) },
				func() error { return o.docker.run(ctx, s) },
				func() error { return o.kube.run(ctx, s) })
		},
	}
	addTargetFlag(cmd, &o.target)
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
