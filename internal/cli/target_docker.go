//go:build !serveonly

package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

// Stubs until the Docker target lands; the owner of the Docker target
// replaces this file.

var errDockerNotYet = errors.New("the docker target is not built yet")

type dockerUpOptions struct{}

func (o *dockerUpOptions) addFlags(*cobra.Command)             {}
func (o *dockerUpOptions) run(context.Context, *Streams) error { return errDockerNotYet }

type dockerDownOptions struct{}

func (o *dockerDownOptions) addFlags(*cobra.Command)             {}
func (o *dockerDownOptions) run(context.Context, *Streams) error { return errDockerNotYet }

type dockerStatusOptions struct{}

func (o *dockerStatusOptions) addFlags(*cobra.Command) {}
func (o *dockerStatusOptions) run(context.Context, *Streams, string) error {
	return errDockerNotYet
}

type dockerLogsOptions struct{}

func (o *dockerLogsOptions) addFlags(*cobra.Command) {}
func (o *dockerLogsOptions) run(context.Context, *Streams, string, bool) error {
	return errDockerNotYet
}
