//go:build !serveonly

package cli

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// up, down, status and logs give every target's flags to one command, so two
// targets may want the same flag (--image-prefix, --gateway-port). These
// helpers define a flag only if no other target has, and return a getter
// that reads whatever value the command line or environment set.

func sharedString(cmd *cobra.Command, name, def, usage string) func() string {
	if cmd.Flags().Lookup(name) == nil {
		cmd.Flags().String(name, def, usage)
	}
	return func() string { return cmd.Flags().Lookup(name).Value.String() }
}

func sharedInt(cmd *cobra.Command, name string, def int, usage string) func() int {
	if cmd.Flags().Lookup(name) == nil {
		cmd.Flags().Int(name, def, usage)
	}
	return func() int {
		v, _ := strconv.Atoi(cmd.Flags().Lookup(name).Value.String())
		return v
	}
}

func sharedBool(cmd *cobra.Command, name string, def bool, usage string) func() bool {
	if cmd.Flags().Lookup(name) == nil {
		cmd.Flags().Bool(name, def, usage)
	}
	return func() bool {
		v, _ := strconv.ParseBool(cmd.Flags().Lookup(name).Value.String())
		return v
	}
}

func sharedDuration(cmd *cobra.Command, name string, def time.Duration, usage string) func() time.Duration {
	if cmd.Flags().Lookup(name) == nil {
		cmd.Flags().Duration(name, def, usage)
	}
	return func() time.Duration {
		v, _ := time.ParseDuration(cmd.Flags().Lookup(name).Value.String())
		return v
	}
}
