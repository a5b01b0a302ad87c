//go:build !serveonly

package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

// Stubs until the Kubernetes target lands; the owner of the Docker target
// replaces this file.

var errKubeNotYet = errors.New("the kubernetes target is not built yet")

type kubeUpOptions struct{}

func (o *kubeUpOptions) addFlags(*cobra.Command)             {}
func (o *kubeUpOptions) run(context.Context, *Streams) error { return errKubeNotYet }

type kubeDownOptions struct{}

func (o *kubeDownOptions) addFlags(*cobra.Command)             {}
func (o *kubeDownOptions) run(context.Context, *Streams) error { return errKubeNotYet }

type kubeStatusOptions struct{}

func (o *kubeStatusOptions) addFlags(*cobra.Command) {}
func (o *kubeStatusOptions) run(context.Context, *Streams, string) error {
	return errKubeNotYet
}

type kubeLogsOptions struct{}

func (o *kubeLogsOptions) addFlags(*cobra.Command) {}
func (o *kubeLogsOptions) run(context.Context, *Streams, string, bool) error {
	return errKubeNotYet
}
