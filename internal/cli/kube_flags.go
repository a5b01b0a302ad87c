//go:build !serveonly

package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/deploy/manifest"
)

// kubeFlags are the cluster flags every Kubernetes command takes, as in
// kubectl.
type kubeFlags struct {
	kubeconfig string
	context    string
	namespace  string
}

func (f *kubeFlags) addFlags(cmd *cobra.Command) { f.addTo(cmd.Flags()) }

// addPersistentFlags adds the cluster flags to cmd and every command
// under it, as kubectl's rollout takes -n before its subcommand.
func (f *kubeFlags) addPersistentFlags(cmd *cobra.Command) { f.addTo(cmd.PersistentFlags()) }

func (f *kubeFlags) addTo(fs *pflag.FlagSet) {
	fs.StringVar(&f.kubeconfig, "kubeconfig", "",
		"kubernetes: path of the kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&f.context, "context", "",
		"kubernetes: kubeconfig context to use (default the current context)")
	fs.StringVarP(&f.namespace, "namespace", "n", "",
		"kubernetes: namespace (default the context's, or default)")
}

// commandArgs are the cluster flags a command that blogctl prints for the
// user to run needs to reach the same objects: -n with the namespace
// always, --context and --kubeconfig when they were given (by flag or
// environment).
func (f *kubeFlags) commandArgs(namespace string) []string {
	var args []string
	if namespace != "" {
		args = append(args, "-n", namespace)
	}
	if f.context != "" {
		args = append(args, "--context", f.context)
	}
	if f.kubeconfig != "" {
		args = append(args, "--kubeconfig", f.kubeconfig)
	}
	return args
}

func (f *kubeFlags) connect() (*kube.Cluster, error) {
	return kube.Connect(kube.ConnectOptions{
		Kubeconfig: f.kubeconfig, Context: f.context, Namespace: f.namespace,
	})
}

// manifestFlags set what "blogctl manifests" and "blogctl up" render.
type manifestFlags struct {
	serviceTypes  []string
	externalNames []string
	noStorage     bool
	storageClass  string
	storageSize   string
	ingressHost   string
	nodePort      int
	replicas      int
}

func (f *manifestFlags) addFlags(cmd *cobra.Command) {
	def := manifest.DefaultConfig()
	fs := cmd.Flags()
	fs.StringSliceVar(&f.serviceTypes, "service-type", nil, "kubernetes: Service type, for all "+
		"(NodePort) or per service (client=LoadBalancer): ClusterIP, NodePort, LoadBalancer, ExternalName")
	fs.StringSliceVar(&f.externalNames, "external-name", nil,
		"kubernetes: host of an ExternalName service, as event-bus=bus.example.com")
	fs.BoolVar(&f.noStorage, "no-storage-class", false,
		"kubernetes: keep the event log in an emptyDir, for clusters with no storage class; "+
			"the log then lasts only as long as the bus's pod, and the services rebuild from the new one")
	fs.StringVar(&f.storageClass, "storage-class", "",
		"kubernetes: storage class of the event log's claim")
	fs.StringVar(&f.storageSize, "storage-size", def.StorageSize,
		"kubernetes: size of the event log's claim")
	fs.StringVar(&f.ingressHost, "ingress-host", def.IngressHost,
		"kubernetes: host name of the Ingress")
	fs.IntVar(&f.nodePort, "posts-node-port", 0,
		"kubernetes: node port of posts-srv (default: the cluster picks)")
	fs.IntVar(&f.replicas, "replicas", def.Replicas,
		"kubernetes: replicas of each stateless service")
}

// config turns the flags into a manifest configuration.
func (f *manifestFlags) config() (manifest.Config, error) {
	c := manifest.DefaultConfig()
	if f.noStorage && f.storageClass != "" {
		return c, fmt.Errorf("--no-storage-class keeps the bus's log in an emptyDir, and --storage-class %q "+
			"asks for a claim of that class: give one of them", f.storageClass)
	}
	c.NoStorageClass, c.StorageClass, c.StorageSize = f.noStorage, f.storageClass, f.storageSize
	c.IngressHost, c.PostsNodePort, c.Replicas = f.ingressHost, f.nodePort, f.replicas
	if err := f.serviceTypesInto(&c); err != nil {
		return c, err
	}
	c.ExternalNames = map[string]string{}
	for _, v := range f.externalNames {
		name, host, ok := strings.Cut(v, "=")
		if !ok {
			return c, fmt.Errorf("reading --external-name %q: "+
				"write SERVICE=HOST, as event-bus=bus.example.com", v)
		}
		c.ExternalNames[name] = host
	}
	return c, c.Validate()
}

