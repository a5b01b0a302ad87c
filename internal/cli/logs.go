//go:build !serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// logsOptions holds what "blogctl logs" needs on every target.
type logsOptions struct {
	streams *Streams
	target  string
	service string
	follow  bool

	local  localLogsOptions
	docker dockerLogsOptions
	kube   kubeLogsOptions
}

func newLogsCmd(s *Streams) *cobra.Command {
	o := &logsOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "logs <service>",
		Short: "Show a service's logs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o.service = args[0]
			return onTarget(o.target,
				func() error { return o.local.run(ctx, s, o.service, o.follow) },
				func() error { return o.docker.run(ctx, s, o.service, o.follow) },
				func() error { return o.kube.run(ctx, s, o.service, o.follow) })
		},
	}
	addTargetFlag(cmd, &o.target)
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "stream the logs as they are written")
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
