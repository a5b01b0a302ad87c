package tui

import (
	"context"
	"io"
	"time"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/event"
)

// Doctor diagnoses pods and applies safe fixes, as "blogctl doctor" does.
type Doctor interface {
	// Diagnose explains what is wrong with pod, if anything.
	Diagnose(ctx context.Context, pod *corev1.Pod) (Diagnosis, error)
	// Fix applies the safe fix of the diagnosis of pod and says what it did.
	Fix(ctx context.Context, pod *corev1.Pod) (string, error)
}

// Diagnosis is the doctor's finding about one pod, ready to show.
type Diagnosis struct {
	// Summary is one line: the reason, or that the pod is healthy.
	Summary string
	// Details are the lines under it: cause, evidence, suggested fix.
	Details []string
	// Fix describes the safe fix that "f" applies; empty when there is none.
	Fix string
}

// Cluster carries out the actions that change or read a cluster.
type Cluster interface {
	// Restart restarts the rollout of a deployment.
	Restart(ctx context.Context, namespace, name string) error
	// Logs follows a pod's logs.
	Logs(ctx context.Context, pod *corev1.Pod) (io.ReadCloser, error)
}

// Config is what a dashboard shows and acts on.
type Config struct {
	// Title heads the screen: target, context, namespace.
	Title     string
	Namespace string
	// Kubernetes selects the panes: deployments, pods and Kubernetes events
	// when true; the services of a local or Docker system when false.
	Kubernetes bool
	// Target names the target of a local or Docker system, "local" or
	// "docker", in what the dashboard says of keys that do nothing there.
	Target string
	// Color allows colour; the content is the same without it.
	Color bool

	// Feed carries the sources' messages. Nil in tests that send messages
	// to the model themselves.
	Feed    <-chan tea.Msg
	Doctor  Doctor
	Cluster Cluster
	// ServiceLogs follows the logs of a local or Docker service; nil when
	// the target has none to show.
	ServiceLogs func(ctx context.Context, service string) (io.ReadCloser, error)
	// Now is the clock for ages; nil means time.Now.
	Now func() time.Time
	// Context bounds the actions the dashboard starts; nil means
	// context.Background.
	Context context.Context
}

// state is what the screen shows.
type state int

const (
	stateDashboard state = iota
	stateFilter
	stateConfirm
	stateHelp
	stateDiagnosis
	stateLogs
	// stateText shows a text in full: an event, a long result.
	stateText
)

// maxBlogEvents is how many of the bus's latest events the dashboard keeps.
const maxBlogEvents = 500

// Model is the dashboard: the root bubbletea model.
type Model struct {
	cfg   Config
	st    styles
	state state
	width int
	// height is the terminal's height.
	height int

	panes []*pane
	focus int

	deployments []*appsv1.Deployment
	pods        []*corev1.Pod
	kubeEvents  []*corev1.Event
	blog        []event.Event
	// services are the local or Docker services as last read.
	services []ServiceStatus

	// lost holds, per source, why its connection is down, and where the
	// source was looked for.
	lost  map[string]error
	where map[string]string
	// kubeLostAt is when the API server was lost; zero while it answers.
	// The Kubernetes panes show their ages as of then, marked stale.
	kubeLostAt time.Time
	// missing marks the sources of lost that were never there.
	missing map[string]bool
	message string
	// footerHeight is how many lines the footer takes.
	footerHeight int

	filter  string
	confirm *confirmation
	detail  detail
}

// confirmation is an action waiting for "y".
type confirmation struct {
	prompt string
	run    tea.Cmd
}

// New returns a dashboard of cfg at the size of 80x24 until the terminal
// says otherwise.
func New(cfg Config) *Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	m := &Model{cfg: cfg, st: newStyles(cfg.Color), lost: map[string]error{}, missing: map[string]bool{},
		where: map[string]string{}}
	if cfg.Target == "" && !cfg.Kubernetes {
		m.cfg.Target = "local"
	}
	if cfg.Kubernetes {
		m.panes = []*pane{newDeploymentsPane(), newPodsPane(), newKubeEventsPane(), newBlogPane()}
	} else {
		m.panes = []*pane{newServicesPane(), newBlogPane()}
	}
	m.detail.vp = viewport.New()
	m.detail.vp.SoftWrap = true
	m.SetSize(80, 24)
	return m
}

// Panes of the Kubernetes layout, by index.
const (
	paneDeployments = 0
	panePods        = 1
	paneKubeEvents  = 2
)

// synced says, once a list has come, that an empty pane is empty rather
// than still waiting for the cluster.
func (m *Model) synced(pane int, kind string) {
	if m.cfg.Kubernetes {
		m.panes[pane].empty = "no " + kind + " in namespace " + m.cfg.Namespace
	}
}

// Init starts listening to the feed and, on Kubernetes, the tick that
// keeps ages current.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.cfg.Feed != nil {
		cmds = append(cmds, listen(m.cfg.Feed))
	}
	if m.cfg.Kubernetes {
		cmds = append(cmds, tick(time.Second))
	}
	return tea.Batch(cmds...)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		m.fitFooter()
		return m, nil
	case tea.KeyPressMsg:
		cmd := m.handleKey(msg)
		m.fitFooter()
		return m, cmd
	case tickMsg:
		m.refreshRows()
		return m, tick(time.Second)
	case diagnosisMsg:
		m.showDiagnosis(msg)
		return m, nil
	case actionDoneMsg:
		m.actionDone(msg)
		m.fitFooter()
		return m, nil
	case logLineMsg, logEndMsg:
		return m, m.detail.handleLog(msg)
	}
	if m.handleData(msg) && m.cfg.Feed != nil {
		return m, listen(m.cfg.Feed)
	}
	return m, nil
}

