package cluster

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// testCluster is what the smoke test knows about the running cluster.
type testCluster struct {
	client   kubernetes.Interface
	nodeIP   string
	registry string
	dir      string // this directory, where the scripts are
}

// envFile is where up writes the cluster's environment by default.
func envFile() string {
	state := os.Getenv("BLOGCTL_CLUSTER_STATE")
	if state == "" {
		state = "/var/lib/blogctl-test-cluster"
	}
	return filepath.Join(state, "env")
}

// loadEnvFile sets the BLOGCTL_TEST_* variables from the env file that up
// wrote, unless the environment already has them.
func loadEnvFile(t *testing.T) {
	t.Helper()
	if os.Getenv("BLOGCTL_TEST_KUBECONFIG") != "" {
		return
	}
	f, err := os.Open(envFile())
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "BLOGCTL_TEST_") {
			t.Setenv(k, v)
		}
	}
}

// need stops the test unless what it needs is there: it fails under the full
// test run (BLOGCTL_TEST_ALL=1) and skips elsewhere, saying what is missing.
func need(t *testing.T, available bool, component, why string) {
	t.Helper()
	if available {
		return
	}
	if os.Getenv("BLOGCTL_TEST_ALL") == "1" {
		t.Fatalf("this test needs %s, which is missing: %s", component, why)
	}
	t.Skipf("needs %s (%s)", component, why)
}

// connect returns the running test cluster, or stops the test.
func connect(t *testing.T) *testCluster {
	t.Helper()
	loadEnvFile(t)
	kubeconfig := os.Getenv("BLOGCTL_TEST_KUBECONFIG")
	need(t, kubeconfig != "", "the test cluster",
		"start it with test/cluster/up and source the env file it prints")
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: os.Getenv("BLOGCTL_TEST_CONTEXT")}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		t.Fatalf("loading the test cluster's kubeconfig %s: %v", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("making a client for the test cluster: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = client.Discovery().ServerVersion()
	need(t, err == nil && ctx.Err() == nil, "the test cluster", fmt.Sprintf("its API server does not answer (%v); start it with test/cluster/up", err))
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return &testCluster{
		client:   client,
		nodeIP:   os.Getenv("BLOGCTL_TEST_NODE_IP"),
		registry: os.Getenv("BLOGCTL_TEST_CLUSTER_REGISTRY"),
		dir:      dir,
	}
}

// runQuiet runs a command, ignoring its output.
func runQuiet(name string, args ...string) error {
	return exec.Command(name, args...).Run()
}

// run runs a command and fails the test with its output if it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("running %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// buildImage builds the testimage program FROM scratch into a Docker image
// named ref and removes it from Docker when the test ends.
func buildImage(t *testing.T, ref string) {
	t.Helper()
	need(t, exec.Command("docker", "version").Run() == nil, "a Docker engine", "start it with test/docker/start")
	ctx := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", filepath.Join(ctx, "smoke"), "./testimage")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test image's program: %v\n%s", err, out)
	}
	dockerfile := "FROM scratch\nCOPY smoke /smoke\nENTRYPOINT [\"/smoke\"]\n"
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(t.Context(), "docker", "build", "-q", "-t", ref, ctx)
	build.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building image %s: %v\n%s", ref, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", ref).Run() })
}
