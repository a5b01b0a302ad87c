package dockertarget

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// ErrPortTaken is returned when a port to publish is in use on the host.
var ErrPortTaken = errors.New("port already taken")

// ErrExited is returned when a container stops while the system starts.
var ErrExited = errors.New("container exited")

// dataDir is where an image keeps a service's data; see the Dockerfile.
const dataDir = "/data"

// Up starts every container on the system's network, in order, keeping one
// that already runs as described and replacing any other, then waits until
// all are healthy or timeout passes.
func (s *System) Up(ctx context.Context, containers []Container, timeout time.Duration) error {
	if err := s.ensureNetwork(ctx); err != nil {
		return err
	}

	var ids []string
	for _, c := range containers {
		id, err := s.ensureContainer(ctx, c)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for i, id := range ids {
		if err := s.waitHealthy(ctx, containers[i].Service, id); err != nil {
			return err
		}
	}
	return nil
}

// ensureNetwork creates the system's network unless it exists.
func (s *System) ensureNetwork(ctx context.Context) error {
	name := s.NetworkName()
	_, err := s.Engine.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	if err == nil {
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("looking for network %s: %w", name, err)
	}
	s.progressf("creating network %s", name)
	_, err = s.Engine.NetworkCreate(ctx, name, client.NetworkCreateOptions{
		Driver: "bridge", Labels: s.labels(""),
	})
	if err != nil {
		return fmt.Errorf("creating network %s: %w", name, err)
	}
	return nil
}

// ensureContainer leaves a running container made from c alone, and
// otherwise replaces it with a new one, started.
func (s *System) ensureContainer(ctx context.Context, c Container) (string, error) {
	name := s.ContainerName(c.Service)
	old, err := s.Engine.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	switch {
	case err == nil && old.Container.State.Running && old.Container.Config.Labels[LabelSpec] == c.spec():
		s.progressf("%s is running %s", name, c.Image)
		return old.Container.ID, nil
	case err == nil:
		if _, err := s.Engine.ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true}); err != nil {
			return "", fmt.Errorf("replacing container %s: %w", name, err)
		}
	case !cerrdefs.IsNotFound(err):
		return "", fmt.Errorf("looking for container %s: %w", name, err)
	}

	if c.HostPort != 0 {
		if err := checkPortFree(c.HostPort); err != nil {
			return "", fmt.Errorf("publishing %s: %w", c.Service, err)
		}
	}
	s.progressf("starting %s (%s)", name, c.Image)
	created, err := s.Engine.ContainerCreate(ctx, s.createOptions(c))
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", name, err)
	}
	if _, err := s.Engine.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		if cerrdefs.IsConflict(err) || containsPortError(err) {
			return "", fmt.Errorf("starting %s: %w: 127.0.0.1:%d (%w): free it or choose another with --port",
				name, ErrPortTaken, c.HostPort, err)
		}
		return "", fmt.Errorf("starting container %s: %w", name, err)
	}
	return created.ID, nil
}

// createOptions describes c's container to the engine.
func (s *System) createOptions(c Container) client.ContainerCreateOptions {
	port, _ := network.PortFrom(uint16(c.Port), network.TCP)
	labels := s.labels(c.Service)
	labels[LabelSpec] = c.spec()
	cfg := &container.Config{
		Image:        c.Image,
		Labels:       labels,
		Env:          c.Env,
		ExposedPorts: network.PortSet{port: {}},
	}
	host := &container.HostConfig{
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
	}
	if c.HostPort != 0 {
		host.PortBindings = network.PortMap{port: {{
			HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(c.HostPort),
		}}}
	}
	if c.Volume {
		host.Mounts = []mount.Mount{{Type: mount.TypeVolume, Source: s.VolumeName(c.Service), Target: dataDir,
			VolumeOptions: &mount.VolumeOptions{Labels: s.labels(c.Service)}}}
	}
	return client.ContainerCreateOptions{
		Name:       s.ContainerName(c.Service),
		Config:     cfg,
		HostConfig: host,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			s.NetworkName(): {Aliases: c.Aliases},
		}},
	}
}

// spec returns a short hash of everything about c.
func (c Container) spec() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", c))
	return hex.EncodeToString(sum[:8])
}

// checkPortFree fails when something on the host listens on port.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%w: 127.0.0.1:%d is in use: stop what uses it, or choose another port with --port",
			ErrPortTaken, port)
	}
	return l.Close()
}

func containsPortError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"port is already allocated", "address already in use"} {
		if contains(msg, s) {
			return true
		}
	}
	return false
}
