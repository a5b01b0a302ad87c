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
			t, err := checkTarget(o.target)
			if err != nil {
				return err
			}
			switch t {
			case targetLocal:
				return o.local.run(cmd.Context(), s, o.output)
			case targetDocker:
				return o.docker.run(cmd.Context(), s, o.output)
			}
			return o.kube.run(cmd.Context(), s, o.output)
		},
	}
	addTargetFlag(cmd, &o.target)
	addOutputFlag(cmd, &o.output)
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
