package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/blog"
)

// Access says how to reach the system once it runs.
type Access struct {
	// NodePort is the posts service from outside: http://node:port.
	NodePort string `json:"nodePort,omitempty"`
	// NodePorts are every NodePort Service of the system, posts-srv
	// included.
	NodePorts []NodePortAccess `json:"nodePorts,omitempty"`
	// IngressHost and HostsLine: add the line to /etc/hosts to reach the
	// ingress by its host name.
	IngressHost string `json:"ingressHost,omitempty"`
	HostsLine   string `json:"hostsLine,omitempty"`
	// NoIngressController says why the Ingress serves nothing: no
	// controller was found for it. Empty when one was, or when blogctl
	// could not tell.
	NoIngressController string `json:"noIngressController,omitempty"`
}

// NodePortAccess is one NodePort Service and its address from outside.
type NodePortAccess struct {
	Service string `json:"service"`
	// App is the blog service behind it, such as posts.
	App string `json:"app,omitempty"`
	URL string `json:"url"`
}

// FindAccess reads the NodePort Services and the Ingress, and whether
// anything serves the Ingress.
func FindAccess(ctx context.Context, c *Cluster) (Access, error) {
	var a Access
	ip := nodeIP(ctx, c)
	svcs, err := c.Clientset.CoreV1().Services(c.Namespace).List(ctx, metav1.ListOptions{LabelSelector: PartOfSelector})
	if err == nil {
		a.NodePorts = nodePorts(svcs.Items, ip)
	}
	for _, np := range a.NodePorts {
		if np.Service == blog.PostsNodePortName {
			a.NodePort = np.URL
		}
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
		a.NoIngressController = missingController(ctx, c, ing)
	}
	return a, nil
}

// nodePorts lists the NodePort Services, sorted by name.
func nodePorts(svcs []corev1.Service, ip string) []NodePortAccess {
	var out []NodePortAccess
	for _, s := range svcs {
		if s.Spec.Type != corev1.ServiceTypeNodePort || len(s.Spec.Ports) == 0 || s.Spec.Ports[0].NodePort == 0 {
			continue
		}
		out = append(out, NodePortAccess{Service: s.Name, App: s.Spec.Selector["app"],
			URL: fmt.Sprintf("http://%s:%d", ip, s.Spec.Ports[0].NodePort)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}

// missingController says why no controller serves ing: its IngressClass
// does not exist, or there is no IngressClass and no ingress-nginx pod. It
// is empty when a controller was found or the cluster would not say.
func missingController(ctx context.Context, c *Cluster, ing *networkingv1.Ingress) string {
	classes, err := c.Clientset.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return ""
	}
	var names []string
	for _, ic := range classes.Items {
		names = append(names, ic.Name)
	}
	want := ""
	if ing.Spec.IngressClassName != nil {
		want = *ing.Spec.IngressClassName
	}
	switch {
	case want != "" && slices.Contains(names, want):
		return ""
	case len(names) > 0 && want != "":
		return fmt.Sprintf("its IngressClass %s is not in the cluster (classes: %s)", want, listOrNone(names))
	case len(names) > 0:
		return ""
	}
	// Controllers older than IngressClass run without one.
	pods, err := c.Clientset.CoreV1().Pods(metav1.NamespaceAll).List(ctx,
		metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=ingress-nginx", Limit: 1})
	if err != nil || len(pods.Items) > 0 {
		return ""
	}
	return "no ingress controller was found: the cluster has no IngressClass and no ingress-nginx pod"
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
