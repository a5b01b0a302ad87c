// Package dockertest gives tests a client of the real Docker engine, or
// stops them as package testenv does for any missing component.
package dockertest

import (
	"context"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv"
)

// NeedEngine returns a client for the Docker engine, closed when t ends,
// or stops the test: skipped on a bare machine, failed under the full run.
func NeedEngine(t testing.TB) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := image.Connect(ctx)
	var why string
	if err != nil {
		why = err.Error()
	}
	testenv.Need(t, err == nil, "a Docker engine", why)
	t.Cleanup(func() { c.Close() })
	return c
}
