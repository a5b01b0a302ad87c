//go:build !serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// addFullCommands registers the commands that build, deploy and operate the
// system. They pull in the Docker, Kubernetes and terminal UI libraries, so
// the image's binary, built with the serveonly tag, leaves them out.
func addFullCommands(root *cobra.Command, s *Streams) {
	// Keep the list sorted.
	root.AddCommand(
		newApplyCmd(s),
		newBuildCmd(s),
		newDeleteCmd(s),
		newDoctorCmd(s),
		newDownCmd(s),
		newLogsCmd(s),
		newManifestsCmd(s),
		newPushCmd(s),
		newRolloutCmd(s),
		newStatusCmd(s),
		newTuiCmd(s),
		newUpCmd(s),
	)
}
