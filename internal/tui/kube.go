package tui

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// KubeSource watches the deployments, pods and events of one namespace
// with shared informers and sends their lists into the dashboard whenever
// they change. It sends nothing while nothing changes.
type KubeSource struct {
	Clientset kubernetes.Interface
	Namespace string
	// ProbeEvery is how often a lost API server is probed until it answers;
	// zero means two seconds.
	ProbeEvery time.Duration
}

// sourceKubernetes names the API server in ConnMsg.
const sourceKubernetes = "Kubernetes API server"

// Start watches until ctx ends, sending on out.
func (s *KubeSource) Start(ctx context.Context, out chan<- tea.Msg) {
	f := informers.NewSharedInformerFactoryWithOptions(s.Clientset, 0,
		informers.WithNamespace(s.Namespace))
	deps := f.Apps().V1().Deployments()
	pods := f.Core().V1().Pods()
	evs := f.Core().V1().Events()
	conn := &connWatch{probe: s.probe, every: s.ProbeEvery, out: out}

	// Each kind has a kick channel of one slot: a burst of changes becomes
	// one fresh list.
	lists := []struct {
		inf  cache.SharedIndexInformer
		list func() tea.Msg
	}{
		{deps.Informer(), func() tea.Msg {
			items, _ := deps.Lister().List(labels.Everything())
			return DeploymentsMsg{Items: items}
		}},
		{pods.Informer(), func() tea.Msg {
			items, _ := pods.Lister().List(labels.Everything())
			return PodsMsg{Items: items}
		}},
		{evs.Informer(), func() tea.Msg {
			items, _ := evs.Lister().List(labels.Everything())
			return KubeEventsMsg{Items: items}
		}},
	}
	for _, l := range lists {
		kick := make(chan struct{}, 1)
		notify := func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
		_ = l.inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, _ *cache.Reflector, err error) {
			conn.lost(ctx, err)
		})
		_, _ = l.inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { notify() },
			UpdateFunc: func(any, any) { notify() },
			DeleteFunc: func(any) { notify() },
		})
		go s.forward(ctx, l.inf, kick, l.list, out)
	}
	f.Start(ctx.Done())
}

// forward sends a fresh list after the informer's first sync, and after
// every kick.
func (s *KubeSource) forward(ctx context.Context, inf cache.SharedIndexInformer,
	kick <-chan struct{}, list func() tea.Msg, out chan<- tea.Msg,
) {
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return
	}
	for {
		if !send(ctx, out, list()) {
			return
		}
		select {
		case <-kick:
		case <-ctx.Done():
			return
		}
	}
}

func (s *KubeSource) probe(ctx context.Context) error {
	_, err := s.Clientset.Discovery().ServerVersion()
	return err
}

// send puts msg on out unless ctx ends first, and reports whether it did.
func send(ctx context.Context, out chan<- tea.Msg, msg tea.Msg) bool {
	select {
	case out <- msg:
		return true
	case <-ctx.Done():
		return false
	}
}

// connWatch turns watch errors into one ConnMsg, then probes the server
// until it answers and says so. The informers reconnect by themselves.
type connWatch struct {
	probe func(context.Context) error
	every time.Duration
	out   chan<- tea.Msg

	mu   sync.Mutex
	down bool
}

func (c *connWatch) lost(ctx context.Context, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down || ctx.Err() != nil {
		return
	}
	c.down = true
	go c.recover(ctx, err)
}

func (c *connWatch) recover(ctx context.Context, err error) {
	if !send(ctx, c.out, ConnMsg{Source: sourceKubernetes, Err: err}) {
		return
	}
	every := c.every
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if c.probe(ctx) == nil {
			break
		}
	}
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
	send(ctx, c.out, ConnMsg{Source: sourceKubernetes})
}

// KubeCluster carries out the dashboard's actions on a cluster: rollout
// restarts and following a pod's logs.
type KubeCluster struct {
	Clientset kubernetes.Interface
	// RestartDeployment restarts a deployment's rollout, as "kubectl
	// rollout restart" does.
	RestartDeployment func(ctx context.Context, cs kubernetes.Interface, namespace, name string) error
}

// Restart restarts the rollout of deployment name.
func (k *KubeCluster) Restart(ctx context.Context, namespace, name string) error {
	return k.RestartDeployment(ctx, k.Clientset, namespace, name)
}

// Logs follows the logs of pod's first container, starting with its last
// 200 lines.
func (k *KubeCluster) Logs(ctx context.Context, pod *corev1.Pod) (io.ReadCloser, error) {
	tail := int64(200)
	opts := &corev1.PodLogOptions{Follow: true, TailLines: &tail}
	if len(pod.Spec.Containers) > 1 {
		opts.Container = pod.Spec.Containers[0].Name
	}
	rc, err := k.Clientset.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, opts).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("following the logs of pod %s: %w", pod.Name, err)
	}
	return rc, nil
}
