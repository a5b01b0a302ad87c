package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// Result describes one service's image after a build or a push.
type Result struct {
	Service string `json:"service"`
	// Image is the full reference with the immutable tag.
	Image string `json:"image"`
	Tag   string `json:"tag"`
	ID    string `json:"id"`
	Size  int64  `json:"size"`
	// Built is false when an image with the same inputs existed already.
	Built bool `json:"built"`
	// Digest is the registry's digest, set by a push.
	Digest string `json:"digest,omitempty"`
}

// BuildOptions says what to build.
type BuildOptions struct {
	// Source is the root of blogctl's module.
	Source string
	// Prefix names the images: Prefix/<service>, as in "cygnet/posts".
	Prefix string
	// Services are the services to build an image for.
	Services []Service
	// CacheDir keeps the compiled binary between builds.
	CacheDir string
}

// Builder builds images on an engine.
type Builder struct {
	Engine   Engine
	Progress Progress
}

// Repository returns the image name of a service: prefix/service.
func Repository(prefix, service string) string {
	if prefix == "" {
		return service
	}
	return prefix + "/" + service
}

// Build compiles blogctl once for the engine's architecture and builds one
// image per service, tagged with its input tag and latest. An image whose
// inputs are unchanged is reused as it is.
func (b *Builder) Build(ctx context.Context, opts BuildOptions) ([]Result, error) {
	binary, err := b.compile(ctx, opts)
	if err != nil {
		return nil, err
	}

	results := make([]Result, 0, len(opts.Services))
	for _, svc := range opts.Services {
		r, err := b.buildOne(ctx, opts.Prefix, svc, binary)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

// compile builds the binary for the engine's architecture and reads it.
func (b *Builder) compile(ctx context.Context, opts BuildOptions) ([]byte, error) {
	info, err := b.Engine.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, fmt.Errorf("asking the Docker engine for its architecture: %w", err)
	}
	goarch, err := GoArch(info.Info.Architecture)
	if err != nil {
		return nil, err
	}

	b.Progress.Begin("compiling blogctl for linux/" + goarch)
	out := filepath.Join(opts.CacheDir, "linux-"+goarch, "blogctl")
	if err := Compile(ctx, opts.Source, goarch, out); err != nil {
		return nil, err
	}
	binary, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("reading the compiled blogctl: %w", err)
	}
	b.Progress.End(fmt.Sprintf("compiled blogctl for linux/%s (%.1f MB)", goarch, float64(len(binary))/1e6))
	return binary, nil
}

// buildOne builds svc's image unless one with the same inputs exists.
func (b *Builder) buildOne(ctx context.Context, prefix string, svc Service, binary []byte) (Result, error) {
	dockerfile, err := RenderDockerfile(svc)
	if err != nil {
		return Result{}, err
	}
	repo := Repository(prefix, svc.Name)
	r := Result{Service: svc.Name, Tag: InputTag(binary, dockerfile)}
	r.Image = repo + ":" + r.Tag

	// An image with these inputs exists: point latest at it and stop.
	if found, err := b.Engine.ImageInspect(ctx, r.Image); err == nil {
		r.ID, r.Size = found.ID, found.Size
		if err := b.tag(ctx, r.Image, repo+":latest"); err != nil {
			return r, err
		}
		b.Progress.Begin("building " + svc.Name)
		b.Progress.End(fmt.Sprintf("%s is up to date: %s", svc.Name, r.Image))
		return r, nil
	} else if !cerrdefs.IsNotFound(err) {
		return r, fmt.Errorf("looking for image %s: %w", r.Image, err)
	}

	b.Progress.Begin("building " + svc.Name)
	if err := b.runBuild(ctx, []string{r.Image, repo + ":latest"}, svc, binary, dockerfile); err != nil {
		return r, err
	}
	found, err := b.Engine.ImageInspect(ctx, r.Image)
	if err != nil {
		return r, fmt.Errorf("inspecting the image just built, %s: %w", r.Image, err)
	}
	r.ID, r.Size, r.Built = found.ID, found.Size, true
	b.Progress.End(fmt.Sprintf("built %s (%.1f MB)", r.Image, float64(r.Size)/1e6))
	return r, nil
}

func (b *Builder) tag(ctx context.Context, source, target string) error {
	if _, err := b.Engine.ImageTag(ctx, client.ImageTagOptions{Source: source, Target: target}); err != nil {
		return fmt.Errorf("tagging %s as %s: %w", source, target, err)
	}
	return nil
}

// runBuild sends the context to the engine and follows its output. tags[0]
// is the input tag.
func (b *Builder) runBuild(ctx context.Context, tags []string, svc Service, binary, dockerfile []byte) error {
	ref := tags[0]
	var buf bytes.Buffer
	if err := WriteContext(&buf, binary, dockerfile); err != nil {
		return err
	}
	resp, err := b.Engine.ImageBuild(ctx, &buf, client.ImageBuildOptions{
		Tags:        tags,
		Remove:      true,
		ForceRemove: true,
		Dockerfile:  "Dockerfile",
		Labels:      map[string]string{"org.opencontainers.image.title": svc.Name},
	})
	if err != nil {
		return fmt.Errorf("building %s: %w", ref, err)
	}
	defer resp.Body.Close()
	if err := followBuild(resp.Body, b.Progress); err != nil {
		return fmt.Errorf("building %s: %w", ref, err)
	}
	return nil
}

var stepLine = regexp.MustCompile(`^Step (\d+)/(\d+) :`)

// followBuild reads the engine's build output until it ends or reports an
// error.
func followBuild(r io.Reader, p Progress) error {
	dec := json.NewDecoder(r)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the engine's build output: %w", err)
		}
		if m.Error != nil {
			return m.Error
		}
		if s := stepLine.FindStringSubmatch(m.Stream); s != nil {
			cur, _ := strconv.ParseInt(s[1], 10, 64)
			total, _ := strconv.ParseInt(s[2], 10, 64)
			p.Count(cur, total, false)
			p.Status(m.Stream)
		}
	}
}
