//go:build !serveonly

package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/deploy/kube"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestKubeInputChecks checks that mistakes in the Kubernetes commands'
// flags are refused with what to do, before any cluster is reached.
func TestKubeInputChecks(t *testing.T) {
	valid := "use one of event-bus, posts, comments, query, moderation, client"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown service type", []string{"manifests", "--service-type", "foo=NodePort"},
			"--service-type foo=NodePort: no service is named foo: " + valid},
		{"unknown service type in up", []string{"up", "--target", "kubernetes", "--service-type", "foo=NodePort"},
			"no service is named foo"},
		{"external name without its type", []string{"manifests", "--external-name", "posts=x.example.com"},
			"add --service-type posts=ExternalName"},
		{"one service, two types", []string{"manifests", "--service-type", "posts=NodePort",
			"--service-type", "posts=LoadBalancer"}, "service posts is given two types, posts=NodePort and posts=LoadBalancer"},
		{"every service, two types", []string{"manifests", "--service-type", "NodePort,ClusterIP"},
			"the type of every service is given twice"},
		{"services and --all", []string{"rollout", "restart", "posts", "--all"},
			"give the services to restart, or --all for every service, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "k8s")
			var out, errOut bytes.Buffer
			cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			args := tt.args
			if args[0] == "manifests" {
				args = append(args, "--out", dir)
			}
			cmd.SetArgs(args)
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("blogctl %s = %v, want an error saying %q", strings.Join(tt.args, " "), err, tt.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the refused command wrote %s", dir)
			}
		})
	}
}

// TestRolloutClusterFlagsFirst checks that the cluster flags may come
// before rollout's subcommand, as in kubectl, and that "rollout -n x"
// alone shows the help.
func TestRolloutClusterFlagsFirst(t *testing.T) {
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"rollout", "-n", "x"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("blogctl rollout -n x = %v, want the help", err)
	}
	if !strings.Contains(out.String(), "Available Commands:") || !strings.Contains(out.String(), "restart") {
		t.Errorf("blogctl rollout -n x printed %q, want the rollout help", out.String())
	}

	cmd = NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"rollout", "-n", "x", "resume"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "use restart or status") {
		t.Errorf("blogctl rollout -n x resume = %v, want an unknown command naming restart and status", err)
	}

	root := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	status, _, err := root.Find([]string{"rollout", "status"})
	if err != nil {
		t.Fatal(err)
	}
	if err := status.ParseFlags([]string{"-n", "blog", "--context", "kind-a"}); err != nil {
		t.Errorf("rollout status -n blog --context kind-a: %v", err)
	}
}

// TestPrintAccess checks what "blogctl up" prints: every NodePort Service,
// and an Ingress either with its /etc/hosts line or saying that nothing
// serves it.
func TestPrintAccess(t *testing.T) {
	ports := []kube.NodePortAccess{
		{Service: "comments-srv", App: "comments", URL: "http://192.0.2.2:30081"},
		{Service: "posts-srv", App: "posts", URL: "http://192.0.2.2:30080"},
		{Service: "query-srv", App: "query", URL: "http://192.0.2.2:30082"},
	}
	served := kube.Access{NodePort: "http://192.0.2.2:30080", NodePorts: ports, IngressHost: "posts.com",
		HostsLine: "192.0.2.2 posts.com"}
	unserved := served
	unserved.NoIngressController = "no ingress controller was found: the cluster has no IngressClass " +
		"and no ingress-nginx pod"
	tests := []struct {
		name   string
		access kube.Access
	}{
		{"access-served", served},
		{"access-no-controller", unserved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := printAccess(&b, tt.access); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.String())
		})
	}
}

// TestPrintResults checks apply's lines: kubectl's wording, a server dry
// run, and an object the server could not check.
func TestPrintResults(t *testing.T) {
	results := []kube.Result{
		{Kind: "Namespace", Resource: "namespaces", Name: "trial", Action: kube.Created},
		{Kind: "PersistentVolumeClaim", Resource: "persistentvolumeclaims", Name: "event-bus-depl-data",
			Namespace: "trial", Action: kube.Created},
		{Kind: "Service", Resource: "services", Name: "client-srv", Namespace: "trial", Action: kube.Configured},
		{Kind: "Deployment", Group: "apps", Resource: "deployments", Name: "posts-depl", Namespace: "trial",
			Action: kube.Unchanged},
		{Kind: "Ingress", Group: "networking.k8s.io", Resource: "ingresses", Name: "ingress-srv",
			Namespace: "trial", Action: kube.Created, Note: "unchecked until namespace trial exists"},
	}
	for _, tt := range []struct {
		name   string
		format string
		dryRun bool
	}{
		{"apply", "text", false},
		{"apply-dry-run", "text", true},
		{"apply-json", "json", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := printResults(&Streams{Out: &out}, tt.format, results, tt.dryRun); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, out.String())
		})
	}
}

// golden compares got with testdata/NAME.golden, or writes it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s (run with -update to write it): %v", path, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
