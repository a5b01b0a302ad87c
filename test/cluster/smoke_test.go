package cluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
)

const webName = "smoke-web"

// TestSmoke checks that the test cluster is usable the way the project's
// end-to-end tests use it: loaded images run, Services resolve by name from
// pods, NodePorts answer on the host, missing images fail the real way, and
// images pushed to the local registry can be pulled by the node.
func TestSmoke(t *testing.T) {
	c := connect(t)
	ns := c.namespace(t)
	image := "blogctl-smoke:" + rand.String(8)
	buildImage(t, image)
	run(t, c.dir+"/load-image", image)

	c.createWeb(t, ns, image)
	c.waitAvailable(t, ns, webName)
	// kube-proxy programs the Service a moment after its endpoints are
	// ready; wait for that, as any client of a real cluster must.
	c.waitServiceAnswers(t, ns)

	t.Run("pod calls the Service by name", func(t *testing.T) {
		pod := c.runPod(t, ns, "smoke-client", image, corev1.PullNever, "get", "http://"+webName+"/")
		c.waitPhase(t, ns, pod, corev1.PodSucceeded)
		if logs := c.logs(t, ns, pod); !strings.HasPrefix(logs, "hello from "+webName) {
			t.Errorf("the client pod printed %q, want a greeting from a %s pod", logs, webName)
		}
	})
	t.Run("host reaches the NodePort", func(t *testing.T) {
		c.checkNodePort(t, ns)
	})
	t.Run("missing image with pull policy Never", func(t *testing.T) {
		pod := c.runPod(t, ns, "smoke-missing", "blogctl-smoke-missing:"+rand.String(8), corev1.PullNever)
		c.waitWaitingReason(t, ns, pod, "ErrImageNeverPull")
	})
	t.Run("registry advertised", func(t *testing.T) {
		c.checkRegistryHosting(t)
	})
	t.Run("image pulled from the local registry", func(t *testing.T) {
		c.checkRegistryPull(t, ns, image)
	})
}

// namespace creates a namespace of its own for the test and deletes it after.
func (c *testCluster) namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "smoke-"}}
	ns, err := c.client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating the test namespace: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.client.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
	})
	// Pods are refused until the namespace's default ServiceAccount exists.
	poll(t, 30*time.Second, "the default ServiceAccount in "+ns.Name, func(ctx context.Context) (bool, error) {
		_, err := c.client.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	return ns.Name
}

// createWeb creates a Deployment of image serving HTTP and a NodePort
// Service in front of it.
func (c *testCluster) createWeb(t *testing.T, ns, image string) {
	t.Helper()
	labels := map[string]string{"app": webName}
	replicas := int32(1)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: webName},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: image, ImagePullPolicy: corev1.PullNever,
					Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
					ReadinessProbe: &corev1.Probe{
						ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8080)}},
						PeriodSeconds: 1,
					},
				}}},
			},
		},
	}
	if _, err := c.client.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Deployment %s: %v", webName, err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: webName},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: labels,
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	if _, err := c.client.CoreV1().Services(ns).Create(t.Context(), svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Service %s: %v", webName, err)
	}
}

// runPod starts a pod with one container that runs image with args and is
// never restarted.
func (c *testCluster) runPod(t *testing.T, ns, name, image string, pull corev1.PullPolicy, args ...string) string {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "main", Image: image, ImagePullPolicy: pull, Args: args}},
		},
	}
	if _, err := c.client.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating pod %s: %v", name, err)
	}
	return name
}

// checkNodePort calls the web Service through its NodePort on the node's
// address, from the host.
func (c *testCluster) checkNodePort(t *testing.T, ns string) {
	t.Helper()
	svc, err := c.client.CoreV1().Services(ns).Get(t.Context(), webName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading Service %s: %v", webName, err)
	}
	url := fmt.Sprintf("http://%s:%d/", c.nodeIP, svc.Spec.Ports[0].NodePort)
	var body string
	poll(t, 30*time.Second, "an answer from "+url, func(ctx context.Context) (bool, error) {
		body, err = httpGet(ctx, url)
		return err == nil, nil
	})
	if !strings.HasPrefix(body, "hello from "+webName) {
		t.Errorf("GET %s answered %q, want a greeting from a %s pod", url, body, webName)
	}
}

// waitServiceAnswers waits until the web Service's ClusterIP answers from
// the host.
func (c *testCluster) waitServiceAnswers(t *testing.T, ns string) {
	t.Helper()
	svc, err := c.client.CoreV1().Services(ns).Get(t.Context(), webName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading Service %s: %v", webName, err)
	}
	url := fmt.Sprintf("http://%s:%d/", svc.Spec.ClusterIP, svc.Spec.Ports[0].Port)
	poll(t, 30*time.Second, "an answer from Service "+webName+" at "+url, func(ctx context.Context) (bool, error) {
		_, err := httpGet(ctx, url)
		return err == nil, nil
	})
}

// checkRegistryHosting reads the KEP-1755 ConfigMap that advertises the
// local registry.
func (c *testCluster) checkRegistryHosting(t *testing.T) {
	t.Helper()
	cm, err := c.client.CoreV1().ConfigMaps("kube-public").Get(t.Context(), "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading ConfigMap kube-public/local-registry-hosting: %v", err)
	}
	var host string
	for _, line := range strings.Split(cm.Data["localRegistryHosting.v1"], "\n") {
		if v, ok := strings.CutPrefix(line, "host: "); ok {
			host = strings.Trim(v, `"`)
		}
	}
	if diff := cmp.Diff(c.registry, host); diff != "" {
		t.Errorf("advertised registry host (-env +configmap):\n%s", diff)
	}
}

// checkRegistryPull pushes image to the local registry and runs it from
// there, once by localhost and once by the node's address.
func (c *testCluster) checkRegistryPull(t *testing.T, ns, image string) {
	t.Helper()
	pushed := c.registry + "/" + image
	run(t, "docker", "tag", image, pushed)
	t.Cleanup(func() { _ = runQuiet("docker", "rmi", pushed) })
	run(t, "docker", "push", pushed)
	byNodeIP := strings.Replace(pushed, "localhost:", c.nodeIP+":", 1)
	for name, ref := range map[string]string{"smoke-registry-localhost": pushed, "smoke-registry-node-ip": byNodeIP} {
		pod := c.runPod(t, ns, name, ref, corev1.PullAlways, "get", "http://"+webName+"/")
		c.waitPhase(t, ns, pod, corev1.PodSucceeded)
	}
}

// httpGet returns the body of url, giving up on one try after 5 seconds.
func httpGet(ctx context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// poll calls cond every half second until it is true, failing the test after
// timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond wait.ConditionWithContextFunc) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, timeout, true, cond); err != nil {
		t.Fatalf("waiting %s for %s: %v", timeout, what, err)
	}
}
