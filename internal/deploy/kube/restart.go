package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// RestartedAtAnnotation is the pod-template annotation that "kubectl rollout
// restart" sets; changing it makes the deployment roll out new pods.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// RestartDeployment restarts a deployment as "kubectl rollout restart"
// does: one strategic merge patch that sets the restartedAt annotation of
// its pod template to the current time.
func RestartDeployment(ctx context.Context, cs kubernetes.Interface, namespace, name string) error {
	dep, err := cs.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("restarting deployment %s/%s: %w", namespace, name, err)
	}
	at := restartedAt(dep.Spec.Template.Annotations[RestartedAtAnnotation], time.Now())
	patch, err := restartPatch(at)
	if err != nil {
		return err
	}
	_, err = cs.AppsV1().Deployments(namespace).Patch(ctx, name,
		types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager})
	if err != nil {
		return fmt.Errorf("restarting deployment %s/%s: %w", namespace, name, err)
	}
	return nil
}

// restartedAt is the annotation's new value: now in RFC 3339, as kubectl
// writes it, or with nanoseconds when a restart in the same second wrote
// that already, since an unchanged template would restart nothing.
func restartedAt(current string, now time.Time) string {
	if v := now.Format(time.RFC3339); v != current {
		return v
	}
	return now.Format(time.RFC3339Nano)
}

func restartPatch(at string) ([]byte, error) {
	patch := map[string]any{
		"spec": map[string]any{
			"template": map[string]any{
				"metadata": map[string]any{
					"annotations": map[string]string{RestartedAtAnnotation: at},
				},
			},
		},
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encoding the restart patch: %w", err)
	}
	return b, nil
}