// handleData takes in a source's message and reports whether it was one.
func (m *Model) handleData(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case DeploymentsMsg:
		m.deployments = msg.Items
		m.synced(paneDeployments, "deployments")
	case PodsMsg:
		m.pods = msg.Items
		m.synced(panePods, "pods")
	case KubeEventsMsg:
		m.kubeEvents = msg.Items
		m.synced(paneKubeEvents, "events")
	case ServicesMsg:
		m.services = msg.Items
		m.refreshServices()
		return true
	case BlogEventsMsg:
		m.addBlogEvents(msg)
	case ConnMsg:
		m.connection(msg)
	default:
		return false
	}
	m.refreshRows()
	return true
}

// connection shows a lost or recovered connection in the banners, and
// marks the Kubernetes panes stale while the API server is lost.
func (m *Model) connection(msg ConnMsg) {
	if msg.Err != nil {
		m.lost[msg.Source], m.missing[msg.Source], m.where[msg.Source] = msg.Err, msg.Missing, msg.Where
	} else {
		delete(m.lost, msg.Source)
		delete(m.missing, msg.Source)
		delete(m.where, msg.Source)
	}
	if msg.Source == sourceKubernetes {
		switch {
		case msg.Err == nil:
			m.kubeLostAt = time.Time{}
		case m.kubeLostAt.IsZero():
			m.kubeLostAt = m.cfg.Now()
		}
	}
	m.refreshServices()
	m.SetSize(m.width, m.height)
}

func (m *Model) addBlogEvents(msg BlogEventsMsg) {
	if msg.Reset {
		m.blog = nil
	}
	m.blog = append(m.blog, msg.Events...)
	if n := len(m.blog) - maxBlogEvents; n > 0 {
		m.blog = append([]event.Event(nil), m.blog[n:]...)
	}
}

// refreshServices rebuilds the services' rows. While the system cannot be
// read, the last states are stale: every service shows as unknown.
func (m *Model) refreshServices() {
	if m.cfg.Kubernetes {
		return
	}
	items := m.services
	if m.servicesLost() {
		items = make([]ServiceStatus, len(m.services))
		for i, s := range m.services {
			items[i] = ServiceStatus{Name: s.Name, State: StateUnknown, Health: HealthUnknown, Address: s.Address}
		}
	}
	m.panes[0].SetRows(serviceRows(items))
	m.layout()
}

// servicesLost reports whether the local or Docker system cannot be read:
// a lost source other than the event bus.
func (m *Model) servicesLost() bool {
	for s := range m.lost {
		if s != sourceBus {
			return true
		}
	}
	return false
}

// refreshRows rebuilds the rows from the objects, with current ages.
func (m *Model) refreshRows() {
	blog := m.panes[len(m.panes)-1]
	blog.SetRows(blogRows(m.blog))
	if !m.cfg.Kubernetes {
		m.layout()
		return
	}
	now, stale := m.cfg.Now(), ""
	if !m.kubeLostAt.IsZero() {
		now, stale = m.kubeLostAt, "STALE, as of "+m.kubeLostAt.Format(time.TimeOnly)
	}
	for _, i := range []int{paneDeployments, panePods, paneKubeEvents} {
		m.panes[i].stale = stale
	}
	m.panes[paneDeployments].SetRows(deploymentRows(m.deployments))
	m.panes[panePods].SetRows(podRows(m.pods, now))
	m.panes[paneKubeEvents].SetRows(kubeEventRows(m.kubeEvents, now))
	m.layout()
}

// SetSize lays the screen out for a terminal of width x height.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.layout()
}

// layout shares the lines under the banners among the panes by weight,
// then gives the lines a pane does not need to the panes that need more,
// one at a time in turn, so that no pane keeps blank lines while another's
// rows are cut.
func (m *Model) layout() {
	body := max(m.height-1-max(m.footerHeight, 1)-len(m.banners()), 0)
	weights := []int{5, 7, 5, 5}
	if !m.cfg.Kubernetes {
		weights = []int{9, 13}
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	hs := make([]int, len(m.panes))
	spare := body
	for i := range m.panes {
		hs[i] = body * weights[i] / total
		spare -= hs[i]
	}
	for i, p := range m.panes {
		if need := p.need(); hs[i] > need {
			spare += hs[i] - need
			hs[i] = need
		}
	}
	for spare > 0 {
		gave := false
		for i, p := range m.panes {
			if spare > 0 && hs[i] < p.need() {
				hs[i]++
				spare--
				gave = true
			}
		}
		if !gave {
			break
		}
	}
	hs[len(hs)-1] += spare
	for i, p := range m.panes {
		p.SetSize(m.width, hs[i])
	}
	m.detail.SetSize(m.width, body)
}

func (m *Model) focused() *pane { return m.panes[m.focus] }

func (m *Model) selectedPod() *corev1.Pod {
	if !m.cfg.Kubernetes || m.focus != panePods {
		return nil
	}
	name := m.focused().Selected()
	for _, p := range m.pods {
		if p.Name == name {
			return p
		}
	}
	return nil
}
