//go:build serveonly

package cli

import (
	"github.com/spf13/cobra"
)

// addFullCommands adds nothing in the serveonly build: a container image
// runs only "blogctl serve" and keeps its binary small.
func addFullCommands(*cobra.Command, *Streams) {}
