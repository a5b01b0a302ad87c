package kube

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubectl/pkg/polymorphichelpers"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
)

// ErrRolloutFailed and ErrRolloutTimeout tell a rollout that failed (a pod
// shows a failure that waiting will not cure, or the deployment exceeded
// its progress deadline) from one still progressing when the time ran out.
var (
	ErrRolloutFailed  = errors.New("rollout failed")
	ErrRolloutTimeout = errors.New("timed out while progressing")
)

// RolloutError says which deployment did not become available, and why.
type RolloutError struct {
	Deployment string
	// Status is kubectl's last status line for it.
	Status string
	// Finding is the diagnosis of its failing pod, if one failed.
	Finding *diagnose.Finding
	Err     error
}

func (e *RolloutError) Error() string {
	msg := fmt.Sprintf("deployment %s: %v", e.Deployment, e.Err)
	if e.Finding != nil {
		return msg + ": " + e.Finding.String() + "; fix: " + e.Finding.Fix
	}
	if e.Status != "" {
		msg += ": " + e.Status
	}
	return msg
}

func (e *RolloutError) Unwrap() error { return e.Err }

// Waiter waits for deployments to roll out, by kubectl's rules, while it
// watches their new pods and stops as soon as one shows a failure.
type Waiter struct {
	Clientset kubernetes.Interface
	Namespace string
	// Progress gets kubectl's status lines as they change; nil for none.
	Progress io.Writer
	// Since, when set, ignores pods created before it: the pods of an
	// earlier rollout.
	Since time.Time
}

// Wait returns nil once every named deployment has rolled out, a
// *RolloutError wrapping ErrRolloutFailed as soon as one fails, or one
// wrapping ErrRolloutTimeout when ctx's deadline passes first.
func (w *Waiter) Wait(ctx context.Context, deployments []string) error {
	ctx, cancel := context.WithCancel(ctx)
	factory := informers.NewSharedInformerFactoryWithOptions(w.Clientset, 0,
		informers.WithNamespace(w.Namespace))
	deps := factory.Apps().V1().Deployments()
	pods := factory.Core().V1().Pods()
	rss := factory.Apps().V1().ReplicaSets()
	changed := make(chan struct{}, 1)
	notify := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke(changed) },
		UpdateFunc: func(any, any) { poke(changed) },
		DeleteFunc: func(any) { poke(changed) },
	}
	watchErrs := make(chan error, 1)
	for _, inf := range []cache.SharedIndexInformer{deps.Informer(), pods.Informer(), rss.Informer()} {
		if _, err := inf.AddEventHandler(notify); err != nil {
			cancel()
			return fmt.Errorf("watching the rollout: %w", err)
		}
		_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			select {
			case watchErrs <- err:
			default:
			}
		})
	}
	factory.Start(ctx.Done())
	defer func() {
		cancel()
		factory.Shutdown()
	}()
	factory.WaitForCacheSync(ctx.Done())

	st := &rolloutState{w: w, last: map[string]string{}}
	for {
		done, err := st.check(ctx, deps.Lister().Deployments(w.Namespace).Get,
			pods.Lister().List, rss.Lister().List, deployments)
		if done || err != nil {
			return err
		}
		select {
		case <-changed:
		case err := <-watchErrs:
			if permanent(err) {
				return fmt.Errorf("watching the rollout: %w", err)
			}
			st.lastErr = err
		case <-ctx.Done():
			return st.timeout(deployments)
		}
	}
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

type (
	getDeployment func(name string) (*appsv1.Deployment, error)
	listPods      func(labels.Selector) ([]*corev1.Pod, error)
	listRSs       func(labels.Selector) ([]*appsv1.ReplicaSet, error)
)

// rolloutState remembers the last status line of each deployment.
type rolloutState struct {
	w    *Waiter
	last map[string]string
	// lastErr is the last error of a watch, which the informers retry.
	lastErr error
}

