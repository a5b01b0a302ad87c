//go:build !serveonly

package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

// Stubs until the local target lands; the owner of the local target replaces
// this file.

var (
	errLocalDown = errors.New("the local target stops with Ctrl-C in the terminal that runs \"blogctl up --target local\"")
	errLocalLogs = errors.New("the local target prints its logs in the terminal that runs \"blogctl up --target local\"")
)

type localUpOptions struct{}

func (o *localUpOptions) addFlags(*cobra.Command) {}

func (o *localUpOptions) run(context.Context, *Streams) error {
	return errors.New("up --target local is not built yet")
}

type localStatusOptions struct{}

func (o *localStatusOptions) addFlags(*cobra.Command) {}

func (o *localStatusOptions) run(context.Context, *Streams, string) error {
	return errors.New("status --target local is not built yet")
}
