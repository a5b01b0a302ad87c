package kube

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/deploy/image"
)

// Images is the part of the image package that "blogctl up" and the
// doctor use: *image.Builder implements it.
type Images interface {
	Build(ctx context.Context, opts image.BuildOptions) ([]image.Result, error)
	Push(ctx context.Context, opts image.PushOptions) ([]image.Result, error)
}

// Saver exports images from the Docker engine as a tar stream, to load
// them into a node.
type Saver func(ctx context.Context, refs []string) (io.ReadCloser, error)

// Shipper gets locally built images to a cluster's node.
type Shipper struct {
	Target Target
	Images Images
	Save   Saver
	// Log gets progress lines.
	Log io.Writer
}

// Plan says, for a target, which prefix to build under and which pull
// policy the pods need.
func (s *Shipper) Plan(prefix string) (buildPrefix string, policy corev1.PullPolicy) {
	switch {
	case s.Target.RegistryPush != "":
		return s.Target.RegistryPush + "/" + lastPart(prefix), corev1.PullIfNotPresent
	case s.Target.Kind == DockerDesktop:
		return prefix, corev1.PullNever
	case s.Target.Local():
		return prefix, corev1.PullIfNotPresent
	}
	return prefix, corev1.PullIfNotPresent
}

// PullRef is the reference the node uses for an image pushed as ref.
func (s *Shipper) PullRef(ref string) string {
	t := s.Target
	if t.RegistryPush != "" && t.RegistryPull != t.RegistryPush {
		if rest, ok := strings.CutPrefix(ref, t.RegistryPush+"/"); ok {
			return t.RegistryPull + "/" + rest
		}
	}
	return ref
}

// Ship pushes the built images or loads them into the node, as the target
// needs. For a push it returns each service's registry digest, which pins
// the reference the manifests use; a load has none.
func (s *Shipper) Ship(ctx context.Context, prefix string, results []image.Result) (map[string]string, error) {
	digests := map[string]string{}
	if s.Target.RegistryPush != "" || !s.Target.Local() {
		var names []string
		for _, r := range results {
			names = append(names, r.Service)
		}
		pushed, err := s.Images.Push(ctx, image.PushOptions{Prefix: prefix, Services: names})
		for _, p := range pushed {
			if p.Digest != "" {
				digests[p.Service] = p.Digest
			}
		}
		return digests, err
	}
	var refs []string
	for _, r := range results {
		refs = append(refs, r.Image)
	}
	return digests, s.Load(ctx, refs)
}

// Pinned is the reference a manifest gives for image ref: the node's name
// for it, and the registry digest when there is one, as in
// registry/blogctl/posts:sha-1a2b@sha256:..., so that the pods run exactly
// the image that was pushed even if the tag is pushed again.
func (s *Shipper) Pinned(ref, digest string) string {
	ref = s.PullRef(ref)
	if digest != "" && !strings.Contains(ref, "@") {
		ref += "@" + digest
	}
	return ref
}

// Load puts images from the Docker engine into the node.
func (s *Shipper) Load(ctx context.Context, refs []string) error {
	t := s.Target
	var cmd *exec.Cmd
	switch t.Kind {
	case DockerDesktop:
		return nil
	case Kind:
		cmd = exec.CommandContext(ctx, "kind", append([]string{"load", "docker-image", "--name", t.Name}, refs...)...)
	case K3d:
		cmd = exec.CommandContext(ctx, "k3d", append([]string{"image", "import", "-c", t.Name}, refs...)...)
	case Minikube:
		cmd = exec.CommandContext(ctx, "minikube", append([]string{"image", "load", "-p", t.Name}, refs...)...)
	case Containerd:
		if t.ContainerdAddress == "" {
			return fmt.Errorf("loading %s into the node: the node's containerd socket is unknown: "+
				"pass --containerd-address", strings.Join(refs, " "))
		}
		return s.importContainerd(ctx, refs)
	default:
		return fmt.Errorf("loading %s: the cluster is remote: push the images instead", strings.Join(refs, " "))
	}
	return run(cmd, refs)
}

// importContainerd streams "docker save" into the node's containerd, in
// the k8s.io namespace the kubelet reads.
func (s *Shipper) importContainerd(ctx context.Context, refs []string) error {
	tar, err := s.Save(ctx, refs)
	if err != nil {
		return fmt.Errorf("exporting %s from the Docker engine: %w", strings.Join(refs, " "), err)
	}
	defer tar.Close()
	cmd := exec.CommandContext(ctx, "ctr", "--address", s.Target.ContainerdAddress, "-n", "k8s.io",
		"images", "import", "-")
	cmd.Stdin = tar
	return run(cmd, refs)
}

func run(cmd *exec.Cmd, refs []string) error {
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("loading %s into the node with %s: %w: %s", strings.Join(refs, " "),
			cmd.Args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

func lastPart(prefix string) string {
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		return prefix[i+1:]
	}
	return prefix
}
