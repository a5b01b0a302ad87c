package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes"
)

// PartOfSelector selects every object of the blog system.
const PartOfSelector = "app.kubernetes.io/part-of=blog"

// Status is what "blogctl status" shows of the system on a cluster. An
// empty Namespace means every namespace: each row then names its own.
type Status struct {
	Namespace   string          `json:"namespace"`
	Deployments []DeploymentRow `json:"deployments"`
	Pods        []PodRow        `json:"pods"`
	Services    []ServiceRow    `json:"services"`
}

// DeploymentRow is one line of "kubectl get deployments".
type DeploymentRow struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	Desired   int32     `json:"desired"`
	Ready     int32     `json:"ready"`
	UpToDate  int32     `json:"upToDate"`
	Available int32     `json:"available"`
	Created   time.Time `json:"created"`
}

// PodRow is one line of "kubectl get pods".
type PodRow struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Ready     string `json:"ready"`
	Status    string `json:"status"`
	Restarts  int    `json:"restarts"`
	// LastRestart is when a container of the pod last ended, for a pod
	// that restarted: kubectl's "1 (5s ago)".
	LastRestart *time.Time `json:"lastRestart,omitempty"`
	Created     time.Time  `json:"created"`
}

// ServiceRow is one line of "kubectl get services".
type ServiceRow struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	ClusterIP string `json:"clusterIP"`
	External  string `json:"external,omitempty"`
	Ports     string `json:"ports"`
}

// NoNamespaceError says that the namespace asked for does not exist.
type NoNamespaceError struct{ Namespace string }

func (e *NoNamespaceError) Error() string {
	return fmt.Sprintf("namespace %q does not exist: kubectl get namespaces lists those there are; "+
		"choose one with -n/--namespace", e.Namespace)
}

// GetStatus reads the blog system's deployments, pods and services. When
// it finds none, it checks that namespace exists: a *NoNamespaceError if
// not. An empty namespace (metav1.NamespaceAll) reads every namespace.
func GetStatus(ctx context.Context, cs kubernetes.Interface, namespace string) (*Status, error) {
	st, err := listStatus(ctx, cs, namespace)
	if err != nil || !st.Empty() || namespace == metav1.NamespaceAll {
		return st, err
	}
	if err := CheckNamespace(ctx, cs, namespace); err != nil {
		return nil, err
	}
	return st, nil
}

// CheckNamespace returns a *NoNamespaceError when the namespace does not
// exist. Another error (say, no right to read namespaces) passes: the
// namespace is empty as far as blogctl can see.
func CheckNamespace(ctx context.Context, cs kubernetes.Interface, namespace string) error {
	_, err := cs.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return &NoNamespaceError{Namespace: namespace}
	}
	return nil
}

// Empty reports whether the status holds no object at all.
func (s *Status) Empty() bool {
	return len(s.Deployments) == 0 && len(s.Pods) == 0 && len(s.Services) == 0
}

func listStatus(ctx context.Context, cs kubernetes.Interface, namespace string) (*Status, error) {
	opts := metav1.ListOptions{LabelSelector: PartOfSelector}
	st := &Status{Namespace: namespace, Deployments: []DeploymentRow{}, Pods: []PodRow{},
		Services: []ServiceRow{}}
	deps, err := cs.AppsV1().Deployments(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("listing deployments: %w", err)
	}
	for _, d := range deps.Items {
		desired := int32(1)
		if d.Spec.Replicas != nil {
			desired = *d.Spec.Replicas
		}
		st.Deployments = append(st.Deployments, DeploymentRow{Namespace: d.Namespace, Name: d.Name, Desired: desired,
			Ready: d.Status.ReadyReplicas, UpToDate: d.Status.UpdatedReplicas,
			Available: d.Status.AvailableReplicas, Created: d.CreationTimestamp.Time})
	}
	pods, err := cs.CoreV1().Pods(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		ready, total := PodReady(p)
		st.Pods = append(st.Pods, PodRow{Namespace: p.Namespace, Name: p.Name, Ready: fmt.Sprintf("%d/%d", ready, total),
			Status: PodStatus(p), Restarts: PodRestarts(p), LastRestart: lastRestart(p),
			Created: p.CreationTimestamp.Time})
	}
	svcs, err := cs.CoreV1().Services(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	for _, s := range svcs.Items {
		st.Services = append(st.Services, serviceRow(s))
	}
	sort.Slice(st.Pods, func(i, j int) bool {
		a, b := st.Pods[i], st.Pods[j]
		return a.Namespace < b.Namespace || a.Namespace == b.Namespace && a.Name < b.Name
	})
	return st, nil
}

// lastRestart is when a container of a restarted pod last ended, as
// kubectl finds it: the latest finishedAt of the containers' last
// termination. Nil when the pod never restarted or no time is known.
func lastRestart(p *corev1.Pod) *time.Time {
	var last time.Time
	for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
		if t := cs.LastTerminationState.Terminated; t != nil && t.FinishedAt.After(last) {
			last = t.FinishedAt.Time
		}
	}
	if last.IsZero() || PodRestarts(p) == 0 {
		return nil
	}
	return &last
}

