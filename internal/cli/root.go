package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NewRootCmd builds the blogctl command tree.
func NewRootCmd(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "blogctl",
		Short: "Build, deploy and operate the blog system, and run its services",
		Long: `blogctl builds, deploys and operates a small event-driven blog system
(posts, comments, query, moderation, an event bus and a web client), and runs
those services itself: "blogctl serve <service>" is what every image runs.

Start the whole system on this machine, with no Docker and no cluster:

  blogctl up --target local`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)

	// Each command registers itself here; keep the list sorted. Commands
	// that deploy and operate the system register in commands_full.go.
	root.AddCommand(
		newHealthCmd(s),
		newServeCmd(s),
		newVersionCmd(s),
	)
	addFullCommands(root, s)
	bindEnvAll(root)
	return root
}

// ExitCode prints err, if any, on the error stream and returns the process
// exit code for it.
func ExitCode(s *Streams, err error) int {
	if err == nil {
		return 0
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintf(s.ErrOut, "Error: %v\n", exit.Err)
		}
		return exit.Code
	}
	fmt.Fprintf(s.ErrOut, "Error: %v\n", err)
	return 1
}

// ExitError carries a specific exit code out of a command. A nil Err exits
// quietly.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// EnvName returns the environment variable that sets flag name:
// --event-bus-url is BLOGCTL_EVENT_BUS_URL.
func EnvName(flag string) string {
	return "BLOGCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnvAll makes every flag of every command settable from its
// environment variable. A flag given on the command line wins.
func bindEnvAll(cmd *cobra.Command) {
	prev := cmd.PersistentPreRunE
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := applyEnv(c.Flags()); err != nil {
			return err
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

func applyEnv(flags *pflag.FlagSet) error {
	var errs []error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" {
			return
		}
		v, ok := os.LookupEnv(EnvName(f.Name))
		if !ok {
			return
		}
		if err := flags.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("reading %s for --%s: %w", EnvName(f.Name), f.Name, err))
		}
	})
	return errors.Join(errs...)
}
