// Package image builds blogctl's container images and pushes them, through
// the Docker Engine API: one image per service, each holding a statically
// linked blogctl that runs "blogctl serve <service>".
package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/moby/moby/client"
)

// Engine is the part of the Docker Engine API that building and pushing use.
// *client.Client implements it; tests may pass a fake.
type Engine interface {
	Info(ctx context.Context, opts client.InfoOptions) (client.SystemInfoResult, error)
	ImageBuild(ctx context.Context, buildContext io.Reader, opts client.ImageBuildOptions) (client.ImageBuildResult, error)
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImageTag(ctx context.Context, opts client.ImageTagOptions) (client.ImageTagResult, error)
	ImagePush(ctx context.Context, ref string, opts client.ImagePushOptions) (client.ImagePushResponse, error)
}

// ErrNoEngine is returned when no Docker engine answers.
var ErrNoEngine = errors.New("no Docker engine reachable")

// Connect returns a client for the Docker engine that DOCKER_HOST names, or
// the default socket, after checking that the engine answers. The client
// negotiates the API version down to the engine's (API 1.41 for Docker
// 20.10, for example).
func Connect(ctx context.Context) (*client.Client, error) {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("connecting to the Docker engine at %s: %w", engineHost(), err)
	}
	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w at %s: %w (start Docker, or set DOCKER_HOST to a running engine)",
			ErrNoEngine, engineHost(), err)
	}
	return c, nil
}

// engineHost names where the client looks for the engine.
func engineHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return "DOCKER_HOST=" + h
	}
	return client.DefaultDockerHost
}