// check looks at every deployment once. It reports whether all are done.
func (s *rolloutState) check(ctx context.Context, get getDeployment, pods listPods,
	rss listRSs, names []string) (bool, error) {
	viewer, _ := polymorphichelpers.StatusViewerFor(appsv1.SchemeGroupVersion.WithKind("Deployment").GroupKind())
	all := true
	for _, name := range names {
		dep, err := get(name)
		if err != nil {
			s.report(name, "waiting for the deployment to exist")
			all = false
			continue
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(dep)
		if err != nil {
			return false, fmt.Errorf("reading deployment %s: %w", name, err)
		}
		msg, done, err := viewer.Status(&unstructured.Unstructured{Object: u}, 0)
		if err != nil {
			return false, &RolloutError{Deployment: name, Status: s.last[name], Err: fmt.Errorf("%w: %w", ErrRolloutFailed, err)}
		}
		s.report(name, msg)
		if done {
			continue
		}
		all = false
		if f := s.failingPod(ctx, dep, pods, rss); f != nil {
			return false, &RolloutError{Deployment: name, Finding: f, Err: ErrRolloutFailed}
		}
	}
	return all, nil
}

// failingPod diagnoses the deployment's new pods and returns the first
// failure that waiting will not cure.
func (s *rolloutState) failingPod(ctx context.Context, dep *appsv1.Deployment,
	pods listPods, rss listRSs) *diagnose.Finding {
	// Until the controller has seen the latest spec, the current
	// ReplicaSet may still be the previous one, whose pods are not this
	// rollout's to judge.
	if dep.Status.ObservedGeneration < dep.Generation {
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil {
		return nil
	}
	hash := newTemplateHash(dep, rss, sel)
	if hash == "" {
		return nil
	}
	list, _ := pods(sel)
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	for _, pod := range list {
		if pod.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash {
			continue
		}
		if pod.CreationTimestamp.Time.Before(s.w.Since.Truncate(time.Second)) {
			continue
		}
		if f := diagnose.Classify(pod); f.Failed() {
			return diagnose.Pod(ctx, s.w.Clientset, pod)
		}
	}
	return nil
}

// newTemplateHash finds the pod-template-hash of the deployment's current
// ReplicaSet: the one whose revision is the deployment's.
func newTemplateHash(dep *appsv1.Deployment, rss listRSs, sel labels.Selector) string {
	const revision = "deployment.kubernetes.io/revision"
	list, _ := rss(sel)
	for _, rs := range list {
		owned := slices.ContainsFunc(rs.OwnerReferences, func(o metav1.OwnerReference) bool {
			return o.UID == dep.UID
		})
		if owned && rs.Annotations[revision] == dep.Annotations[revision] {
			return rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
		}
	}
	return ""
}

func (s *rolloutState) report(name, msg string) {
	if s.last[name] == msg {
		return
	}
	s.last[name] = msg
	if s.w.Progress != nil {
		fmt.Fprintf(s.w.Progress, "%s: %s", name, ensureNewline(msg))
	}
}

func (s *rolloutState) timeout(names []string) error {
	var err error = &RolloutError{Deployment: names[0], Err: ErrRolloutTimeout}
	for _, name := range names {
		if msg := s.last[name]; msg != "" && !isDone(msg) {
			err = &RolloutError{Deployment: name, Status: trimNewline(msg), Err: ErrRolloutTimeout}
			break
		}
	}
	if s.lastErr != nil {
		return errors.Join(err, fmt.Errorf("watching the rollout: %w", s.lastErr))
	}
	return err
}

// permanent tells a watch error that retrying will not cure: the server
// refuses the credentials or the request, or its certificate is not
// trusted.
func permanent(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	return apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err) ||
		errors.As(err, &unknownAuthority) || errors.As(err, &invalid)
}

// MissingDeploymentsError says that deployments asked for do not exist,
// and which of the blog system's do.
type MissingDeploymentsError struct {
	Namespace string
	Missing   []string
	// Existing are the blog system's deployments in the namespace.
	Existing []string
	// NoNamespace is set when the namespace itself does not exist.
	NoNamespace bool
}

func (e *MissingDeploymentsError) Error() string {
	if e.NoNamespace {
		return (&NoNamespaceError{Namespace: e.Namespace}).Error()
	}
	what := fmt.Sprintf("deployment %s", e.Missing[0])
	if len(e.Missing) > 1 {
		what = "deployments " + strings.Join(e.Missing, ", ")
	}
	there := "the namespace has none of the blog system's deployments"
	if len(e.Existing) > 0 {
		there = "the blog system's deployments there: " + strings.Join(e.Existing, ", ") +
			"; give only their services, or deploy the others"
	}
	return fmt.Sprintf("%s not found in namespace %s; %s", what, e.Namespace, there)
}

// CheckDeployments returns a *MissingDeploymentsError when any named
// deployment does not exist in the namespace, as kubectl fails at once
// with NotFound; nil when all exist.
func CheckDeployments(ctx context.Context, cs kubernetes.Interface, namespace string, names []string) error {
	list, err := cs.AppsV1().Deployments(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the deployments of namespace %s: %w", namespace, err)
	}
	have := map[string]bool{}
	var existing []string
	for _, d := range list.Items {
		have[d.Name] = true
		if d.Labels["app.kubernetes.io/part-of"] == "blog" {
			existing = append(existing, d.Name)
		}
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(existing)
	e := &MissingDeploymentsError{Namespace: namespace, Missing: missing, Existing: existing}
	if len(list.Items) == 0 {
		_, err := cs.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
		e.NoNamespace = apierrors.IsNotFound(err)
	}
	return e
}
