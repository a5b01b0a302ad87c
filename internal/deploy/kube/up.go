package kube

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// UpOptions is what Up needs: the cluster, the image builder and where the
// manifests go.
type UpOptions struct {
	Cluster *Cluster
	Images  Images
	Save    Saver
	// Build says where to build from and under which prefix.
	Build image.BuildOptions
	// ContainerdAddress is the node's containerd socket, if reachable.
	ContainerdAddress string
	// Config renders the manifests; Up sets the images and pull policy.
	Config manifest.Config
	// ManifestsDir receives the rendered files, which are then applied.
	ManifestsDir string
	// Timeout bounds the wait for the rollout.
	Timeout time.Duration
	// Progress gets progress lines.
	Progress io.Writer
}

// UpResult is what Up did.
type UpResult struct {
	Target  ClusterKind `json:"target"`
	Images  []string    `json:"images"`
	Files   []string    `json:"files"`
	Applied []Result    `json:"applied"`
	Access  Access      `json:"access"`
}

// Up builds the images, gets them to the cluster, renders the manifests
// with immutable references into ManifestsDir, applies them and waits until
// every deployment is available.
func Up(ctx context.Context, o UpOptions) (*UpResult, error) {
	target, err := o.Cluster.DetectTarget(ctx, o.ContainerdAddress)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Progress, "Cluster: context %s, %s\n", o.Cluster.Context, describeTarget(target))
	if target.RegistryPush != "" && o.ContainerdAddress != "" {
		fmt.Fprintf(o.Progress, "note: --containerd-address %s is not needed: the cluster advertises "+
			"its registry %s, and blogctl pushes the images there\n", o.ContainerdAddress, target.RegistryPush)
	}
	// Refuse a claim the cluster cannot bind before anything changes.
	if err := CheckStorage(ctx, o.Cluster, o.Config); err != nil {
		return nil, err
	}
	res := &UpResult{Target: target.Kind}

	// Build and ship, under the prefix the target needs.
	ship := &Shipper{Target: target, Images: o.Images, Save: o.Save, Log: o.Progress}
	prefix, policy := ship.Plan(o.Build.Prefix)
	build := o.Build
	build.Prefix = prefix
	built, err := o.Images.Build(ctx, build)
	if err != nil {
		return nil, fmt.Errorf("building the images: %w", err)
	}
	digests, err := ship.Ship(ctx, prefix, built)
	if err != nil {
		return nil, err
	}
	cfg := o.Config
	cfg.Images, cfg.PullPolicy = map[string]string{}, policy
	for _, r := range built {
		cfg.Images[r.Service] = ship.Pinned(r.Image, digests[r.Service])
		res.Images = append(res.Images, cfg.Images[r.Service])
	}

	// Render the files, then apply exactly what they say.
	files, err := manifest.Render(cfg)
	if err != nil {
		return nil, err
	}
	if res.Files, err = manifest.Write(o.ManifestsDir, files); err != nil {
		return nil, err
	}
	start := time.Now()
	if res.Applied, err = ApplyDir(ctx, o.Cluster, o.ManifestsDir, o.Progress); err != nil {
		return res, err
	}
	if err := WaitFor(ctx, o.Cluster, cfg, start, o.Timeout, o.Progress); err != nil {
		return res, err
	}
	res.Access, err = FindAccess(ctx, o.Cluster)
	return res, err
}

// ApplyDir creates the namespace if needed and applies every file of dir.
func ApplyDir(ctx context.Context, c *Cluster, dir string, progress io.Writer) ([]Result, error) {
	objs, err := manifest.ReadPaths([]string{dir})
	if err != nil {
		return nil, err
	}
	a, err := c.NewApplier()
	if err != nil {
		return nil, err
	}
	ns, err := EnsureNamespace(ctx, c, false)
	if err != nil {
		return nil, err
	}
	results, err := a.Apply(ctx, objs)
	if ns != nil {
		results = append([]Result{*ns}, results...)
	}
	for _, r := range results {
		fmt.Fprintln(progress, r)
	}
	return results, c.Explain(err)
}

// WaitFor waits for the deployments of cfg's services under one deadline.
func WaitFor(ctx context.Context, c *Cluster, cfg manifest.Config, since time.Time,
	timeout time.Duration, progress io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w := &Waiter{Clientset: c.Clientset, Namespace: c.Namespace, Progress: progress, Since: since}
	return w.Wait(ctx, Deployments(cfg))
}

// Deployments lists the deployments cfg renders: every service but those
// of type ExternalName, which run elsewhere.
func Deployments(cfg manifest.Config) []string {
	var names []string
	for _, s := range cfg.Services {
		if cfg.ServiceTypes[s.Name] == corev1.ServiceTypeExternalName ||
			(cfg.ServiceTypes[s.Name] == "" && cfg.ServiceType == corev1.ServiceTypeExternalName) {
			continue
		}
		names = append(names, s.Deployment)
	}
	return names
}

// EnsureNamespace creates the cluster's namespace when it does not exist
// and returns its line, namespace/NAME created; nil when it existed. With
// dryRun the server only checks the creation.
func EnsureNamespace(ctx context.Context, c *Cluster, dryRun bool) (*Result, error) {
	nss := c.Clientset.CoreV1().Namespaces()
	_, err := nss.Get(ctx, c.Namespace, metav1.GetOptions{})
	switch {
	case err == nil || apierrors.IsForbidden(err):
		// Rights in the namespace only, not over namespaces: it exists
		// as far as blogctl can tell, and applying will say if not.
		return nil, nil
	case !apierrors.IsNotFound(err):
		return nil, c.Explain(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.Namespace}}
	opts := metav1.CreateOptions{FieldManager: FieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = nss.Create(ctx, ns, opts)
	switch {
	case apierrors.IsAlreadyExists(err):
		return nil, nil
	case err != nil:
		return nil, c.Explain(fmt.Errorf("creating namespace %s: %w", c.Namespace, err))
	}
	return &Result{Kind: "Namespace", Resource: "namespaces", Name: c.Namespace, Action: Created}, nil
}

func describeTarget(t Target) string {
	switch {
	case t.RegistryPush != "":
		return "pushing to its local registry " + t.RegistryPush
	case t.Kind == DockerDesktop:
		return "using the images of the shared Docker engine"
	case t.Local():
		return "loading the images into the " + string(t.Kind) + " node"
	}
	return "pushing to the images' registry"
}

// DefaultManifestsDir is where "blogctl manifests" and "blogctl up" write.
var DefaultManifestsDir = filepath.Join("infra", "k8s")
