package dockertarget

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Down removes the system's containers and network, and its volumes too when
// volumes is set. It carries on past a failure and reports them all.
func (s *System) Down(ctx context.Context, volumes bool) error {
	list, err := s.Engine.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: s.projectFilter()})
	if err != nil {
		return fmt.Errorf("listing the system's containers: %w", err)
	}
	var errs []error
	for _, c := range list.Items {
		name := c.Labels[LabelService]
		s.progressf("removing %s", s.ContainerName(name))
		if _, err := s.Engine.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
			errs = append(errs, fmt.Errorf("removing container %s: %w", s.ContainerName(name), err))
		}
	}

	s.progressf("removing network %s", s.NetworkName())
	if _, err := s.Engine.NetworkRemove(ctx, s.NetworkName(), client.NetworkRemoveOptions{}); err != nil &&
		!cerrdefs.IsNotFound(err) {
		errs = append(errs, fmt.Errorf("removing network %s: %w", s.NetworkName(), err))
	}

	if volumes {
		errs = append(errs, s.removeVolumes(ctx))
	}
	return errors.Join(errs...)
}

func (s *System) removeVolumes(ctx context.Context) error {
	list, err := s.Engine.VolumeList(ctx, client.VolumeListOptions{Filters: s.projectFilter()})
	if err != nil {
		return fmt.Errorf("listing the system's volumes: %w", err)
	}
	var errs []error
	for _, v := range list.Items {
		s.progressf("removing volume %s", v.Name)
		if _, err := s.Engine.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
		}
	}
	return errors.Join(errs...)
}
