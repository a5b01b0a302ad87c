package diagnose

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"
)

// Each pod is trimmed from "kubectl get pod -o yaml" of a real pod in that
// state; events are the pod's events as the kubelet and scheduler wrote
// them.
var podCases = []struct {
	name   string
	pod    string
	events []corev1.Event
	want   *Finding
}{
	{"healthy", `
metadata: {name: posts-depl-1, namespace: blog, labels: {app.kubernetes.io/name: posts}}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-1"}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  containerStatuses: [{name: posts, ready: true, restartCount: 0, state: {running: {}}}]
`, nil, nil},
	{"starting", `
metadata: {name: posts-depl-1, namespace: blog}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-1"}]}
status:
  phase: Pending
  containerStatuses: [{name: posts, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}]
`, nil, nil},
	{"image never pulled", `
metadata: {name: posts-depl-1, namespace: blog, labels: {app.kubernetes.io/name: posts}}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-abc", imagePullPolicy: Never}]}
status:
  phase: Pending
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
  containerStatuses:
  - name: posts
    image: "blogctl/posts:sha-abc"
    restartCount: 0
    state:
      waiting:
        reason: ErrImageNeverPull
        message: 'Container image "blogctl/posts:sha-abc" is not present with pull policy of Never'
`, []corev1.Event{
		event("posts-depl-1", "Warning", "ErrImageNeverPull",
			`Container image "blogctl/posts:sha-abc" is not present with pull policy of Never`, 3),
		event("posts-depl-1", "Normal", "Scheduled", "Successfully assigned blog/posts-depl-1 to node", 1),
	}, &Finding{
		Namespace: "blog", Pod: "posts-depl-1", Service: "posts", Container: "posts",
		Image: "blogctl/posts:sha-abc", PullPolicy: corev1.PullNever, Reason: "ErrImageNeverPull",
		Cause: "the node has no image blogctl/posts:sha-abc and imagePullPolicy is Never",
		Evidence: []string{
			`waiting: ErrImageNeverPull: Container image "blogctl/posts:sha-abc" is not present with pull policy of Never`,
			`event ErrImageNeverPull: Container image "blogctl/posts:sha-abc" is not present with pull policy of Never (x3)`,
		},
		Fix: "load the image into the node (\"blogctl doctor --fix\" does it), " +
			"or build and load it with \"blogctl up\"",
		AutoFix: FixImage,
	}},
	{"running, not ready", `
metadata: {name: query-depl-3, namespace: blog, labels: {app: query}}
spec: {containers: [{name: query, image: "blogctl/query:sha-1"}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
  containerStatuses:
  - name: query
    image: "blogctl/query:sha-1"
    ready: false
    restartCount: 0
    state: {running: {startedAt: "2026-12-03T19:00:00Z"}}
`, nil, &Finding{
		Namespace: "blog", Pod: "query-depl-3", Service: "query", Container: "query",
		Image: "blogctl/query:sha-1", Reason: ReasonNotReady,
		Cause:    "container query runs but its readiness probe does not pass yet",
		Evidence: []string{"log: fake logs"},
		Fix: "wait a little; if it stays so, read its logs (blogctl logs query -n blog; the last lines " +
			"are above) and check what /readyz answers",
	}},
	{"image pull back-off", `
metadata: {name: query-depl-1, namespace: blog, labels: {app: query}}
spec: {containers: [{name: query, image: "blogctl/query:latest", imagePullPolicy: IfNotPresent}]}
status:
  phase: Pending
  containerStatuses:
  - name: query
    image: "blogctl/query:latest"
    restartCount: 0
    state:
      waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "blogctl/query:latest"'}
`, []corev1.Event{
		event("query-depl-1", "Warning", "Failed", `Failed to pull image "blogctl/query:latest": `+
			`failed to resolve reference "docker.io/blogctl/query:latest": dial tcp: lookup registry-1.docker.io: no such host`, 1),
	}, &Finding{
		Namespace: "blog", Pod: "query-depl-1", Service: "query", Container: "query",
		Image: "blogctl/query:latest", PullPolicy: corev1.PullIfNotPresent, Reason: "ImagePullBackOff",
		Cause: "the node cannot pull image blogctl/query:latest",
		Evidence: []string{
			`waiting: ImagePullBackOff: Back-off pulling image "blogctl/query:latest"`,
			`event Failed: Failed to pull image "blogctl/query:latest": failed to resolve reference ` +
				`"docker.io/blogctl/query:latest": dial tcp: lookup registry-1.docker.io: no such host`,
		},
		Fix: "for an image built on this machine, load it into the node and set " +
			"imagePullPolicy: Never (\"blogctl doctor --fix\" does both); for a registry image, " +
			"push it (blogctl push) and check the name and the pull credentials",
		AutoFix: FixImage,
	}},
	{"crash loop with last logs", `
metadata: {name: query-depl-2, namespace: blog, labels: {app: query}}
spec: {containers: [{name: query, image: "blogctl/query:sha-1"}]}
status:
  phase: Running
  containerStatuses:
  - name: query
    restartCount: 5
    lastState: {terminated: {exitCode: 2, reason: Error}}
    state: {waiting: {reason: CrashLoopBackOff, message: "back-off 2m40s restarting failed container=query"}}
`, nil, &Finding{
		Namespace: "blog", Pod: "query-depl-2", Service: "query", Container: "query",
		Image: "blogctl/query:sha-1", Reason: "CrashLoopBackOff",
		Cause: "the container keeps exiting (exit code 2)",
		Evidence: []string{
			"waiting: CrashLoopBackOff: back-off 2m40s restarting failed container=query",
			"last exit: exit code 2, Error",
			"log: fake logs",
		},
		Fix:      "read the last logs above (blogctl logs query -n blog --previous), fix the crash, rebuild and run \"blogctl up\"",
		ExitCode: ptr(int32(2)),
	}},
	{"exited again, before its next start", `
metadata: {name: crash-depl-64558955d-h5p27, namespace: kt, labels: {app: crash}}
spec: {containers: [{name: crash, image: "blogctl/client:sha-1"}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
  containerStatuses:
  - name: crash
    image: "blogctl/client:sha-1"
    ready: false
    restartCount: 2
    started: false
    lastState:
      terminated: {exitCode: 1, reason: Error, startedAt: "2026-12-04T16:32:24Z", finishedAt: "2026-12-04T16:32:24Z"}
    state:
      terminated: {exitCode: 1, reason: Error, startedAt: "2026-12-04T16:32:36Z", finishedAt: "2026-12-04T16:32:36Z"}
`, nil, &Finding{
		Namespace: "kt", Pod: "crash-depl-64558955d-h5p27", Service: "crash", Container: "crash",
		Image: "blogctl/client:sha-1", Reason: "Error",
		Cause:    "the container exited (exit code 1)",
		Evidence: []string{"terminated: exit code 1, Error", "log: fake logs"},
		Fix:      "read its logs (kubectl logs crash-depl-64558955d-h5p27 -c crash -n kt) and fix the cause",
		ExitCode: ptr(int32(1)),
	}},
	{"out of memory, restarting", `
metadata: {name: event-bus-0, namespace: blog, labels: {app: event-bus}}
spec: {containers: [{name: event-bus, image: "blogctl/event-bus:sha-1"}]}
status:
  phase: Running
  containerStatuses:
  - name: event-bus
    restartCount: 1
    lastState: {terminated: {exitCode: 137, reason: OOMKilled}}
    state: {running: {}}
`, nil, &Finding{
		Namespace: "blog", Pod: "event-bus-0", Service: "event-bus", Container: "event-bus",
		Image: "blogctl/event-bus:sha-1", Reason: "OOMKilled",
		Cause:    "the container used more memory than its limit and was killed",
		Evidence: []string{"terminated: exit code 137, OOMKilled", "log: fake logs"},
		Fix:      "raise resources.limits.memory of container event-bus in the manifest and apply it again",
		ExitCode: ptr(int32(137)),
	}},
	{"missing config map", `
metadata: {name: posts-depl-1, namespace: blog}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-1"}]}
status:
  phase: Pending
  containerStatuses:
  - name: posts
    restartCount: 0
    state: {waiting: {reason: CreateContainerConfigError, message: 'configmap "blog-config" not found'}}
`, nil, &Finding{
		Namespace: "blog", Pod: "posts-depl-1", Container: "posts", Image: "blogctl/posts:sha-1",
		Reason:   "CreateContainerConfigError",
		Cause:    `the container's configuration cannot be built: configmap "blog-config" not found`,
		Evidence: []string{`waiting: CreateContainerConfigError: configmap "blog-config" not found`},
		Fix:      "create the ConfigMap or Secret it names, or correct the reference in the manifest",
	}},
	{"unbound claim", `
metadata: {name: event-bus-0, namespace: blog, labels: {app: event-bus}}
spec:
  containers: [{name: event-bus, image: "blogctl/event-bus:sha-1"}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: event-bus-depl-data}}]
status:
  phase: Pending
  conditions:
  - type: PodScheduled
    status: "False"
    reason: Unschedulable
    message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.'
`, nil, &Finding{
		Namespace: "blog", Pod: "event-bus-0", Service: "event-bus", Reason: ReasonUnboundPVC,
		Cause: "the pod's PersistentVolumeClaim event-bus-depl-data is not bound to any volume",
		Evidence: []string{"PodScheduled=False Unschedulable: 0/1 nodes are available: pod has unbound " +
			"immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		Fix: "the cluster has no storage class or volume for the claim: run \"blogctl up\" again " +
			"with --storage-class and a class the cluster has, or with --no-storage-class (the log " +
			"then lasts only as long as the pod), or create a PersistentVolume that matches the claim",
	}},
	{"unbound claim of another app", `
metadata: {name: db-0, namespace: kt, labels: {app: db}}
spec:
  containers: [{name: db, image: "postgres:17"}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: kt-claim}}]
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable,
     message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.'}
`, nil, &Finding{
		Namespace: "kt", Pod: "db-0", Service: "db", Reason: ReasonUnboundPVC,
		Cause: "the pod's PersistentVolumeClaim kt-claim is not bound to any volume",
		Evidence: []string{"PodScheduled=False Unschedulable: 0/1 nodes are available: pod has unbound " +
			"immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		Fix: "the cluster has no storage class or volume for the claim: create a PersistentVolume " +
			"that matches it, or give it a storageClassName the cluster has (kubectl get storageclass)",
	}},
	{"insufficient cpu", `
metadata: {name: posts-depl-1, namespace: blog}
spec: {containers: [{name: posts, image: "blogctl/posts:sha-1"}]}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable,
     message: '0/1 nodes are available: 1 Insufficient cpu.'}
`, nil, &Finding{
		Namespace: "blog", Pod: "posts-depl-1", Reason: ReasonFailedScheduling,
		Cause:    "the scheduler found no node for the pod: 0/1 nodes are available: 1 Insufficient cpu.",
		Evidence: []string{"PodScheduled=False Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."},
		Fix:      "lower the pod's resource requests, or free or add a node that fits (the scheduler's reason is above)",
	}},
	{"invalid image name", `
metadata: {name: posts-depl-1, namespace: blog}
spec: {containers: [{name: posts, image: "Blogctl/Posts:latest"}]}
status:
  phase: Pending
  containerStatuses:
  - name: posts
    restartCount: 0
    state: {waiting: {reason: InvalidImageName, message: 'Failed to apply default image tag "Blogctl/Posts:latest": couldn''t parse image name'}}
`, nil, &Finding{
		Namespace: "blog", Pod: "posts-depl-1", Container: "posts", Image: "Blogctl/Posts:latest",
		Reason: "InvalidImageName", Cause: `image reference "Blogctl/Posts:latest" is not valid`,
		Evidence: []string{`waiting: InvalidImageName: Failed to apply default image tag "Blogctl/Posts:latest": couldn't parse image name`},
		Fix:      "correct the image in the manifest (lowercase, registry/name:tag) and apply it again",
	}},
	{"init container image missing", `
metadata: {name: query-depl-1, namespace: blog}
spec:
  initContainers: [{name: wait, image: "blogctl/wait:sha-1", imagePullPolicy: Never}]
  containers: [{name: query, image: "blogctl/query:sha-1"}]
status:
  phase: Pending
  initContainerStatuses:
  - {name: wait, restartCount: 0, state: {waiting: {reason: ErrImageNeverPull}}}
  containerStatuses:
  - {name: query, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`, nil, &Finding{
		Namespace: "blog", Pod: "query-depl-1", Container: "wait", Image: "blogctl/wait:sha-1",
		PullPolicy: corev1.PullNever, Reason: "ErrImageNeverPull",
		Cause:    "the node has no image blogctl/wait:sha-1 and imagePullPolicy is Never",
		Evidence: []string{"waiting: ErrImageNeverPull"},
		Fix: "load the image into the node (\"blogctl doctor --fix\" does it), " +
			"or build and load it with \"blogctl up\"",
		AutoFix: FixImage,
	}},
}

func TestPod(t *testing.T) {
	for _, tc := range podCases {
		t.Run(tc.name, func(t *testing.T) {
			pod := decodePod(t, tc.pod)
			cs := fake.NewClientset(pod)
			for i := range tc.events {
				e := tc.events[i]
				e.Namespace = pod.Namespace
				if _, err := cs.CoreV1().Events(pod.Namespace).Create(context.Background(), &e,
					metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			got := Pod(context.Background(), cs, pod)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Pod() mismatch (-want +got):\n%s", diff)
			}
			if got.Fixable() != (tc.want != nil && tc.want.AutoFix != FixNone) {
				t.Errorf("Fixable() = %v, want the opposite", got.Fixable())
			}
		})
	}
}

// TestPodLastLogs checks that the evidence comes from the container's last
// run: the current one when it has exited and not been started again (the
// kubelet may have removed the run before it), the previous one while it
// waits in a crash loop.
func TestPodLastLogs(t *testing.T) {
	for _, tc := range []struct {
		name, state  string
		wantPrevious bool
	}{
		{"exited", "{terminated: {exitCode: 1, reason: Error}}", false},
		{"crash loop", "{waiting: {reason: CrashLoopBackOff}}", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := decodePod(t, `
metadata: {name: query-depl-2, namespace: blog, labels: {app: query}}
spec: {containers: [{name: query, image: "blogctl/query:sha-1"}]}
status:
  phase: Running
  containerStatuses:
  - name: query
    restartCount: 2
    lastState: {terminated: {exitCode: 1, reason: Error}}
    state: `+tc.state+`
`)
			cs := fake.NewClientset(pod)
			Pod(context.Background(), cs, pod)
			for _, a := range cs.Actions() {
				if a.GetSubresource() != "log" {
					continue
				}
				opts, _ := a.(k8stesting.GenericAction).GetValue().(*corev1.PodLogOptions)
				if opts == nil || opts.Previous != tc.wantPrevious {
					t.Errorf("first log request %+v, want Previous %v", opts, tc.wantPrevious)
				}
				return
			}
			t.Error("Pod read no log")
		})
	}
}

func event(pod, typ, reason, msg string, count int32) corev1.Event {
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: pod + "." + reason},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod},
		Type:           typ, Reason: reason, Message: msg, Count: count,
	}
}

func decodePod(t *testing.T, doc string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	if err := yaml.UnmarshalStrict([]byte(doc), pod); err != nil {
		t.Fatalf("decoding the test pod: %v", err)
	}
	return pod
}

func ptr[T any](v T) *T { return &v }
