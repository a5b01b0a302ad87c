package kube

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// ClusterKind says how images reach a cluster's node.
type ClusterKind string

// The kinds of cluster blogctl recognises.
const (
	// DockerDesktop's node shares the Docker engine that builds the images.
	DockerDesktop ClusterKind = "docker-desktop"
	Minikube      ClusterKind = "minikube"
	Kind          ClusterKind = "kind"
	K3d           ClusterKind = "k3d"
	// Containerd is a node whose containerd socket blogctl can reach
	// (--containerd-address), such as a single-node cluster on this
	// machine.
	Containerd ClusterKind = "containerd"
	// Remote clusters pull from a registry.
	Remote ClusterKind = "remote"
)

// Target is what blogctl knows of how to get images to a cluster.
type Target struct {
	Kind ClusterKind
	// Name is the kind, k3d or minikube cluster's name.
	Name string
	// Registry is the local registry the cluster advertises (KEP-1755):
	// Push is where to push from this machine, Pull how the node names it.
	RegistryPush string
	RegistryPull string
	// ContainerdAddress is the node's containerd socket, for Containerd.
	ContainerdAddress string
}

// Local reports whether the cluster runs on this machine.
func (t Target) Local() bool { return t.Kind != Remote }

// localRegistryHosting is the value of KEP-1755's ConfigMap key.
type localRegistryHosting struct {
	Host                     string `json:"host"`
	HostFromContainerRuntime string `json:"hostFromContainerRuntime"`
}

// DetectTarget recognises the cluster from its context name, the local
// registry it advertises in kube-public/local-registry-hosting, and the
// containerd address given.
func (c *Cluster) DetectTarget(ctx context.Context, containerdAddress string) (Target, error) {
	t := targetFromContext(c.Context)
	if t.Kind == Remote && containerdAddress != "" {
		t = Target{Kind: Containerd, ContainerdAddress: containerdAddress}
	}
	cm, err := c.Clientset.CoreV1().ConfigMaps("kube-public").Get(ctx, "local-registry-hosting",
		metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
		return t, nil
	case err != nil:
		return t, c.Explain(fmt.Errorf("reading the local registry's ConfigMap: %w", err))
	}
	var reg localRegistryHosting
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &reg); err != nil || reg.Host == "" {
		return t, nil
	}
	t.RegistryPush, t.RegistryPull = reg.Host, reg.HostFromContainerRuntime
	if t.RegistryPull == "" {
		t.RegistryPull = reg.Host
	}
	if t.Kind == Remote {
		t.Kind = Containerd
	}
	return t, nil
}

func targetFromContext(name string) Target {
	switch {
	case name == "docker-desktop" || name == "docker-for-desktop":
		return Target{Kind: DockerDesktop}
	case name == "minikube":
		return Target{Kind: Minikube, Name: name}
	case strings.HasPrefix(name, "kind-"):
		return Target{Kind: Kind, Name: strings.TrimPrefix(name, "kind-")}
	case strings.HasPrefix(name, "k3d-"):
		return Target{Kind: K3d, Name: strings.TrimPrefix(name, "k3d-")}
	}
	return Target{Kind: Remote}
}