// PodRestartsText renders pod's RESTARTS cell as kubectl does: 0, or
// 1 (5s ago).
func PodRestartsText(p *corev1.Pod, now time.Time) string {
	return PodRow{Restarts: PodRestarts(p), LastRestart: lastRestart(p)}.restarts(now)
}

// restarts renders the RESTARTS cell as kubectl does: 0, or 1 (5s ago).
func (p PodRow) restarts(now time.Time) string {
	if p.Restarts == 0 || p.LastRestart == nil {
		return fmt.Sprint(p.Restarts)
	}
	return fmt.Sprintf("%d (%s ago)", p.Restarts, duration.HumanDuration(now.Sub(*p.LastRestart)))
}

func serviceRow(s corev1.Service) ServiceRow {
	r := ServiceRow{Namespace: s.Namespace, Name: s.Name, Type: string(s.Spec.Type), ClusterIP: s.Spec.ClusterIP}
	if r.ClusterIP == "" {
		r.ClusterIP = "<none>"
	}
	var ports []string
	for _, p := range s.Spec.Ports {
		port := fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		if p.NodePort > 0 {
			port = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		}
		ports = append(ports, port)
	}
	r.Ports = strings.Join(ports, ",")
	switch s.Spec.Type {
	case corev1.ServiceTypeExternalName:
		r.External = s.Spec.ExternalName
	case corev1.ServiceTypeLoadBalancer:
		r.External = "<pending>"
		for _, in := range s.Status.LoadBalancer.Ingress {
			r.External = in.IP + in.Hostname
		}
	}
	return r
}

// Text renders the status as up to three kubectl-like tables; now dates
// the ages.
// Across every namespace, each table starts with a NAMESPACE column.
func (s *Status) Text(now time.Time) string {
	all := s.Namespace == metav1.NamespaceAll
	row := func(ns string, cells ...string) []string {
		if all {
			return append([]string{ns}, cells...)
		}
		return cells
	}
	deps := [][]string{row("NAMESPACE", "DEPLOYMENT", "READY", "UP-TO-DATE", "AVAILABLE", "AGE")}
	for _, d := range s.Deployments {
		deps = append(deps, row(d.Namespace, d.Name, fmt.Sprintf("%d/%d", d.Ready, d.Desired),
			fmt.Sprint(d.UpToDate), fmt.Sprint(d.Available), age(now, d.Created)))
	}
	pods := [][]string{row("NAMESPACE", "POD", "READY", "STATUS", "RESTARTS", "AGE")}
	for _, p := range s.Pods {
		pods = append(pods, row(p.Namespace, p.Name, p.Ready, p.Status, p.restarts(now), age(now, p.Created)))
	}
	svcs := [][]string{row("NAMESPACE", "SERVICE", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)")}
	for _, v := range s.Services {
		ext := v.External
		if ext == "" {
			ext = "<none>"
		}
		svcs = append(svcs, row(v.Namespace, v.Name, v.Type, v.ClusterIP, ext, v.Ports))
	}
	// As kubectl get all, a kind with no objects gets no table at all.
	var tables []string
	for _, t := range [][][]string{deps, pods, svcs} {
		if len(t) > 1 {
			tables = append(tables, table(t))
		}
	}
	return strings.Join(tables, "\n")
}

func table(rows [][]string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
	return b.String()
}

func age(now, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}
