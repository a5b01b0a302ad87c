package kube

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// FixerOptions wire a diagnose.Fixer to a cluster and the Docker engine.
type FixerOptions struct {
	Cluster *Cluster
	// ContainerdAddress is the node's containerd socket, if reachable.
	ContainerdAddress string
	// Engine is the Docker engine that holds the built images.
	Engine       image.Engine
	Save         Saver
	ManifestsDir string
	// Progress gets a line per object applied.
	Progress io.Writer
}

// NewFixer returns the Fixer that "blogctl doctor --fix" uses: it loads
// images with the cluster's own way, pushes with Docker's credentials and
// applies the manifest files.
// fixSettle is how long a fix waits for a replacement pod to get its
// image: a pull from a registry on a slow node can take this long.
const fixSettle = 90 * time.Second

func NewFixer(ctx context.Context, o FixerOptions) (*diagnose.Fixer, error) {
	target, err := o.Cluster.DetectTarget(ctx, o.ContainerdAddress)
	if err != nil {
		return nil, err
	}
	builder := &image.Builder{Engine: o.Engine, Progress: image.NewProgress(io.Discard, false)}
	ship := &Shipper{Target: target, Images: builder, Save: o.Save, Log: o.Progress}
	canLoad := target.Kind != Remote && target.Kind != DockerDesktop &&
		(target.Kind != Containerd || target.ContainerdAddress != "")
	return &diagnose.Fixer{
		Clientset: o.Cluster.Clientset,
		Namespace: o.Cluster.Namespace,
		Env: diagnose.Env{
			ManifestsDir: o.ManifestsDir, Local: target.Local(), CanLoad: canLoad,
			SharedEngine: target.Kind == DockerDesktop,
			HasImage: func(ctx context.Context, ref string) bool {
				_, err := o.Engine.ImageInspect(ctx, ref)
				return err == nil
			},
		},
		LoadImage: func(ctx context.Context, ref string) error { return ship.Load(ctx, []string{ref}) },
		PushImage: func(ctx context.Context, ref string) error {
			prefix, service := splitRef(ref)
			_, err := builder.Push(ctx, image.PushOptions{Prefix: prefix, Services: []string{service}})
			return err
		},
		Apply: func(ctx context.Context, file string) error {
			return applyFile(ctx, o.Cluster, file, o.Progress)
		},
		Settle: fixSettle,
	}, nil
}

func applyFile(ctx context.Context, c *Cluster, file string, progress io.Writer) error {
	objs, err := manifest.ReadFile(file)
	if err != nil {
		return err
	}
	a, err := c.NewApplier()
	if err != nil {
		return err
	}
	results, err := a.Apply(ctx, objs)
	for _, r := range results {
		fmt.Fprintln(progress, r)
	}
	return c.Explain(err)
}

// splitRef splits prefix/service:tag, or prefix/service:tag@digest, into
// prefix and service.
func splitRef(ref string) (prefix, service string) {
	ref, _, _ = strings.Cut(ref, "@")
	repo := ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo = ref[:i]
	}
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		return repo[:i], repo[i+1:]
	}
	return "", repo
}

// EngineSaver exports images from a Docker engine, for Shipper.Save.
func EngineSaver(engine interface {
	ImageSave(ctx context.Context, refs []string, opts ...client.ImageSaveOption) (client.ImageSaveResult, error)
}) Saver {
	return func(ctx context.Context, refs []string) (io.ReadCloser, error) {
		return engine.ImageSave(ctx, refs)
	}
}
