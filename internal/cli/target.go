//go:build !serveonly

package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Targets a command can act on.
const (
	targetKubernetes = "kubernetes"
	targetDocker     = "docker"
	targetLocal      = "local"
)

// addTargetFlag adds --target, whose default is Kubernetes.
func addTargetFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "target", targetKubernetes,
		"where the system runs: kubernetes, docker or local")
}

// onTarget validates target and runs the action for it.
func onTarget(target string, local, docker, kube func() error) error {
	t, err := checkTarget(target)
	if err != nil {
		return err
	}
	switch t {
	case targetLocal:
		return local()
	case targetDocker:
		return docker()
	}
	return kube()
}

// checkTarget normalises and validates a --target value.
func checkTarget(t string) (string, error) {
	switch t {
	case targetKubernetes, "k8s", "kube", "":
		return targetKubernetes, nil
	case targetDocker, targetLocal:
		return t, nil
	}
	return "", fmt.Errorf("unknown target %q: use kubernetes, docker or local", t)
}
