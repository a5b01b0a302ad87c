package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// FieldManager is the server-side apply field manager of every change
// blogctl makes.
const FieldManager = "blogctl"

// ConnectOptions say which cluster to talk to, as kubectl's --kubeconfig,
// --context and -n/--namespace do. Empty fields take kubectl's defaults:
// $KUBECONFIG or ~/.kube/config, the current context, the context's
// namespace or "default".
type ConnectOptions struct {
	Kubeconfig string
	Context    string
	Namespace  string
}

// Cluster is a connection to one cluster through one context.
type Cluster struct {
	Clientset kubernetes.Interface
	Config    *rest.Config
	// Context and Server name the kubeconfig context and API server, for
	// messages.
	Context string
	Server  string
	// Namespace is where blogctl works.
	Namespace string
}

// Connect builds a client from the kubeconfig with kubectl's loading rules.
// It does not contact the cluster: Check does.
func Connect(opts ConnectOptions) (*Cluster, error) {
	// blogctl prints what went wrong itself; client-go's own logging of
	// retried watches would only interleave with its output.
	klog.SetLogger(logr.Discard())

	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = opts.Kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	overrides.Context.Namespace = opts.Namespace
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)

	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w: name your cluster's file with "+
			"--kubeconfig or $KUBECONFIG, or run the system without a cluster with --target local", err)
	}
	name := opts.Context
	if name == "" {
		name = raw.CurrentContext
	}
	if err := checkContext(raw.Contexts, name, opts.Kubeconfig); err != nil {
		return nil, err
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading context %q from the kubeconfig: %w", name, err)
	}
	// client-go's default of 5 requests a second would throttle applying a
	// dozen objects; kubectl raises it likewise.
	cfg.QPS, cfg.Burst = 50, 300
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, fmt.Errorf("reading the namespace of context %q: %w", name, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("building a client for context %q: %w", name, err)
	}
	return &Cluster{Clientset: cs, Config: cfg, Context: name, Server: cfg.Host, Namespace: ns}, nil
}

func checkContext[T any](contexts map[string]T, name, path string) error {
	where := "the kubeconfig ($KUBECONFIG or ~/.kube/config)"
	if path != "" {
		where = path
	}
	if len(contexts) == 0 {
		return fmt.Errorf("found no cluster: %s names no context, or does not exist: name your "+
			"cluster's file with --kubeconfig or $KUBECONFIG, or run the system without a cluster "+
			"with --target local", where)
	}
	if name == "" {
		return fmt.Errorf("no current context in %s: pass --context or run "+
			"\"kubectl config use-context NAME\"", where)
	}
	if _, ok := contexts[name]; !ok {
		names := make([]string, 0, len(contexts))
		for n := range contexts {
			names = append(names, n)
		}
		return fmt.Errorf("context %q is not in %s (contexts: %v): pass an existing --context "+
			"or --kubeconfig", name, where, names)
	}
	return nil
}

// Check contacts the API server once and explains a failure.
func (c *Cluster) Check(ctx context.Context) error {
	if _, err := c.Clientset.Discovery().ServerVersion(); err != nil {
		return c.Explain(err)
	}
	return ctx.Err()
}

// Explain turns an error from the API server into one message that names
// the context and server and says what to do. Other errors come back as
// they are.
func (c *Cluster) Explain(err error) error {
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("context %q (server %s)", c.Context, c.Server)
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the cluster of %s refused the request: %w; ask for the rights "+
			"named above or use another --context or -n/--namespace", where, err)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster of %s did not accept the credentials: %w; "+
			"log in again or refresh the kubeconfig", where, err)
	case unreachable(err):
		return fmt.Errorf("cannot reach the cluster of %s: %w; start the cluster or "+
			"choose another with --context or --kubeconfig", where, err)
	case errors.Is(err, ErrRolloutTimeout):
		return fmt.Errorf("%w, on the cluster of %s", err, where)
	}
	return err
}

func unreachable(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.As(err, &opErr) || errors.As(err, &dnsErr) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}
