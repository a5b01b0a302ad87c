package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/blogctl/blogctl/internal/local"
)

var (
	errLocalDown = errors.New("the local target stops with Ctrl-C in the terminal that runs \"blogctl up --target local\"")
	errLocalLogs = errors.New("the local target prints its logs in the terminal that runs \"blogctl up --target local\"")
)

// localUpOptions are the flags of "blogctl up --target local".
type localUpOptions struct {
	dataDir     string
	portBase    int
	gatewayPort int
	words       string
	verbose     bool
	cfg         local.Config
}

func (o *localUpOptions) addFlags(cmd *cobra.Command) {
	addDataDirFlag(cmd, &o.dataDir)
	f := cmd.Flags()
	f.IntVar(&o.portBase, "port-base", 0, "local: move every service's port: posts at this port, "+
		"comments at +1, query +2, moderation +3, event-bus +5, client +6 (0: standard ports)")
	f.IntVar(&o.gatewayPort, "gateway-port", local.DefaultGatewayPort, "local: the gateway's port")
	f.StringVar(&o.words, "words", "", "local: words that get a comment rejected, comma-separated "+
		"(empty: the moderation service's default, orange)")
	f.BoolVar(&o.verbose, "verbose", false, "local: copy the services' logs to stderr as well")
	f.DurationVar(&o.cfg.ReadyTimeout, "ready-timeout", local.DefaultReadyTimeout,
		"local: how long to wait for every service to be ready")
}

func (o *localUpOptions) run(ctx context.Context, s *Streams) error {
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the blogctl binary to run the services: %w", err)
	}
	cfg := o.cfg
	cfg.Binary = bin
	cfg.DataDir = o.dataDir
	cfg.PortBase = o.portBase
	cfg.GatewayPort = o.gatewayPort
	cfg.Words = o.words
	cfg.Verbose = o.verbose
	cfg.Out, cfg.ErrOut = s.Out, s.ErrOut
	return local.Up(ctx, cfg)
}

// localStatusOptions are the flags of "blogctl status --target local".
type localStatusOptions struct {
	dataDir string
}

func (o *localStatusOptions) addFlags(cmd *cobra.Command) {
	addDataDirFlag(cmd, &o.dataDir)
}

func (o *localStatusOptions) run(ctx context.Context, s *Streams, output string) error {
	hs, err := local.Status(ctx, o.dataDir)
	if err != nil {
		return err
	}
	return printOutput(s.Out, output, hs, func() string {
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tURL\tHEALTH")
		for _, h := range hs {
			health := h.Health
			if h.Detail != "" {
				health += " (" + h.Detail + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Name, h.URL, health)
		}
		tw.Flush()
		return b.String()
	})
}

func addDataDirFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "data-dir", local.DefaultDataDir(),
		"local: where the services keep their data and logs")
}
