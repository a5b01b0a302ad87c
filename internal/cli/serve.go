package cli

import (
	"github.com/spf13/cobra"
)

func newServeCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve <service>",
		Short: "Run one service of the blog system",
	}
	return cmd
}
