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
			t, err := checkTarget(o.target)
			if err != nil {
				return err
			}
			o.service = args[0]
			switch t {
			case targetLocal:
				return o.local.run(cmd.Context(), s, o.service, o.follow)
			case targetDocker:
				return o.docker.run(cmd.Context(), s, o.service, o.follow)
			}
			return o.kube.run(cmd.Context(), s, o.service, o.follow)
		},
	}
	addTargetFlag(cmd, &o.target)
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "stream the logs as they are written")
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
