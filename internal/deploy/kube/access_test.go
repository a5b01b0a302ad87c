package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

func nodePortService(name, app string, port int32) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "blog",
			Labels: map[string]string{"app.kubernetes.io/part-of": "blog"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": app},
			Ports: []corev1.ServicePort{{Port: 4000, NodePort: port}}},
	}
}

func blogIngress() *networkingv1.Ingress {
	class := "nginx"
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "ingress-srv", Namespace: "blog"},
		Spec: networkingv1.IngressSpec{IngressClassName: &class,
			Rules: []networkingv1.IngressRule{{Host: "posts.com"}}},
	}
}

func ingressClass(name string) *networkingv1.IngressClass {
	return &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// TestFindAccess checks that every NodePort Service is listed, and that an
// Ingress no controller serves says so.
func TestFindAccess(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.0.2.2"}}}}
	services := []runtime.Object{node, blogIngress(),
		nodePortService("posts-srv", "posts", 30080), nodePortService("comments-srv", "comments", 30081)}
	controller := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ingress-nginx",
		Labels: map[string]string{"app.kubernetes.io/name": "ingress-nginx"}}}
	ports := []NodePortAccess{
		{Service: "comments-srv", App: "comments", URL: "http://192.0.2.2:30081"},
		{Service: "posts-srv", App: "posts", URL: "http://192.0.2.2:30080"},
	}
	base := Access{NodePort: "http://192.0.2.2:30080", NodePorts: ports, IngressHost: "posts.com",
		HostsLine: "192.0.2.2 posts.com"}
	with := func(why string) Access { a := base; a.NoIngressController = why; return a }
	tests := []struct {
		name  string
		extra []runtime.Object
		want  Access
	}{
		{"no controller", nil,
			with("no ingress controller was found: the cluster has no IngressClass and no ingress-nginx pod")},
		{"its class", []runtime.Object{ingressClass("nginx")}, base},
		{"another class", []runtime.Object{ingressClass("traefik")},
			with("its IngressClass nginx is not in the cluster (classes: traefik)")},
		{"a controller without a class", []runtime.Object{controller}, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Cluster{Clientset: fake.NewClientset(append(tt.extra, services...)...), Namespace: "blog"}
			got, err := FindAccess(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindAccess() (-want +got):\n%s", diff)
			}
		})
	}
}
