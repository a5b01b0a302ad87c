// Package manifest renders the blog system's Kubernetes manifests from the
// templates blogctl embeds: one file per service (its Deployment and
// Service; the event bus also with its PersistentVolumeClaim), the
// development NodePort for posts and the ingress-nginx Ingress. The files
// it writes are the source of truth that "blogctl apply" and "blogctl up"
// apply.
package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/blog"
)

// Config holds every value the templates use. DefaultConfig fills it with
// the course's names.
type Config struct {
	// Services are the services to render, with their names and ports.
	Services []blog.Service
	// ImagePrefix names the images: ImagePrefix/<service>:Tag.
	ImagePrefix string
	Tag         string
	// Images overrides the whole image reference of a service, for example
	// with the immutable tag of the build that "blogctl up" just made.
	Images     map[string]string
	PullPolicy corev1.PullPolicy
	Replicas   int
	// ServiceType is the type of every service's Service; ServiceTypes
	// overrides it per service.
	ServiceType  corev1.ServiceType
	ServiceTypes map[string]corev1.ServiceType
	// ExternalNames gives the host an ExternalName Service points at, per
	// service.
	ExternalNames map[string]string
	// StorageClass, StorageSize and NoStorageClass describe the event bus's
	// volume; NoStorageClass keeps the log in an emptyDir, for clusters
	// that cannot provision a volume.
	StorageClass   string
	StorageSize    string
	NoStorageClass bool
	// PostsNodePort is the posts NodePort's port; 0 lets the cluster pick.
	PostsNodePort int
	IngressHost   string
	IngressClass  string
	// Resources of every container.
	CPURequest, MemoryRequest, MemoryLimit string
	// Words are the moderation service's rejected words, comma-separated,
	// given to it as BLOGCTL_WORDS; empty keeps its default (orange).
	Words string
}

// DefaultConfig returns the course's names and blogctl's defaults.
func DefaultConfig() Config {
	return Config{
		Services:      slices.Clone(blog.Services),
		ImagePrefix:   "blogctl",
		Tag:           "latest",
		PullPolicy:    corev1.PullIfNotPresent,
		Replicas:      1,
		ServiceType:   corev1.ServiceTypeClusterIP,
		StorageSize:   "1Gi",
		IngressHost:   blog.IngressHost,
		IngressClass:  "nginx",
		CPURequest:    "10m",
		MemoryRequest: "32Mi",
		MemoryLimit:   "128Mi",
	}
}

// Validate checks the values a user can set, so that a mistake is reported
// before anything is written.
func (c Config) Validate() error {
	switch c.PullPolicy {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		return fmt.Errorf("image pull policy %q is not valid: use Always, IfNotPresent or Never", c.PullPolicy)
	}
	if err := c.validateNames(); err != nil {
		return err
	}
	for _, svc := range c.Services {
		t := c.serviceType(svc.Name)
		switch t {
		case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		case corev1.ServiceTypeExternalName:
			if c.ExternalNames[svc.Name] == "" {
				return fmt.Errorf("service %s has type ExternalName but no host: "+
					"give one with --external-name %s=HOST", svc.Name, svc.Name)
			}
		default:
			return fmt.Errorf("service type %q of %s is not valid: use ClusterIP, NodePort, "+
				"LoadBalancer or ExternalName", t, svc.Name)
		}
	}
	if c.Replicas < 1 {
		return fmt.Errorf("replicas %d is not valid: use 1 or more", c.Replicas)
	}
	return nil
}

// validateNames checks that per-service settings name services that exist,
// and that a host is given only to an ExternalName service.
func (c Config) validateNames() error {
	valid := make([]string, len(c.Services))
	for i, s := range c.Services {
		valid[i] = s.Name
	}
	for _, name := range slices.Sorted(maps.Keys(c.ServiceTypes)) {
		if !slices.Contains(valid, name) {
			return fmt.Errorf("--service-type %s=%s: no service is named %s: use one of %s",
				name, c.ServiceTypes[name], name, strings.Join(valid, ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.ExternalNames)) {
		host := c.ExternalNames[name]
		if !slices.Contains(valid, name) {
			return fmt.Errorf("--external-name %s=%s: no service is named %s: use one of %s",
				name, host, name, strings.Join(valid, ", "))
		}
		if t := c.serviceType(name); t != corev1.ServiceTypeExternalName {
			return fmt.Errorf("--external-name %s=%s: service %s has type %s, and only an ExternalName "+
				"service points at a host: add --service-type %s=ExternalName", name, host, name, t, name)
		}
	}
	return nil
}

func (c Config) serviceType(name string) corev1.ServiceType {
	if t, ok := c.ServiceTypes[name]; ok {
		return t
	}
	if c.ServiceType == "" {
		return corev1.ServiceTypeClusterIP
	}
	return c.ServiceType
}

// Image returns the image reference of a service.
func (c Config) Image(service string) string {
	if ref := c.Images[service]; ref != "" {
		return ref
	}
	name := service
	if c.ImagePrefix != "" {
		name = c.ImagePrefix + "/" + service
	}
	return name + ":" + c.Tag
}

func (c Config) lookup(name string) (blog.Service, bool) {
	i := slices.IndexFunc(c.Services, func(s blog.Service) bool { return s.Name == name })
	if i < 0 {
		return blog.Service{}, false
	}
	return c.Services[i], true
}

func (c Config) url(name string) string {
	svc, _ := c.lookup(name)
	return fmt.Sprintf("http://%s:%d", svc.ServiceName, svc.Port)
}

func (c Config) subscribers() string {
	var urls []string
	for _, s := range c.Services {
		if s.Subscribes {
			urls = append(urls, c.url(s.Name)+"/events")
		}
	}
	return strings.Join(urls, ",")
}
