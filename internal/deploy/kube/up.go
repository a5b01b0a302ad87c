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

	"github.com/blogctl/blogctl/internal/blog"
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
	if err := ship.Ship(ctx, prefix, built); err != nil {
		return nil, err
	}
	cfg := o.Config
	cfg.Images, cfg.PullPolicy = map[string]string{}, policy
	for _, r := range built {
		cfg.Images[r.Service] = ship.PullRef(r.Image)
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
	if err := EnsureNamespace(ctx, c); err != nil {
		return nil, err
	}
	objs, err := manifest.ReadPaths([]string{dir})
	if err != nil {
		return nil, err
	}
	a, err := c.NewApplier()
	if err != nil {
		return nil, err
	}
	results, err := a.Apply(ctx, objs)
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

// EnsureNamespace creates the cluster's namespace when it does not exist.
func EnsureNamespace(ctx context.Context, c *Cluster) error {
	nss := c.Clientset.CoreV1().Namespaces()
	_, err := nss.Get(ctx, c.Namespace, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		return c.Explain(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.Namespace}}
	if _, err := nss.Create(ctx, ns, metav1.CreateOptions{FieldManager: FieldManager}); err != nil &&
		!apierrors.IsAlreadyExists(err) {
		return c.Explain(fmt.Errorf("creating namespace %s: %w", c.Namespace, err))
	}
	return nil
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

// Access says how to reach the system once it runs.
type Access struct {
	// NodePort is the posts service from outside: http://node:port.
	NodePort string `json:"nodePort,omitempty"`
	// IngressHost and HostsLine: add the line to /etc/hosts to reach the
	// ingress by its host name.
	IngressHost string `json:"ingressHost,omitempty"`
	HostsLine   string `json:"hostsLine,omitempty"`
}

// FindAccess reads the posts NodePort and the Ingress.
func FindAccess(ctx context.Context, c *Cluster) (Access, error) {
	var a Access
	ip := nodeIP(ctx, c)
	svc, err := c.Clientset.CoreV1().Services(c.Namespace).Get(ctx, blog.PostsNodePortName, metav1.GetOptions{})
	if err == nil && len(svc.Spec.Ports) > 0 && svc.Spec.Ports[0].NodePort > 0 {
		a.NodePort = fmt.Sprintf("http://%s:%d", ip, svc.Spec.Ports[0].NodePort)
	}
	ing, err := c.Clientset.NetworkingV1().Ingresses(c.Namespace).Get(ctx, blog.IngressName, metav1.GetOptions{})
	if err == nil && len(ing.Spec.Rules) > 0 {
		a.IngressHost = ing.Spec.Rules[0].Host
		addr := ip
		for _, lb := range ing.Status.LoadBalancer.Ingress {
			if lb.IP != "" {
				addr = lb.IP
			}
		}
		a.HostsLine = addr + " " + a.IngressHost
	}
	return a, nil
}

// nodeIP is the first node's internal address, where NodePorts answer.
func nodeIP(ctx context.Context, c *Cluster) string {
	nodes, err := c.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil || len(nodes.Items) == 0 {
		return "NODE-IP"
	}
	for _, a := range nodes.Items[0].Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return "NODE-IP"
}
