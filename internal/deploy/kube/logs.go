package kube

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ErrNoPods says that a service has no pod to read the logs of.
var ErrNoPods = errors.New("the service has no pod")

// LogOptions say which logs to show.
type LogOptions struct {
	Follow   bool
	Previous bool
	// Tail is how many last lines to show; 0 shows all.
	Tail int64
}

// ServicePods returns the pods of a blog service, by their app label.
func ServicePods(ctx context.Context, cs kubernetes.Interface, namespace, service string) ([]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=" + service})
	if err != nil {
		return nil, fmt.Errorf("listing the pods of %s: %w", service, err)
	}
	pods := list.Items
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods, nil
}

// Logs writes the logs of a service's pods to w. With several pods each
// line starts with its pod's name.
func Logs(ctx context.Context, cs kubernetes.Interface, namespace, service string,
	opts LogOptions, w io.Writer) error {
	pods, err := ServicePods(ctx, cs, namespace, service)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return fmt.Errorf("reading the logs of %s: %w in namespace %s", service, ErrNoPods, namespace)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(pods))
	for i, pod := range pods {
		prefix := ""
		if len(pods) > 1 {
			prefix = "[" + pod.Name + "] "
		}
		wg.Go(func() { errs[i] = podLogs(ctx, cs, pod, opts, prefix, w, &mu) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func podLogs(ctx context.Context, cs kubernetes.Interface, pod corev1.Pod, opts LogOptions,
	prefix string, w io.Writer, mu *sync.Mutex) error {
	po := &corev1.PodLogOptions{Follow: opts.Follow, Previous: opts.Previous}
	if opts.Tail > 0 {
		po.TailLines = &opts.Tail
	}
	stream, err := cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, po).Stream(ctx)
	if err != nil {
		return fmt.Errorf("reading the logs of pod %s: %w", pod.Name, err)
	}
	defer stream.Close()
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		mu.Lock()
		_, err := fmt.Fprintf(w, "%s%s\n", prefix, sc.Text())
		mu.Unlock()
		if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the logs of pod %s: %w", pod.Name, err)
	}
	return nil
}
