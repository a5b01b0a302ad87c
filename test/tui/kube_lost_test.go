package tui_test

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/blogctl/blogctl/internal/testenv"
)

// TestKubeLostAPIServer runs the dashboard through a TCP proxy to the test
// cluster's API server, then stops the proxy: the banner says the API
// server is lost and the panes are stale; once the proxy is back the
// banner goes and a deployment created meanwhile shows.
func TestKubeLostAPIServer(t *testing.T) {
	needTmux(t)
	kubeconfig, kctx := testenv.Cluster()
	testenv.Need(t, kubeconfig != "", "the test cluster",
		"start it with test/cluster/up, which writes BLOGCTL_TEST_KUBECONFIG to its env file")
	cs := clusterClient(t, kubeconfig, kctx)
	ns := emptyNamespace(t, cs)

	var proxy *tcpProxy
	proxied, target := proxiedKubeconfig(t, kubeconfig, kctx, func(target string) string {
		proxy = startProxy(t, "127.0.0.1:0", target)
		return proxy.addr()
	})
	addr := proxy.addr()
	bin := blogctl(t)
	term := startTerminal(t, 160, 50, bin, "tui", "--kubeconfig", proxied, "-n", ns)
	term.waitForText("no pods in namespace "+ns, 30*time.Second)

	proxy.stop()
	lost := "CONNECTION LOST to the Kubernetes API server https://" + addr + ", reconnecting…"
	screen := term.waitFor("the API server lost", 15*time.Second, func(s string) bool {
		return strings.Contains(strings.Join(strings.Fields(s), " "), lost)
	})
	if strings.Count(screen, "STALE") != 3 {
		t.Errorf("the Kubernetes panes are not all marked stale:\n%s", screen)
	}
	createDeployment(t, cs, ns, "while-lost-depl")

	proxy = startProxy(t, addr, target)
	term.waitFor("the banner gone", 15*time.Second, func(s string) bool {
		return !strings.Contains(s, "CONNECTION LOST") && !strings.Contains(s, "STALE")
	})
	term.waitForText("while-lost-depl", 10*time.Second)
	term.send("q")
	term.waitFor("the dashboard to exit", 5*time.Second, func(string) bool { return term.dead() })
}

// proxiedKubeconfig writes a copy of kubeconfig whose context kctx points
// at the address that proxy returns for the API server's host:port,
// checking the server's certificate under its own name. It returns the
// copy's path and the API server's host:port.
func proxiedKubeconfig(t *testing.T, kubeconfig, kctx string,
	proxy func(target string) string,
) (path, target string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatalf("loading %s: %v", kubeconfig, err)
	}
	if kctx == "" {
		kctx = cfg.CurrentContext
	}
	c, ok := cfg.Contexts[kctx]
	if !ok || cfg.Clusters[c.Cluster] == nil {
		t.Fatalf("kubeconfig %s has no context %q with a cluster", kubeconfig, kctx)
	}
	cl := cfg.Clusters[c.Cluster]
	u, err := url.Parse(cl.Server)
	if err != nil {
		t.Fatalf("reading the server of %s: %v", kubeconfig, err)
	}
	target = u.Host
	if cl.TLSServerName == "" {
		cl.TLSServerName = u.Hostname()
	}
	cl.Server = "https://" + proxy(target)
	cfg.CurrentContext = kctx
	path = filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path, target
}

// tcpProxy forwards the connections it accepts to target, until stopped.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, addr, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("starting the proxy on %s: %v", addr, err)
	}
	p := &tcpProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// stop closes the listener and every connection, as a killed proxy does.
func (p *tcpProxy) stop() {
	p.ln.Close()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// createDeployment creates a deployment whose pod never starts: only its
// listing matters.
func createDeployment(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	labels := map[string]string{"app": name}
	zero := int32(0)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &zero,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "none", Image: "blogctl/never-built:none", ImagePullPolicy: corev1.PullNever,
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment %s: %v", name, err)
	}
}
