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
			t, err := checkTarget(o.target)
			if err != nil {
				return err
			}
			switch t {
			case targetLocal:
				return o.local.run(cmd.Context(), s)
			case targetDocker:
				return o.docker.run(cmd.Context(), s)
			}
			return o.kube.run(cmd.Context(), s)
		},
	}
	addTargetFlag(cmd, &o.target)
	o.local.addFlags(cmd)
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
	return cmd
}
