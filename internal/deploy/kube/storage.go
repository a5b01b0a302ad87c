package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// The annotations that mark a cluster's default StorageClass.
const (
	defaultClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
)

// ErrNoStorage says that the event bus's claim would never be bound.
var ErrNoStorage = errors.New("the cluster cannot provide the event bus's volume")

// CheckStorage returns an error wrapping ErrNoStorage when cfg gives the
// event bus a claim that the cluster cannot bind: no --storage-class and
// no default StorageClass, or a --storage-class that does not exist. A
// claim that is already bound is left alone, and so is a cluster whose
// classes blogctl may not read.
func CheckStorage(ctx context.Context, c *Cluster, cfg manifest.Config) error {
	claim, ok := cfg.BusClaim()
	if !ok {
		return nil
	}
	pvc, err := c.Clientset.CoreV1().PersistentVolumeClaims(c.Namespace).Get(ctx, claim, metav1.GetOptions{})
	if err == nil && pvc.Status.Phase == corev1.ClaimBound {
		return nil
	}
	classes, err := c.Clientset.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		return nil
	}
	if err != nil {
		return c.Explain(fmt.Errorf("listing the storage classes: %w", err))
	}
	return checkClasses(classes.Items, claim, cfg.StorageClass)
}

func checkClasses(classes []storagev1.StorageClass, claim, want string) error {
	var names []string
	var def bool
	for _, sc := range classes {
		names = append(names, sc.Name)
		def = def || isDefaultClass(sc)
	}
	slices.Sort(names)
	choices := "or keep the log in an emptyDir, lost with the pod, with --no-storage-class"
	if len(names) > 0 {
		choices = "give --storage-class " + strings.Join(names, " or --storage-class ") + ", " + choices
	} else {
		choices = "install a storage provisioner, " + choices
	}
	var why string
	switch {
	case want != "" && !slices.Contains(names, want):
		why = fmt.Sprintf("storage class %q does not exist (classes: %s)", want, listOrNone(names))
	case want == "" && !def:
		why = fmt.Sprintf("no --storage-class was given and the cluster has no default StorageClass "+
			"(classes: %s)", listOrNone(names))
	default:
		return nil
	}
	return fmt.Errorf("checking the event bus's claim %s: %w: %s; nothing was changed: %s",
		claim, ErrNoStorage, why, choices)
}

func isDefaultClass(sc storagev1.StorageClass) bool {
	return sc.Annotations[defaultClassAnnotation] == "true" || sc.Annotations[betaDefaultClassAnnotation] == "true"
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
