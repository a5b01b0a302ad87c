// Command blogctl builds, deploys and operates the blog system, and runs its
// services: see "blogctl --help".
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/blogctl/blogctl/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	streams := cli.SystemStreams()
	err := cli.NewRootCmd(streams).ExecuteContext(ctx)
	stop()
	os.Exit(cli.ExitCode(streams, err))
}
