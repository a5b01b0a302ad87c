// Package dockertarget runs the blog system as containers on one Docker
// engine: a user-defined network whose aliases are the course's Kubernetes
// Service names, so every default URL works unchanged, a named volume per
// service for its data, and one published port for the front door.
package dockertarget

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// Labels put on everything the target creates, so that down and status find
// it again.
const (
	LabelProject = "dev.blogctl.project"
	LabelService = "dev.blogctl.service"
	// LabelSpec holds a hash of the Container a container was made from, so
	// that up replaces it when anything about it changes.
	LabelSpec = "dev.blogctl.spec"
)

// DefaultProject names the network, and prefixes containers and volumes.
const DefaultProject = "blogctl"

// Engine is the part of the Docker Engine API the target uses.
// *client.Client implements it.
type Engine interface {
	ContainerCreate(ctx context.Context, opts client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	ContainerStart(ctx context.Context, id string, opts client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerInspect(ctx context.Context, id string, opts client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerList(ctx context.Context, opts client.ContainerListOptions) (client.ContainerListResult, error)
	ContainerRemove(ctx context.Context, id string, opts client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	ContainerLogs(ctx context.Context, id string, opts client.ContainerLogsOptions) (client.ContainerLogsResult, error)
	NetworkCreate(ctx context.Context, name string, opts client.NetworkCreateOptions) (client.NetworkCreateResult, error)
	NetworkInspect(ctx context.Context, name string, opts client.NetworkInspectOptions) (client.NetworkInspectResult, error)
	NetworkRemove(ctx context.Context, name string, opts client.NetworkRemoveOptions) (client.NetworkRemoveResult, error)
	VolumeCreate(ctx context.Context, opts client.VolumeCreateOptions) (client.VolumeCreateResult, error)
	VolumeList(ctx context.Context, opts client.VolumeListOptions) (client.VolumeListResult, error)
	VolumeRemove(ctx context.Context, id string, opts client.VolumeRemoveOptions) (client.VolumeRemoveResult, error)
}

// System is the blog system on one engine, under one project name.
type System struct {
	Engine  Engine
	Project string
	// Progress receives one line per step; it may be io.Discard.
	Progress io.Writer
}

// Container describes one service's container.
type Container struct {
	// Service is the service's name; the container is <project>-<service>.
	Service string
	// Image is the image reference to run.
	Image string
	// Port is the port the service listens on inside the container.
	Port int
	// Aliases are the container's names on the network.
	Aliases []string
	// HostPort, when set, publishes Port on 127.0.0.1:HostPort.
	HostPort int
	// Volume says whether to keep /data in a named volume.
	Volume bool
	// Env holds extra environment variables, as NAME=value.
	Env []string
}

func (s *System) project() string {
	if s.Project == "" {
		return DefaultProject
	}
	return s.Project
}

// ContainerName returns the name of service's container.
func (s *System) ContainerName(service string) string {
	return s.project() + "-" + service
}

// VolumeName returns the name of service's data volume.
func (s *System) VolumeName(service string) string {
	return s.project() + "-" + service + "-data"
}

// NetworkName returns the name of the system's network.
func (s *System) NetworkName() string { return s.project() }

func (s *System) labels(service string) map[string]string {
	l := map[string]string{LabelProject: s.project()}
	if service != "" {
		l[LabelService] = service
	}
	return l
}

func (s *System) projectFilter() client.Filters {
	return make(client.Filters).Add("label", LabelProject+"="+s.project())
}

func (s *System) progressf(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, format+"\n", args...)
	}
}
