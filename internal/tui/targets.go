package tui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/client"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/diagnose"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/local"
)

// KubeDoctor is the Doctor of "blogctl doctor": package diagnose.
type KubeDoctor struct {
	Clientset kubernetes.Interface
	// NewFixer builds the doctor's fixer when a fix is asked for, and
	// returns a function that releases what it holds. Nil leaves fixes to
	// "blogctl doctor --fix".
	NewFixer func(ctx context.Context) (x *diagnose.Fixer, done func(), err error)
}

// errNoFixer says that the dashboard was started without a fixer.
var errNoFixer = errors.New("the dashboard cannot apply fixes here: run blogctl doctor --fix")

// live returns the pod as the API server has it now: the dashboard's copy
// may lag a watch behind, and the doctor must judge the pod as it is.
func (d *KubeDoctor) live(ctx context.Context, pod *corev1.Pod) *corev1.Pod {
	fresh, err := d.Clientset.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		return pod
	}
	return fresh
}

// Diagnose runs the doctor on pod. It offers a safe fix only when the
// doctor's fixer, reviewing the finding as "blogctl doctor" does, would
// apply one here.
func (d *KubeDoctor) Diagnose(ctx context.Context, pod *corev1.Pod) (Diagnosis, error) {
	pod = d.live(ctx, pod)
	f := diagnose.Pod(ctx, d.Clientset, pod)
	if f == nil {
		return Diagnosis{Summary: healthySummary(pod)}, nil
	}
	d.review(ctx, f)
	out := Diagnosis{Summary: f.String(), Details: []string{"Cause: " + f.Cause}}
	if len(f.Evidence) > 0 {
		out.Details = append(out.Details, "Evidence:")
		for _, e := range f.Evidence {
			out.Details = append(out.Details, "  "+e)
		}
	}
	out.Details = append(out.Details, "Fix: "+f.Fix)
	if f.Fixable() {
		out.Fix = f.Fix
	}
	return out, nil
}

// review keeps a finding's safe fix only if the fixer would apply it: it
// builds the fixer, reviews the finding with the fixer's environment and
// releases it. A fixer that cannot be built, or none, takes the safe fix
// away and says why in the fix line.
func (d *KubeDoctor) review(ctx context.Context, f *diagnose.Finding) {
	if !f.Fixable() {
		return
	}
	if d.NewFixer == nil {
		f.AutoFix = diagnose.FixNone
		f.Fix += " (" + errNoFixer.Error() + ")"
		return
	}
	x, done, err := d.NewFixer(ctx)
	if err != nil {
		f.AutoFix = diagnose.FixNone
		f.Fix += " (the dashboard cannot apply it: " + err.Error() + ")"
		return
	}
	defer done()
	diagnose.Review(ctx, []*diagnose.Finding{f}, x.Env)
}

// healthySummary says of a pod the doctor finds nothing wrong with
// whether it is ready, or still on its way.
func healthySummary(pod *corev1.Pod) string {
	status := kube.PodStatus(pod)
	ready, total := kube.PodReady(pod)
	switch {
	case status == "Running" && ready == total:
		return "pod " + pod.Name + " is running and ready: nothing to fix"
	case status == "Completed":
		return "pod " + pod.Name + " has completed: nothing to fix"
	}
	return "pod " + pod.Name + " is still starting (" + status + "): nothing to fix yet"
}

