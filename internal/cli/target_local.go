//go:build !serveonly

package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/local"
)

// localUpOptions are the flags of "blogctl up --target local". Flags that
// other targets share are read through getters.
type localUpOptions struct {
	dataDir      func() string
	portBase     func() int
	gatewayPort  func() int
	words        func() string
	verbose      func() bool
	readyTimeout func() time.Duration
	restart      func() string
}

func (o *localUpOptions) addFlags(cmd *cobra.Command) {
	o.dataDir = addDataDirFlag(cmd)
	o.portBase = sharedInt(cmd, "port-base", 0, "local: move every service's port: posts at this "+
		"port, comments at +1, query +2, moderation +3, event-bus +5, client +6 (0: standard ports)")
	o.gatewayPort = sharedInt(cmd, "gateway-port", local.DefaultGatewayPort,
		"the gateway's port on this machine")
	o.words = sharedString(cmd, "words", "", "words that get a comment rejected, comma-separated, "+
		"given to the moderation service on every target (empty: its default, orange)")
	o.verbose = sharedBool(cmd, "verbose", false, "local: copy the services' logs to stderr as well")
	o.readyTimeout = sharedDuration(cmd, "ready-timeout", local.DefaultReadyTimeout,
		"how long to wait for every service to be ready")
	o.restart = sharedString(cmd, "restart", string(local.RestartOnFailure),
		"local: when a service exits on its own, on-failure starts it again after a backoff "+
			"(1s, doubling up to 30s), never stops the whole system")
}

func (o *localUpOptions) run(ctx context.Context, s *Streams) error {
	restart, err := local.ParseRestartPolicy(o.restart())
	if err != nil {
		return fmt.Errorf("checking --restart: %w", err)
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the blogctl binary to run the services: %w", err)
	}
	return local.Up(ctx, local.Config{
		Binary:       bin,
		DataDir:      o.dataDir(),
		PortBase:     o.portBase(),
		GatewayPort:  o.gatewayPort(),
		Words:        o.words(),
		Verbose:      o.verbose(),
		ReadyTimeout: o.readyTimeout(),
		Restart:      restart,
		Out:          s.Out,
		ErrOut:       s.ErrOut,
	})
}

// localStatusOptions are the flags of "blogctl status --target local".
type localStatusOptions struct {
	dataDir func() string
}

func (o *localStatusOptions) addFlags(cmd *cobra.Command) {
	o.dataDir = addDataDirFlag(cmd)
}

func (o *localStatusOptions) run(ctx context.Context, s *Streams, output string) error {
	hs, err := local.Status(ctx, o.dataDir())
	if err != nil {
		return err
	}
	return printOutput(s.Out, output, hs, func() string { return local.FormatStatus(hs) })
}

func addDataDirFlag(cmd *cobra.Command) func() string {
	return sharedString(cmd, "data-dir", local.DefaultDataDir(),
		"local: where the services keep their data, their logs and the state file")
}

// localDownOptions are the flags of "blogctl down --target local".
type localDownOptions struct {
	dataDir func() string
}

func (o *localDownOptions) addFlags(cmd *cobra.Command) { o.dataDir = addDataDirFlag(cmd) }

func (o *localDownOptions) run(ctx context.Context, s *Streams) error {
	if err := local.Stop(ctx, o.dataDir()); err != nil {
		return err
	}
	fmt.Fprintln(s.ErrOut, "the local blog system has stopped")
	return nil
}

// localLogsOptions are the flags of "blogctl logs --target local".
type localLogsOptions struct {
	dataDir func() string
}

func (o *localLogsOptions) addFlags(cmd *cobra.Command) { o.dataDir = addDataDirFlag(cmd) }

func (o *localLogsOptions) run(ctx context.Context, s *Streams, service string, follow bool) error {
	return local.Logs(ctx, o.dataDir(), service, follow, s.Out)
}
