package testenv

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// Cluster returns the test cluster's kubeconfig and context, from the
// environment or else from the env file that test/cluster/up writes; an
// empty kubeconfig means there is no test cluster.
func Cluster() (kubeconfig, context string) {
	kubeconfig, context = os.Getenv("BLOGCTL_TEST_KUBECONFIG"), os.Getenv("BLOGCTL_TEST_CONTEXT")
	if kubeconfig != "" {
		return kubeconfig, context
	}
	state := os.Getenv("BLOGCTL_CLUSTER_STATE")
	if state == "" {
		state = "/var/lib/blogctl-test-cluster"
	}
	f, err := os.Open(filepath.Join(state, "env"))
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		k, v, _ := strings.Cut(line, "=")
		v = strings.Trim(v, `"'`)
		switch k {
		case "BLOGCTL_TEST_KUBECONFIG":
			kubeconfig = v
		case "BLOGCTL_TEST_CONTEXT":
			context = v
		}
	}
	return kubeconfig, context
}
