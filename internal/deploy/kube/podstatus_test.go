package kube

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The pods below are trimmed from "kubectl get pod -o yaml" of real pods;
// want is what "kubectl get pods" printed for them.
var podStatusCases = []struct {
	name     string
	pod      string
	status   string
	ready    string
	restarts int
}{
	{"running and ready", `
spec: {containers: [{name: posts}]}
status:
  phase: Running
  conditions: [{type: Initialized, status: "True"}, {type: Ready, status: "True"}]
  containerStatuses:
  - {name: posts, ready: true, restartCount: 0, started: true,
     state: {running: {startedAt: "2026-12-03T16:00:00Z"}}}
`, "Running", "1/1", 0},
	{"running, readiness probe failing", `
spec: {containers: [{name: query}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
  containerStatuses:
  - {name: query, ready: false, restartCount: 0, started: true,
     state: {running: {startedAt: "2026-12-03T16:00:00Z"}}}
`, "Running", "0/1", 0},
	{"image never pulled", `
spec: {containers: [{name: posts, image: "blogctl/posts:missing", imagePullPolicy: Never}]}
status:
  phase: Pending
  containerStatuses:
  - name: posts
    ready: false
    restartCount: 0
    image: "blogctl/posts:missing"
    state:
      waiting:
        reason: ErrImageNeverPull
        message: 'Container image "blogctl/posts:missing" is not present with pull policy of Never'
`, "ErrImageNeverPull", "0/1", 0},
	{"image pull back-off", `
spec: {containers: [{name: comments}]}
status:
  phase: Pending
  containerStatuses:
  - name: comments
    ready: false
    restartCount: 0
    state:
      waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "localhost:5001/comments:nope"'}
`, "ImagePullBackOff", "0/1", 0},
	{"crash loop", `
spec: {containers: [{name: query}]}
status:
  phase: Running
  containerStatuses:
  - name: query
    ready: false
    restartCount: 4
    lastState:
      terminated: {exitCode: 1, reason: Error, finishedAt: "2026-12-03T16:01:00Z"}
    state:
      waiting: {reason: CrashLoopBackOff, message: "back-off 1m20s restarting failed container=query"}
`, "CrashLoopBackOff", "0/1", 4},
	{"out of memory", `
spec: {containers: [{name: event-bus}]}
status:
  phase: Running
  containerStatuses:
  - name: event-bus
    ready: false
    restartCount: 1
    state:
      terminated: {exitCode: 137, reason: OOMKilled}
`, "OOMKilled", "0/1", 1},
	{"terminated with no reason, signal", `
spec: {containers: [{name: a}]}
status:
  phase: Running
  containerStatuses:
  - {name: a, restartCount: 0, state: {terminated: {exitCode: 143, signal: 15}}}
`, "Signal:15", "0/1", 0},
	{"terminated with no reason, exit code", `
spec: {containers: [{name: a}]}
status:
  phase: Running
  containerStatuses:
  - {name: a, restartCount: 0, state: {terminated: {exitCode: 2}}}
`, "ExitCode:2", "0/1", 0},
	{"creating", `
spec: {containers: [{name: client}]}
status:
  phase: Pending
  containerStatuses:
  - {name: client, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}
`, "ContainerCreating", "0/1", 0},
	{"unschedulable, no statuses yet", `
spec: {containers: [{name: event-bus}]}
status:
  phase: Pending
  conditions:
  - type: PodScheduled
    status: "False"
    reason: Unschedulable
    message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.'
`, "Pending", "0/1", 0},
	{"scheduling gated", `
spec: {containers: [{name: a}], schedulingGates: [{name: example.com/gate}]}
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: SchedulingGated}]
`, "SchedulingGated", "0/1", 0},
	{"completed job pod", `
spec: {containers: [{name: migrate}]}
status:
  phase: Succeeded
  containerStatuses:
  - {name: migrate, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
`, "Completed", "0/1", 0},
	{"one container completed, one running and ready", `
spec: {containers: [{name: a}, {name: b}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  containerStatuses:
  - {name: a, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  - {name: b, ready: true, restartCount: 0, state: {running: {}}}
`, "Running", "1/2", 0},
	{"one container completed, one running, pod not ready", `
spec: {containers: [{name: a}, {name: b}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
  containerStatuses:
  - {name: a, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  - {name: b, ready: true, restartCount: 0, state: {running: {}}}
`, "NotReady", "1/2", 0},
	{"init container running", `
spec:
  initContainers: [{name: wait-for-bus}, {name: migrate}]
  containers: [{name: query}]
status:
  phase: Pending
  conditions: [{type: Initialized, status: "False"}]
  initContainerStatuses:
  - {name: wait-for-bus, restartCount: 0, state: {running: {}}}
  - {name: migrate, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
  containerStatuses:
  - {name: query, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`, "Init:0/2", "0/1", 0},
	{"second init container waiting on its image", `
spec:
  initContainers: [{name: wait-for-bus}, {name: migrate}]
  containers: [{name: query}]
status:
  phase: Pending
  initContainerStatuses:
  - {name: wait-for-bus, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  - {name: migrate, restartCount: 0, state: {waiting: {reason: ErrImagePull}}}
  containerStatuses:
  - {name: query, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`, "Init:ErrImagePull", "0/1", 0},
	{"init container crash looping", `
spec:
  initContainers: [{name: migrate}]
  containers: [{name: query}]
status:
  phase: Pending
  initContainerStatuses:
  - name: migrate
    restartCount: 3
    lastState: {terminated: {exitCode: 1, reason: Error}}
    state: {waiting: {reason: CrashLoopBackOff}}
  containerStatuses:
  - {name: query, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`, "Init:CrashLoopBackOff", "0/1", 3},
	{"init container failed with exit code", `
spec:
  initContainers: [{name: migrate}]
  containers: [{name: query}]
status:
  phase: Failed
  initContainerStatuses:
  - {name: migrate, restartCount: 0, state: {terminated: {exitCode: 3}}}
`, "Init:ExitCode:3", "0/1", 0},
	{"sidecar started and ready beside a running container", `
spec:
  initContainers: [{name: proxy, restartPolicy: Always}]
  containers: [{name: posts}]
status:
  phase: Running
  conditions: [{type: Initialized, status: "True"}, {type: Ready, status: "True"}]
  initContainerStatuses:
  - {name: proxy, ready: true, started: true, restartCount: 2,
     lastState: {terminated: {exitCode: 1, reason: Error}}, state: {running: {}}}
  containerStatuses:
  - {name: posts, ready: true, started: true, restartCount: 1, state: {running: {}}}
`, "Running", "2/2", 3},
	{"sidecar not started yet", `
spec:
  initContainers: [{name: proxy, restartPolicy: Always}]
  containers: [{name: posts}]
status:
  phase: Pending
  conditions: [{type: Initialized, status: "False"}]
  initContainerStatuses:
  - {name: proxy, ready: false, started: false, restartCount: 0, state: {running: {}}}
  containerStatuses:
  - {name: posts, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`, "Init:0/1", "0/2", 0},
	{"terminating", `
metadata: {deletionTimestamp: "2026-12-03T16:05:00Z"}
spec: {containers: [{name: posts}]}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  containerStatuses:
  - {name: posts, ready: true, restartCount: 0, state: {running: {}}}
`, "Terminating", "1/1", 0},
	{"being deleted after it succeeded", `
metadata: {deletionTimestamp: "2026-12-03T16:05:00Z"}
spec: {containers: [{name: a}]}
status:
  phase: Succeeded
  containerStatuses:
  - {name: a, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
`, "Completed", "0/1", 0},
	{"on a lost node", `
metadata: {deletionTimestamp: "2026-12-03T16:05:00Z"}
spec: {containers: [{name: posts}]}
status:
  phase: Running
  reason: NodeLost
  containerStatuses:
  - {name: posts, ready: true, restartCount: 0, state: {running: {}}}
`, "Unknown", "1/1", 0},
	{"evicted", `
spec: {containers: [{name: posts}]}
status:
  phase: Failed
  reason: Evicted
  message: 'The node was low on resource: memory.'
`, "Evicted", "0/1", 0},
	{"config error", `
spec: {containers: [{name: posts}]}
status:
  phase: Pending
  containerStatuses:
  - name: posts
    restartCount: 0
    state: {waiting: {reason: CreateContainerConfigError, message: 'configmap "blog" not found'}}
`, "CreateContainerConfigError", "0/1", 0},
}

func TestPodStatus(t *testing.T) {
	for _, tc := range podStatusCases {
		t.Run(tc.name, func(t *testing.T) {
			pod := decodePod(t, tc.pod)
			if got := PodStatus(pod); got != tc.status {
				t.Errorf("PodStatus() = %q, want %q", got, tc.status)
			}
			ready, total := PodReady(pod)
			if got := fmt.Sprintf("%d/%d", ready, total); got != tc.ready {
				t.Errorf("PodReady() = %s, want %s", got, tc.ready)
			}
			if got := PodRestarts(pod); got != tc.restarts {
				t.Errorf("PodRestarts() = %d, want %d", got, tc.restarts)
			}
		})
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

var yamlUnmarshalStrict = yaml.UnmarshalStrict
