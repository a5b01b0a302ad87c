package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// rolloutDeployment is posts-depl at revision 2 with the given status, as
// the deployment controller reports it.
func rolloutDeployment(status string) *appsv1.Deployment {
	d := &appsv1.Deployment{}
	doc := `
metadata:
  name: posts-depl
  namespace: blog
  uid: d1
  generation: 2
  annotations: {deployment.kubernetes.io/revision: "2"}
spec:
  replicas: 1
  selector: {matchLabels: {app: posts}}
  template: {metadata: {labels: {app: posts}}, spec: {containers: [{name: posts, image: "blogctl/posts:sha-2"}]}}
status:` + status
	decodeInto(doc, d)
	return d
}

const (
	statusAvailable = `
  observedGeneration: 2
  replicas: 1
  updatedReplicas: 1
  readyReplicas: 1
  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}`
	statusProgressing = `
  observedGeneration: 2
  replicas: 1
  updatedReplicas: 1
  unavailableReplicas: 1
  conditions:
  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}`
	statusDeadline = `
  observedGeneration: 2
  replicas: 1
  updatedReplicas: 1
  unavailableReplicas: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded,
     message: 'ReplicaSet "posts-depl-7d9f" has timed out progressing.'}`
)

func rolloutReplicaSet() *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{}
	decodeInto(`
metadata:
  name: posts-depl-7d9f
  namespace: blog
  labels: {app: posts, pod-template-hash: 7d9f}
  annotations: {deployment.kubernetes.io/revision: "2"}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: posts-depl, uid: d1}]
`, rs)
	return rs
}

func rolloutPod(name, hash, waiting string) *corev1.Pod {
	p := &corev1.Pod{}
	decodeInto(`
metadata:
  name: `+name+`
  namespace: blog
  labels: {app: posts, pod-template-hash: `+hash+`}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-2", imagePullPolicy: Never}]}
status:
  phase: Pending
  containerStatuses:
  - name: posts
    restartCount: 0
    state: {waiting: {reason: `+waiting+`}}
`, p)
	p.CreationTimestamp = metav1.Now()
	return p
}

func TestWait(t *testing.T) {
	tests := []struct {
		name    string
		objs    []runtime.Object
		wantErr error
		reason  string
	}{
		{"available", []runtime.Object{rolloutDeployment(statusAvailable)}, nil, ""},
		{"new pod cannot get its image", []runtime.Object{rolloutDeployment(statusProgressing),
			rolloutReplicaSet(), rolloutPod("posts-depl-7d9f-a", "7d9f", "ErrImageNeverPull")},
			ErrRolloutFailed, "ErrImageNeverPull"},
		{"old pod failing, new one creating", []runtime.Object{rolloutDeployment(statusProgressing),
			rolloutReplicaSet(), rolloutPod("posts-depl-5c4b-a", "5c4b", "CrashLoopBackOff"),
			rolloutPod("posts-depl-7d9f-a", "7d9f", "ContainerCreating")},
			ErrRolloutTimeout, ""},
		{"progress deadline exceeded", []runtime.Object{rolloutDeployment(statusDeadline)},
			ErrRolloutFailed, ""},
		// Just after an apply: the controller has not seen generation 3 yet,
		// so the current ReplicaSet's failing pod is the previous apply's.
		{"spec not observed yet, previous pod failing", []runtime.Object{
			withGeneration(rolloutDeployment(statusProgressing), 3),
			rolloutReplicaSet(), rolloutPod("posts-depl-7d9f-a", "7d9f", "ErrImageNeverPull")},
			ErrRolloutTimeout, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset(tc.objs...)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			w := &Waiter{Clientset: cs, Namespace: "blog"}
			err := w.Wait(ctx, []string{"posts-depl"})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Wait() = %v, want %v", err, tc.wantErr)
			}
			var re *RolloutError
			if tc.reason != "" && (!errors.As(err, &re) || re.Finding == nil || re.Finding.Reason != tc.reason) {
				t.Errorf("Wait() = %v, want a finding with reason %s", err, tc.reason)
			}
		})
	}
}

// TestWaitSeesALaterFailure checks that a pod that fails after the wait
// began stops it at once, not at the deadline.
func TestWaitSeesALaterFailure(t *testing.T) {
	pod := rolloutPod("posts-depl-7d9f-a", "7d9f", "ContainerCreating")
	cs := fake.NewClientset(rolloutDeployment(statusProgressing), rolloutReplicaSet(), pod)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond)
		failing := pod.DeepCopy()
		failing.Status.ContainerStatuses[0].State.Waiting.Reason = "ImagePullBackOff"
		_, _ = cs.CoreV1().Pods("blog").UpdateStatus(context.Background(), failing, metav1.UpdateOptions{})
	}()
	err := (&Waiter{Clientset: cs, Namespace: "blog"}).Wait(ctx, []string{"posts-depl"})
	var re *RolloutError
	if !errors.As(err, &re) || re.Finding == nil || re.Finding.Reason != "ImagePullBackOff" {
		t.Fatalf("Wait() = %v, want an ImagePullBackOff finding", err)
	}
	if ctx.Err() != nil {
		t.Errorf("Wait() returned only at the deadline")
	}
}

func withGeneration(d *appsv1.Deployment, gen int64) *appsv1.Deployment {
	d.Generation = gen
	return d
}

func decodeInto(doc string, v any) {
	if err := yamlUnmarshalStrict([]byte(doc), v); err != nil {
		panic(err)
	}
}

// TestCheckDeployments checks that missing deployments fail at once,
// naming them, the namespace and the blog system's deployments there.
func TestCheckDeployments(t *testing.T) {
	ns := &corev1.Namespace{}
	ns.Name = "blog"
	dep := &appsv1.Deployment{}
	dep.Name, dep.Namespace = "posts-depl", "blog"
	dep.Labels = map[string]string{"app.kubernetes.io/part-of": "blog"}
	tests := []struct {
		name      string
		namespace string
		names     []string
		want      string
	}{
		{"all there", "blog", []string{"posts-depl"}, ""},
		{"one missing", "blog", []string{"posts-depl", "query-depl"},
			"deployment query-depl not found in namespace blog; the blog system's deployments there: posts-depl"},
		{"no namespace", "nope", []string{"posts-depl"}, `namespace "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDeployments(t.Context(), fake.NewClientset(ns, dep), tt.namespace, tt.names)
			var missing *MissingDeploymentsError
			if tt.want == "" && err != nil || tt.want != "" && (!errors.As(err, &missing) ||
				!strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckDeployments(%v) = %v, want %q", tt.names, err, tt.want)
			}
		})
	}
}