// Fix applies the doctor's safe fix to pod, as "blogctl doctor --fix"
// does, and says what it did.
func (d *KubeDoctor) Fix(ctx context.Context, pod *corev1.Pod) (string, error) {
	pod = d.live(ctx, pod)
	f := diagnose.Pod(ctx, d.Clientset, pod)
	if f == nil {
		return "pod " + pod.Name + " needs no fix: it is " + kube.PodStatus(pod), nil
	}
	if !f.Fixable() {
		return "", fmt.Errorf("%s: %w: %s", pod.Name, diagnose.ErrNoSafeFix, f.Fix)
	}
	if d.NewFixer == nil {
		return "", errNoFixer
	}
	x, done, err := d.NewFixer(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	plan, err := x.Fix(ctx, f)
	if err != nil {
		return "", err
	}
	steps := make([]string, len(plan.Steps))
	for i, s := range plan.Steps {
		steps[i] = s.String()
	}
	return "fixed pod " + pod.Name + ": " + strings.Join(steps, "; "), nil
}

// KubeBusClient returns a client of the event bus inside the cluster,
// reached through the API server's proxy to its Service, so no port needs
// forwarding and a restarted bus pod is found again by itself.
func KubeBusClient(cfg *rest.Config, namespace string) (*event.Client, error) {
	bus, err := blog.Lookup(blog.EventBus)
	if err != nil {
		return nil, err
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("building an HTTP client for the API server: %w", err)
	}
	base := fmt.Sprintf("%s/api/v1/namespaces/%s/services/%s:%d/proxy",
		strings.TrimSuffix(cfg.Host, "/"), namespace, bus.ServiceName, bus.Port)
	return event.NewClient(base, hc), nil
}

// LocalServices lists the services of the local system running from
// dataDir, with their health.
func LocalServices(dataDir string) func(context.Context) ([]ServiceStatus, error) {
	return func(ctx context.Context) ([]ServiceStatus, error) {
		hs, err := local.Status(ctx, dataDir)
		if err != nil {
			return nil, LocalError(err, dataDir)
		}
		out := make([]ServiceStatus, 0, len(hs))
		for _, h := range hs {
			s := ServiceStatus{Name: h.Name, State: "running", Health: HealthReady, Address: h.URL,
				Restarts: h.Restarts}
			switch h.Health {
			case local.Down:
				s.State, s.Health = "down", HealthUnreachable
			case local.NotReady:
				s.Health = HealthNotReady
			}
			out = append(out, s)
		}
		return out, nil
	}
}

// LocalBusClient returns a client of the event bus of the local system
// running from dataDir.
func LocalBusClient(dataDir string) (*event.Client, error) {
	st, err := local.ReadState(dataDir)
	if err != nil {
		return nil, LocalError(err, dataDir)
	}
	for _, s := range st.Services {
		if s.Name == blog.EventBus {
			return event.NewClient(s.URL, nil), nil
		}
	}
	return nil, fmt.Errorf("the local system's state file names no %s: restart it with %q",
		blog.EventBus, localUpCommand(dataDir))
}

// LocalError gives an error that says the local system of dataDir is not
// running the command that starts that system, with its --data-dir.
func LocalError(err error, dataDir string) error {
	if !errors.Is(err, local.ErrNotRunning) {
		return err
	}
	return fmt.Errorf("%w from %s: start it with %q", local.ErrNotRunning, dataDir, localUpCommand(dataDir))
}

// localUpCommand is the command that starts the local system of dataDir.
func localUpCommand(dataDir string) string {
	cmd := "blogctl up --target local"
	if dataDir != "" && filepath.Clean(dataDir) != filepath.Clean(local.DefaultDataDir()) {
		if strings.ContainsAny(dataDir, " \t'\"$`\\*?&;|<>()") {
			dataDir = "'" + strings.ReplaceAll(dataDir, "'", `'\''`) + "'"
		}
		cmd += " --data-dir " + dataDir
	}
	return cmd
}

// DockerServices lists the containers of the Docker system with what the
// engine knows of their health.
func DockerServices(sys *dockertarget.System) func(context.Context) ([]ServiceStatus, error) {
	return func(ctx context.Context) ([]ServiceStatus, error) {
		rows, err := sys.Status(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]ServiceStatus, 0, len(rows))
		for _, r := range rows {
			out = append(out, ServiceStatus{
				Name: r.Service, State: r.State, Health: dockerHealth(r), Address: dockerAddress(r),
				Restarts: r.Restarts,
			})
		}
		return out, nil
	}
}