// serviceTypesInto reads --service-type into c, refusing a service, or
// the type of all, given two different types.
func (f *manifestFlags) serviceTypesInto(c *manifest.Config) error {
	c.ServiceTypes = map[string]corev1.ServiceType{}
	var all string
	for _, v := range f.serviceTypes {
		name, typ, ok := strings.Cut(v, "=")
		if !ok {
			if all != "" && all != v {
				return fmt.Errorf("reading --service-type: the type of every service is given twice, "+
					"as %s and as %s: give one", all, v)
			}
			all, c.ServiceType = v, corev1.ServiceType(v)
			continue
		}
		if prev, dup := c.ServiceTypes[name]; dup && string(prev) != typ {
			return fmt.Errorf("reading --service-type: service %s is given two types, %s=%s and %s=%s: "+
				"give one", name, name, prev, name, typ)
		}
		c.ServiceTypes[name] = corev1.ServiceType(typ)
	}
	return nil
}

// explainRollout prints a failed rollout's diagnosis on w and returns the
// error the command ends with; a rollout that ran out of time says how to
// see why. fixCmd is the doctor command that applies the fix, as
// doctorFixCommand gives it.
func explainRollout(w io.Writer, err error, fixCmd string) error {
	var re *kube.RolloutError
	if !errors.As(err, &re) {
		return err
	}
	if re.Finding == nil {
		if errors.Is(err, kube.ErrRolloutTimeout) {
			doctor := strings.Replace(fixCmd, "blogctl doctor --fix", "blogctl doctor", 1)
			err = fmt.Errorf("%w; see why its pods are not ready with %q, or wait longer with --timeout", err, doctor)
		}
		return err
	}
	printFinding(w, re.Finding, fixCmd)
	return fmt.Errorf("deployment %s: %w: %s: %s", re.Deployment, re.Err, re.Finding.Reason, re.Finding.Cause)
}

// printFinding writes a finding as the doctor shows it, naming fixCmd
// when the finding has a fix that command applies. A fix to apply later,
// once the user has done a step first, names fixCmd in full too, since the
// plain "blogctl doctor --fix" would look in another namespace or cluster.
func printFinding(w io.Writer, f *diagnose.Finding, fixCmd string) {
	fmt.Fprintf(w, "%s\n  cause: %s\n", f.String(), f.Cause)
	for _, e := range f.Evidence {
		fmt.Fprintf(w, "  evidence: %s\n", e)
	}
	fix := f.Fix
	if !f.Fixable() {
		fix = strings.ReplaceAll(fix, `"blogctl doctor --fix"`, strconv.Quote(fixCmd))
	}
	fmt.Fprintf(w, "  fix: %s\n", fix)
	if f.Fixable() {
		fmt.Fprintf(w, "  %q can apply this fix\n", fixCmd)
	}
}

// doctorFixCommand is the "blogctl doctor --fix" command line that finds
// the manifest files in manifestsDir and the node's containerd at
// containerdAddress, leaving out what is the default, and reaches the
// cluster with clusterArgs, as kubeFlags.commandArgs gives them.
func doctorFixCommand(manifestsDir, containerdAddress string, clusterArgs []string) string {
	args := []string{"blogctl", "doctor", "--fix"}
	if manifestsDir != "" && filepath.Clean(manifestsDir) != filepath.Clean(kube.DefaultManifestsDir) {
		args = append(args, "--manifests-dir", manifestsDir)
	}
	if containerdAddress != "" {
		args = append(args, "--containerd-address", containerdAddress)
	}
	return commandLine(append(args, clusterArgs...)...)
}

// commandLine joins args into a line a POSIX shell reads back as args,
// quoting only what needs it.
func commandLine(args ...string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if a == "" || strings.ContainsFunc(a, needsQuote) {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

func needsQuote(r rune) bool {
	plain := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-_./:=,@+%", r)
	return !plain
}

const defaultRolloutTimeout = 5 * time.Minute

// timeoutValue is a --timeout value.
type timeoutValue struct{ time.Duration }

// timeoutFlag is --timeout, as in kubectl.
type timeoutFlag struct{ value timeoutValue }

func (f *timeoutFlag) addFlag(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&f.value.Duration, "timeout", defaultRolloutTimeout,
		"how long to wait for the rollout")
}
