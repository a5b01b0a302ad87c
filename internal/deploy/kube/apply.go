package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// ManagedByLabel marks every object blogctl applies, so that "blogctl
// down" finds them.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "blogctl"
)

// What Apply did to an object, as kubectl words it.
const (
	Created    = "created"
	Configured = "configured"
	Unchanged  = "unchanged"
	Deleted    = "deleted"
	// NotFound is what Delete reports of an object that was already gone,
	// where kubectl delete would fail: deleting twice is harmless.
	NotFound = "not found"
)

// Applier applies objects with server-side apply.
type Applier struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Namespace is where namespaced objects without one go.
	Namespace string
	// DryRun asks the server to check and not persist (--dry-run=server).
	DryRun bool
	// Force takes over fields another manager owns; off by default, so
	// that a conflict is reported instead.
	Force bool
	// PendingNamespace, in a server dry run, is a namespace that does not
	// exist yet: the server cannot check objects in it, so they are only
	// mapped to their API and reported with a note.
	PendingNamespace string
}

// Result is what happened to one object.
type Result struct {
	// Kind is the object's kind, such as Deployment; Group and Resource
	// are its API group and resource, such as apps and deployments.
	Kind      string `json:"kind"`
	Group     string `json:"group,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Action    string `json:"action"`
	Path      string `json:"path,omitempty"`
	// Note says what the server could not check of the object.
	Note string `json:"note,omitempty"`
}

// TypeName is the object's type as kubectl prints it: the lowercase kind
// with its group, such as deployment.apps or service.
func (r Result) TypeName() string {
	name := strings.ToLower(r.Kind)
	if r.Group != "" {
		name += "." + r.Group
	}
	return name
}

// String reads as kubectl's line: deployment.apps/posts-depl created.
func (r Result) String() string {
	s := r.TypeName() + "/" + r.Name + " " + r.Action
	if r.Note != "" {
		s += " (" + r.Note + ")"
	}
	return s
}

// Apply applies every object and returns what happened to each, in
// install order: Services and claims first, then workloads. Objects of one
// rank are applied concurrently. A failed object does not stop the others;
// the failures come back joined.
func (a *Applier) Apply(ctx context.Context, objs []manifest.Object) ([]Result, error) {
	sorted := installOrder(objs)
	results := make([]Result, len(sorted))
	errs := make([]error, len(sorted))
	for start := 0; start < len(sorted); {
		end := start + 1
		for end < len(sorted) && rankOf(sorted[end]) == rankOf(sorted[start]) {
			end++
		}
		var wg sync.WaitGroup
		for i := start; i < end; i++ {
			wg.Go(func() { results[i], errs[i] = a.applyOne(ctx, sorted[i]) })
		}
		wg.Wait()
		start = end
	}
	var done []Result
	for i, r := range results {
		if errs[i] == nil {
			done = append(done, r)
		}
	}
	return done, joinRefusals(errs, sorted)
}

// joinRefusals joins the failures, putting every object the server
// forbade into one error: the same refusal repeated per object says
// nothing more.
func joinRefusals(errs []error, objs []manifest.Object) error {
	var kept []error
	var forbidden error
	var names []string
	for i, err := range errs {
		switch {
		case err == nil:
		case apierrors.IsForbidden(err):
			if forbidden == nil {
				forbidden = err
			}
			names = append(names, objs[i].GetKind()+"/"+objs[i].GetName())
		default:
			kept = append(kept, err)
		}
	}
	if len(names) > 1 {
		listed := strings.Join(names, ", ")
		if len(names) > 4 {
			listed = strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
		}
		forbidden = fmt.Errorf("the server forbade %d objects (%s); the first: %w", len(names), listed, forbidden)
	}
	return errors.Join(append([]error{forbidden}, kept...)...)
}

func (a *Applier) applyOne(ctx context.Context, obj manifest.Object) (Result, error) {
	u := obj.DeepCopy()
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[ManagedByLabel] = ManagedByValue
	u.SetLabels(labels)

	res, r, err := a.resourceFor(u)
	if err != nil {
		return Result{}, fmt.Errorf("applying %s from %s: %w", describe(u), obj.Path, err)
	}
	r.Path = obj.Path
	if a.DryRun && r.Namespace != "" && r.Namespace == a.PendingNamespace {
		r.Action, r.Note = Created, "unchecked until namespace "+r.Namespace+" exists"
		return r, nil
	}

	// Read the live object to tell created, configured and unchanged apart.
	live, err := res.Get(ctx, u.GetName(), metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return r, fmt.Errorf("reading %s: %w", describe(u), err)
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: a.Force}
	if a.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	applied, err := res.Apply(ctx, u.GetName(), u, opts)
	if err != nil {
		return r, fmt.Errorf("applying %s from %s: %w%s", describe(u), obj.Path, err, conflictHint(err))
	}
	r.Action = action(live, applied)
	return r, nil
}

// kindRank orders kinds as Helm installs them: what pods refer to first,
// so that every Service name resolves and routes before a pod starts.
var kindRank = map[string]int{
	"Namespace": 0, "ServiceAccount": 1, "Secret": 2, "ConfigMap": 3,
	"PersistentVolume": 4, "PersistentVolumeClaim": 5, "Service": 6,
}

// installOrder sorts objects by kindRank, keeping the files' order
// otherwise; workloads and other kinds come last.
func installOrder(objs []manifest.Object) []manifest.Object {
	sorted := slices.Clone(objs)
	slices.SortStableFunc(sorted, func(a, b manifest.Object) int { return rankOf(a) - rankOf(b) })
	return sorted
}

func rankOf(o manifest.Object) int {
	if r, ok := kindRank[o.GetKind()]; ok {
		return r
	}
	return len(kindRank)
}

// resourceFor maps an object to its API resource, in the Applier's
// namespace when it has none and is namespaced. The Result names the
// object; its Action is left to the caller.
func (a *Applier) resourceFor(u *unstructured.Unstructured) (dynamic.ResourceInterface, Result, error) {
	gvk := u.GroupVersionKind()
	m, err := a.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, Result{}, fmt.Errorf("finding the API of kind %s: %w", gvk.Kind, err)
	}
	r := Result{Kind: m.GroupVersionKind.Kind, Group: m.Resource.Group, Resource: m.Resource.Resource,
		Name: u.GetName()}
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		u.SetNamespace("")
		return a.Dynamic.Resource(m.Resource), r, nil
	}
	if u.GetNamespace() == "" {
		u.SetNamespace(a.Namespace)
	}
	r.Namespace = u.GetNamespace()
	return a.Dynamic.Resource(m.Resource).Namespace(u.GetNamespace()), r, nil
}

// action compares the object before and after the apply. It compares the
// contents, not the resource versions: a server dry run keeps the version,
// and the API server may write an object again unchanged, with a new one
// (a PersistentVolumeClaim, the first time it is applied after its
// protection finalizer was added).
func action(live, applied *unstructured.Unstructured) string {
	if live == nil {
		return Created
	}
	before, after := live.DeepCopy(), applied.DeepCopy()
	for _, u := range []*unstructured.Unstructured{before, after} {
		u.SetManagedFields(nil)
		u.SetResourceVersion("")
		unstructured.RemoveNestedField(u.Object, "status")
	}
	if equality.Semantic.DeepEqual(before.Object, after.Object) {
		return Unchanged
	}
	return Configured
}

func conflictHint(err error) string {
	if apierrors.IsConflict(err) {
		return "; another field manager owns these fields: change them with that tool, " +
			"or take them over with --force-conflicts"
	}
	return ""
}

func describe(u *unstructured.Unstructured) string {
	return fmt.Sprintf("%s %q", u.GetKind(), u.GetName())
}

// Delete deletes the objects, as "kubectl delete -f" does; objects that do
// not exist are skipped.
func (a *Applier) Delete(ctx context.Context, objs []manifest.Object) ([]Result, error) {
	var results []Result
	var errs []error
	policy := metav1.DeletePropagationBackground
	for _, obj := range objs {
		u := obj.DeepCopy()
		res, r, err := a.resourceFor(u)
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting %s: %w", describe(u), err))
			continue
		}
		opts := metav1.DeleteOptions{PropagationPolicy: &policy}
		if a.DryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		err = res.Delete(ctx, u.GetName(), opts)
		r.Action, r.Path = Deleted, obj.Path
		switch {
		case apierrors.IsNotFound(err):
			r.Action = NotFound
		case err != nil:
			errs = append(errs, fmt.Errorf("deleting %s: %w", describe(u), err))
			continue
		}
		results = append(results, r)
	}
	return results, errors.Join(errs...)
}

// managedResources are the kinds blogctl's manifests hold, in the order
// "blogctl down" deletes them.
var managedResources = []struct{ group, version, resource string }{
	{"networking.k8s.io", "v1", "ingresses"},
	{"", "v1", "services"},
	{"apps", "v1", "deployments"},
	{"apps", "v1", "statefulsets"},
	{"", "v1", "persistentvolumeclaims"},
	{"", "v1", "configmaps"},
}

// DeleteManaged deletes every object in the namespace that carries
// blogctl's managed-by label: what "blogctl down" removes. A persistent
// volume claim, which holds the bus's log and so every post, is deleted
// only with withClaims, as docker compose keeps volumes and Kubernetes
// keeps a StatefulSet's claims; kept names the claims left in place.
func (a *Applier) DeleteManaged(ctx context.Context, withClaims bool) (results []Result, kept []string, err error) {
	sel := metav1.ListOptions{LabelSelector: ManagedByLabel + "=" + ManagedByValue}
	var errs []error
	for _, r := range managedResources {
		gvr := schemaGVR(r.group, r.version, r.resource)
		res := a.Dynamic.Resource(gvr).Namespace(a.Namespace)
		list, err := res.List(ctx, sel)
		if err != nil {
			errs = append(errs, fmt.Errorf("listing %s: %w", r.resource, err))
			continue
		}
		for _, item := range list.Items {
			if r.resource == "persistentvolumeclaims" && !withClaims {
				kept = append(kept, "persistentvolumeclaim/"+item.GetName())
				continue
			}
			objs := []manifest.Object{{Unstructured: &item}}
			done, err := a.Delete(ctx, objs)
			results = append(results, done...)
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return results, kept, errors.Join(errs...)
}
