package diagnose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// StepKind is one kind of action of a fix.
type StepKind string

// The actions a fix is made of.
const (
	// LoadImage loads an image from the local Docker engine into the node.
	LoadImage StepKind = "load-image"
	// PushImage pushes an image to its registry.
	PushImage StepKind = "push-image"
	// SetPullPolicy edits the manifest file.
	SetPullPolicy StepKind = "set-pull-policy"
	// ApplyFile applies the manifest file.
	ApplyFile StepKind = "apply"
	// DeletePod deletes the failing pod so that its replacement starts at
	// once instead of after the kubelet's back-off.
	DeletePod StepKind = "delete-pod"
)

// Step is one action of a Plan.
type Step struct {
	Kind StepKind `json:"kind"`
	// Target is what the step acts on: an image, a file or a pod.
	Target string `json:"target"`
	// Value is the new value, for SetPullPolicy.
	Value string `json:"value,omitempty"`
}

func (s Step) String() string {
	switch s.Kind {
	case LoadImage:
		return "load image " + s.Target + " into the node"
	case PushImage:
		return "push image " + s.Target
	case SetPullPolicy:
		return "set imagePullPolicy: " + s.Value + " in " + s.Target
	case ApplyFile:
		return "apply " + s.Target
	}
	return "delete pod " + s.Target + " so that it is replaced now"
}

// Plan is the safe fix of one finding.
type Plan struct {
	Finding *Finding `json:"finding"`
	Steps   []Step   `json:"steps"`
	// Deployment and File locate the finding's Deployment in the
	// manifests.
	Deployment string `json:"deployment"`
	File       string `json:"file"`
}

// Env is what the planner knows of the machine and the cluster.
type Env struct {
	// ManifestsDir holds the manifest files, the source of truth.
	ManifestsDir string
	// Local says the cluster runs on this machine; CanLoad that blogctl
	// can load images into its node; SharedEngine that the node uses the
	// Docker engine's images directly (Docker Desktop).
	Local, CanLoad, SharedEngine bool
	// HasImage reports whether the local Docker engine has an image.
	HasImage func(ctx context.Context, ref string) bool
}

// ErrNoSafeFix is returned for a finding that a person has to fix.
var ErrNoSafeFix = errors.New("no safe automatic fix")

// noFixError says why a finding that looked fixable has no safe automatic
// fix here, and what to do instead.
type noFixError struct{ pod, reason, fix string }

func (e *noFixError) Error() string {
	return fmt.Sprintf("%s: %s: %s: %s", e.pod, ErrNoSafeFix, e.reason, e.fix)
}

func (e *noFixError) Is(target error) bool { return target == ErrNoSafeFix }

// Review asks the planner about every fixable finding, so that a finding
// promises "blogctl doctor --fix" only when the fixer would apply a fix. A
// finding it would not fix loses its AutoFix, and its Fix says why and what
// to run first.
func Review(ctx context.Context, findings []*Finding, env Env) {
	for _, f := range findings {
		if !f.Fixable() {
			continue
		}
		_, err := PlanFix(ctx, f, env)
		var nf *noFixError
		switch {
		case err == nil:
			continue
		case errors.As(err, &nf):
			f.Fix = nf.reason + ": " + nf.fix
		default:
			f.Fix += " (\"blogctl doctor --fix\" cannot: " + err.Error() + ")"
		}
		f.AutoFix = FixNone
	}
}

// PlanFix decides the safe fix of f. Every plan edits or re-applies the
// manifest files, never only the live objects.
func PlanFix(ctx context.Context, f *Finding, env Env) (*Plan, error) {
	if !f.Fixable() {
		return nil, fmt.Errorf("%s: %w: %s", f.Pod, ErrNoSafeFix, f.Fix)
	}
	if f.Service == "" {
		return nil, fmt.Errorf("%s: %w: the pod has no app label to find its manifest by", f.Pod, ErrNoSafeFix)
	}
	if env.HasImage != nil && !env.SharedEngine && !env.HasImage(ctx, f.Image) {
		return nil, &noFixError{pod: f.Pod, reason: fmt.Sprintf("image %s is not on this machine either", f.Image),
			fix: buildAdvice(f.Image)}
	}
	file, dep, err := manifest.FindDeployment(env.ManifestsDir, f.Service)
	if err != nil {
		return nil, err
	}
	p := &Plan{Finding: f, Deployment: dep, File: file}
	switch {
	case env.SharedEngine:
	case env.Local && env.CanLoad:
		p.Steps = append(p.Steps, Step{Kind: LoadImage, Target: f.Image})
	case env.Local:
		return nil, &noFixError{pod: f.Pod, reason: "blogctl cannot load images into this cluster's node",
			fix: "pass --containerd-address, or run \"blogctl up\", which pushes to its registry"}
	default:
		p.Steps = append(p.Steps, Step{Kind: PushImage, Target: f.Image})
	}
	if env.Local && f.PullPolicy != corev1.PullNever {
		p.Steps = append(p.Steps, Step{Kind: SetPullPolicy, Target: file, Value: string(corev1.PullNever)})
	}
	p.Steps = append(p.Steps, Step{Kind: ApplyFile, Target: file}, Step{Kind: DeletePod, Target: f.Pod})
	return p, nil
}

