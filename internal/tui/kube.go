package tui

import (
	"context"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// KubeSource watches the deployments, pods and events of one namespace
// with shared informers and sends their lists into the dashboard whenever
// they change. It sends nothing while nothing changes, but for a light
// heartbeat against the API server: client-go's reflectors retry a lost
// watch by themselves, with backoff and without a word, so only the
// heartbeat can tell the dashboard that the server is gone, and, once it
// answers again, start the watches afresh rather than after that backoff.
type KubeSource struct {
	Clientset kubernetes.Interface
	Namespace string
	// Server names the API server in the banner, as its URL.
	Server string
	// Heartbeat is the pause between two checks that the API server
	// answers; zero means two seconds.
	Heartbeat time.Duration
}

// sourceKubernetes names the API server in ConnMsg.
const sourceKubernetes = "Kubernetes API server"

// probeTimeout bounds one heartbeat: a server that does not answer in
// this time counts as lost.
const probeTimeout = 2 * time.Second

// Start watches until ctx ends, sending on out.
func (s *KubeSource) Start(ctx context.Context, out chan<- tea.Msg) {
	w := &watches{src: s, out: out}
	w.restart(ctx)
	go s.heartbeat(ctx, w)
}

// watches are the informers of a KubeSource, started afresh by restart.
type watches struct {
	src  *KubeSource
	out  chan<- tea.Msg
	stop context.CancelFunc
}

// restart stops the running informers, if any, and starts new ones that
// watch until ctx ends.
func (w *watches) restart(ctx context.Context) {
	if w.stop != nil {
		w.stop()
	}
	ctx, w.stop = context.WithCancel(ctx)
	w.src.watch(ctx, w.out)
}

// heartbeat checks the API server every Heartbeat. It says when the server
// is lost, and when it is back, and then restarts the watches so that the
// panes are listed afresh at once.
func (s *KubeSource) heartbeat(ctx context.Context, w *watches) {
	every := cmpOr(s.Heartbeat, 2*time.Second)
	down := false
	for {
		sleep(ctx, every)
		if ctx.Err() != nil {
			return
		}
		err := s.check(ctx)
		switch {
		case err != nil && !down:
			down = true
			if !send(ctx, w.out, ConnMsg{Source: sourceKubernetes, Where: s.Server, Err: err}) {
				return
			}
		case err == nil && down:
			down = false
			w.restart(ctx)
			if !send(ctx, w.out, ConnMsg{Source: sourceKubernetes, Where: s.Server}) {
				return
			}
		}
	}
}

// check asks the API server's /readyz once whether it answers.
func (s *KubeSource) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	rc := s.Clientset.Discovery().RESTClient()
	if rc == nil {
		// A fake clientset has no REST client, but knows its version.
		_, err := s.Clientset.Discovery().ServerVersion()
		return err
	}
	err := rc.Get().AbsPath("/readyz").Do(ctx).Error()
	if apierrors.IsForbidden(err) {
		// A cluster may keep /readyz from its users; /version is public.
		err = rc.Get().AbsPath("/version").Do(ctx).Error()
	}
	return err
}

// watch starts a fresh informer factory that watches until ctx ends.
func (s *KubeSource) watch(ctx context.Context, out chan<- tea.Msg) {
	f := informers.NewSharedInformerFactoryWithOptions(s.Clientset, 0,
		informers.WithNamespace(s.Namespace))
	deps := f.Apps().V1().Deployments()
	pods := f.Core().V1().Pods()
	evs := f.Core().V1().Events()

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
		_, _ = l.inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { notify() },
			UpdateFunc: func(any, any) { notify() },
			DeleteFunc: func(any) { notify() },
		})
		go forward(ctx, l.inf, kick, l.list, out)
	}
	f.Start(ctx.Done())
}

// forward sends a fresh list after the informer's first sync, and after
// every kick.
func forward(ctx context.Context, inf cache.SharedIndexInformer,
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

// send puts msg on out unless ctx ends first, and reports whether it did.
func send(ctx context.Context, out chan<- tea.Msg, msg tea.Msg) bool {
	select {
	case out <- msg:
		return true
	case <-ctx.Done():
		return false
	}
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