// DockerChanges watches the engine's events about the system's
// containers and kicks on each change (created, started, stopped, died,
// a new health status), so that the services pane need not poll often.
// It watches again after a lost stream, until ctx ends. It is nil when
// the engine's client cannot report events.
func DockerChanges(sys *dockertarget.System) func(ctx context.Context, kick func()) {
	engine, ok := sys.Engine.(eventSource)
	if !ok {
		return nil
	}
	project := cmp.Or(sys.Project, dockertarget.DefaultProject)
	return func(ctx context.Context, kick func()) {
		for ctx.Err() == nil {
			watchEngine(ctx, engine, project, kick)
			sleep(ctx, time.Second)
		}
	}
}

// eventSource is a Docker engine client that reports the engine's events.
type eventSource interface {
	Events(ctx context.Context, options client.EventsListOptions) client.EventsResult
}

// watchEngine kicks on the engine's events about the containers of
// project until the stream ends.
func watchEngine(ctx context.Context, engine eventSource, project string, kick func()) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := engine.Events(ctx, client.EventsListOptions{Filters: make(client.Filters).
		Add("type", "container").Add("label", dockertarget.LabelProject+"="+project)})
	for {
		select {
		case ev := <-res.Messages:
			// Health checks run as execs: their events change nothing.
			if !strings.HasPrefix(string(ev.Action), "exec_") {
				kick()
			}
		case <-res.Err:
			return
		case <-ctx.Done():
			return
		}
	}
}

// dockerHealth reads a container's health from its state and the engine's
// status line, "Up 2 minutes (healthy)".
func dockerHealth(r dockertarget.Row) string {
	switch {
	case r.State != "running":
		return HealthUnreachable
	case strings.Contains(r.Status, "(unhealthy)"), strings.Contains(r.Status, "(health: starting)"):
		return HealthNotReady
	}
	return HealthReady
}

// dockerAddress is where a container can be reached from this machine:
// the address it publishes, or else its name on the system's network.
func dockerAddress(r dockertarget.Row) string { return cmp.Or(r.URL, r.Container) }

// LocalServiceLogs follows the log file of a service of the local system
// running from dataDir.
func LocalServiceLogs(dataDir string) func(context.Context, string) (io.ReadCloser, error) {
	return func(ctx context.Context, name string) (io.ReadCloser, error) {
		st, err := local.ReadState(dataDir)
		if err != nil {
			return nil, err
		}
		for _, s := range st.Services {
			if s.Name == name && s.Log != "" {
				return followFile(ctx, s.Log, 250*time.Millisecond)
			}
		}
		return nil, fmt.Errorf("the local system keeps no log file for %s", name)
	}
}

// LocalBus finds the event bus of the local system running from dataDir,
// again after every loss, as the system may have restarted elsewhere.
func LocalBus(dataDir string) func(context.Context) (*event.Client, error) {
	return func(context.Context) (*event.Client, error) { return LocalBusClient(dataDir) }
}

// DockerServiceLogs follows a service container's logs.
func DockerServiceLogs(sys *dockertarget.System) func(context.Context, string) (io.ReadCloser, error) {
	return func(ctx context.Context, name string) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(sys.Logs(ctx, name, true, pw)) }()
		return pr, nil
	}
}

// DockerBus finds the event bus container's address on the system's
// network, which this machine reaches directly, again after every loss, as
// a recreated container gets a new address.
func DockerBus(sys *dockertarget.System) func(context.Context) (*event.Client, error) {
	return func(ctx context.Context) (*event.Client, error) {
		bus, err := blog.Lookup(blog.EventBus)
		if err != nil {
			return nil, err
		}
		name := sys.ContainerName(bus.Name)
		res, err := sys.Engine.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		if err != nil {
			return nil, fmt.Errorf("finding the event bus container %s: %w: start the system with "+
				"blogctl up --target docker, or pass --event-bus-url", name, err)
		}
		if ns := res.Container.NetworkSettings; ns != nil {
			for _, ep := range ns.Networks {
				if ep != nil && ep.IPAddress.IsValid() {
					return event.NewClient(fmt.Sprintf("http://%s", net.JoinHostPort(ep.IPAddress.String(),
						strconv.Itoa(bus.Port))), nil), nil
				}
			}
		}
		return nil, fmt.Errorf("the event bus container %s has no address: is it running? "+
			"see blogctl status --target docker", name)
	}
}