// Fixer carries out plans. Its image and apply steps are functions, so that
// the doctor and the terminal UI give it the real ones and tests fakes.
type Fixer struct {
	Clientset kubernetes.Interface
	Namespace string
	Env       Env
	LoadImage func(ctx context.Context, ref string) error
	PushImage func(ctx context.Context, ref string) error
	Apply     func(ctx context.Context, file string) error
	// Settle, when set, is how long Fix watches for a replacement pod to
	// get its image before it calls the fix done; zero skips the check.
	Settle time.Duration
}

// Fix plans the safe fix of f and carries it out: what "blogctl doctor
// --fix" does for one finding. It returns the plan it followed.
func (x *Fixer) Fix(ctx context.Context, f *Finding) (*Plan, error) {
	p, err := PlanFix(ctx, f, x.Env)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := x.Run(ctx, p); err != nil || x.Settle == 0 {
		return p, err
	}
	return p, x.confirm(ctx, p, start)
}

// Run carries out a plan's steps in order and stops at the first failure.
func (x *Fixer) Run(ctx context.Context, p *Plan) error {
	for _, s := range p.Steps {
		if err := x.step(ctx, p, s); err != nil {
			return fmt.Errorf("fixing %s: %s: %w", p.Finding.Pod, s, err)
		}
	}
	return nil
}

func (x *Fixer) step(ctx context.Context, p *Plan, s Step) error {
	switch s.Kind {
	case LoadImage:
		return x.LoadImage(ctx, s.Target)
	case PushImage:
		return x.PushImage(ctx, s.Target)
	case SetPullPolicy:
		_, err := manifest.SetPullPolicy(s.Target, p.Deployment, p.Finding.Container, s.Value)
		return err
	case ApplyFile:
		return x.Apply(ctx, s.Target)
	case DeletePod:
		err := x.Clientset.CoreV1().Pods(x.Namespace).Delete(ctx, s.Target, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	return fmt.Errorf("unknown step %q", s.Kind)
}

// Examine diagnoses every pod in namespace that is not ready, the blog
// system's and any other: what "blogctl doctor" and the dashboard show.
func Examine(ctx context.Context, cs kubernetes.Interface, namespace string) ([]*Finding, error) {
	pods, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the pods of namespace %s: %w", namespace, err)
	}
	var findings []*Finding
	for i := range pods.Items {
		if pods.Items[i].DeletionTimestamp != nil {
			continue
		}
		if f := Pod(ctx, cs, &pods.Items[i]); f != nil {
			findings = append(findings, f)
		}
	}
	return findings, nil
}

// buildAdvice says how to get image onto this machine: "blogctl build"
// when it is named as blogctl names its builds, <prefix>/<service> tagged
// latest or sha-..., and otherwise Docker's own commands.
func buildAdvice(image string) string {
	repo, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	prefix, service := "", repo
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		prefix, service = repo[:i], repo[i+1:]
	}
	_, err := blog.Lookup(service)
	if err == nil && prefix != "" && (tag == "latest" || strings.HasPrefix(tag, "sha-")) {
		return fmt.Sprintf("build it first (blogctl build %s --image-prefix %s), then run \"blogctl doctor --fix\"; "+
			"or run \"blogctl up\", which builds, loads and applies", service, prefix)
	}
	return fmt.Sprintf("blogctl builds only its own services' images: build or tag this one under that name "+
		"(docker build -t %s ., or docker tag <image> %s), then run \"blogctl doctor --fix\"; or correct "+
		"the image in the manifest", image, image)
}
