package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/blogctl/blogctl/internal/cli"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/testenv"
)

// cluster is the test cluster the harness's env file describes.
type cluster struct {
	kubeconfig, context, containerd, nodeIP string
	namespace                               string
	cs                                      kubernetes.Interface
}

// needCluster returns the test cluster and a namespace of the test's own,
// deleted at the end.
func needCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{
		kubeconfig: os.Getenv("BLOGCTL_TEST_KUBECONFIG"),
		context:    os.Getenv("BLOGCTL_TEST_CONTEXT"),
		containerd: os.Getenv("BLOGCTL_TEST_CONTAINERD_ADDRESS"),
		nodeIP:     os.Getenv("BLOGCTL_TEST_NODE_IP"),
	}
	testenv.Need(t, c.kubeconfig != "" && c.nodeIP != "", "a Kubernetes cluster",
		"start it with test/cluster/up and source /var/lib/blogctl-test-cluster/env")
	engine, err := image.Connect(context.Background())
	testenv.Need(t, err == nil, "a Docker engine", fmt.Sprint(err))
	engine.Close()

	conn, err := kube.Connect(kube.ConnectOptions{Kubeconfig: c.kubeconfig, Context: c.context})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.cs = conn.Clientset
	c.namespace = "blogctl-e2e-" + randomHex(3)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = c.cs.CoreV1().Namespaces().Delete(ctx, c.namespace, metav1.DeleteOptions{})
	})
	return c
}

// blogctl runs a blogctl command in the test's namespace and returns its
// stdout and stderr.
func (c *cluster) blogctl(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--kubeconfig", c.kubeconfig, "--context", c.context, "-n", c.namespace)
	root := cli.NewRootCmd(&cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	root.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	t.Logf("blogctl %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out.String(), errOut.String())
	return out.String(), errOut.String(), err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// nodePort returns the node port of a Service.
func (c *cluster) nodePort(t *testing.T, service string) int32 {
	t.Helper()
	svc, err := c.cs.CoreV1().Services(c.namespace).Get(context.Background(), service, metav1.GetOptions{})
	if err != nil || len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].NodePort == 0 {
		t.Fatalf("reading the node port of %s: %v", service, err)
	}
	return svc.Spec.Ports[0].NodePort
}

// post sends body as JSON and decodes the answer into out.
func post(t *testing.T, url string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)

	// kube-proxy programs a new node port a moment after the Service
	// exists: until then the port refuses connections.
	var resp *http.Response
	eventually(t, 30*time.Second, func() error {
		var err error
		resp, err = http.Post(url, "application/json", bytes.NewReader(b))
		return err
	})
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s = %d %s, want 201", url, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("POST %s answered %s: %v", url, data, err)
	}
}

// eventually retries check until it returns nil or the time runs out.
func eventually(t *testing.T, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// dumpDelivery logs what the bus knows of its subscribers, the Services'
// endpoints and kube-proxy's rules for the test's namespace: what is needed
// to tell a bus that stopped retrying from a Service that routes nowhere.
func (c *cluster) dumpDelivery(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	subs, err := c.cs.CoreV1().Services(c.namespace).
		ProxyGet("http", "event-bus-srv", "4005", "/subscribers", nil).DoRaw(ctx)
	t.Logf("event bus /subscribers: %s (err %v)", subs, err)

	slices, err := c.cs.DiscoveryV1().EndpointSlices(c.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("listing endpoint slices: %v", err)
	} else {
		for _, s := range slices.Items {
			var eps []string
			for _, e := range s.Endpoints {
				eps = append(eps, fmt.Sprintf("%v ready=%v", e.Addresses, e.Conditions.Ready != nil && *e.Conditions.Ready))
			}
			t.Logf("endpoint slice %s: %s", s.Name, strings.Join(eps, ", "))
		}
	}

	out, err := exec.CommandContext(ctx, "iptables-save").Output()
	if err != nil {
		t.Logf("iptables-save: %v", err)
		return
	}
	var rules []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, c.namespace+"/") {
			rules = append(rules, line)
		}
	}
	t.Logf("kube-proxy rules for namespace %s:\n%s", c.namespace, strings.Join(rules, "\n"))
}
