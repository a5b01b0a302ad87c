//go:build !serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// upOptions holds what "blogctl up" needs on every target; each target adds
// its own flags from up_<target>.go.
type upOptions struct {
	streams *Streams
	target  string

	local  localUpOptions
	docker dockerUpOptions
	kube   kubeUpOptions
}

func newUpCmd(s *Streams) *cobra.Command {
	o := &upOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Build, ship and start the whole blog system, and wait until it is ready",
		Long: `Build, ship and start the whole blog system, and wait until it is ready.

  --target local       every service as a process on this machine: no Docker, no cluster
  --target docker      every service as a container on a Docker engine
  --target kubernetes  build, push or load, apply the manifests and wait for the rollout`,
		Args: cobra.NoArgs,
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
