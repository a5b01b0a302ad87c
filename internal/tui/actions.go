package tui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
)

// actionTimeout bounds one diagnosis, fix or restart; a fix waits up to
// 90 s for its replacement pod.
const actionTimeout = 2 * time.Minute

// diagnose asks the doctor about the selected pod.
func (m *Model) diagnose() tea.Cmd {
	pod := m.selectedPod()
	if pod == nil {
		m.message = m.needPod("diagnose")
		return nil
	}
	if m.cfg.Doctor == nil {
		m.message = "diagnosis is not available here: run blogctl doctor"
		return nil
	}
	m.detail.open("Diagnosis of pod "+pod.Name, []string{"asking the doctor…"}, false)
	m.state = stateDiagnosis
	doctor, ctx := m.cfg.Doctor, m.cfg.Context
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		d, err := doctor.Diagnose(ctx, pod)
		return diagnosisMsg{pod: pod.Name, d: d, err: err}
	}
}

func (m *Model) showDiagnosis(msg diagnosisMsg) {
	if m.state != stateDiagnosis {
		return
	}
	if msg.err != nil {
		m.detail.open("Diagnosis of pod "+msg.pod, []string{"ERROR " + msg.err.Error()}, false)
		return
	}
	lines := append([]string{msg.d.Summary, ""}, msg.d.Details...)
	if msg.d.Fix != "" {
		lines = append(lines, "", "Safe fix (press esc, then f): "+msg.d.Fix)
	}
	m.detail.open("Diagnosis of pod "+msg.pod, lines, false)
}

// followLogs opens the selected pod's or service's logs, following.
func (m *Model) followLogs() tea.Cmd {
	if !m.cfg.Kubernetes {
		return m.followServiceLogs()
	}
	pod := m.selectedPod()
	if pod == nil {
		m.message = m.needPod("follow the logs of")
		return nil
	}
	if m.cfg.Cluster == nil {
		m.message = "logs are not available here: run blogctl logs"
		return nil
	}
	m.state = stateLogs
	m.detail.open("Logs of pod "+pod.Name+" (following)", nil, true)
	cluster := m.cfg.Cluster
	return m.detail.follow(m.cfg.Context, func(ctx context.Context) (lineSource, error) {
		return cluster.Logs(ctx, pod)
	})
}

// askRestart asks to confirm a rollout restart of the selected deployment.
func (m *Model) askRestart() {
	if !m.cfg.Kubernetes {
		m.message = m.notHere("rollout restarts are for Kubernetes deployments")
		return
	}
	if m.focus != paneDeployments || m.focused().Selected() == "" {
		m.message = "select a deployment in the Deployments pane first (tab moves between panes)"
		return
	}
	if m.cfg.Cluster == nil {
		m.message = "restarts are not available here"
		return
	}
	name, ns, cluster, ctx := m.focused().Selected(), m.cfg.Namespace, m.cfg.Cluster, m.cfg.Context
	m.ask(fmt.Sprintf("Restart the rollout of deployment %s?", name), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		err := cluster.Restart(ctx, ns, name)
		return actionDoneMsg{title: "Rollout restart of deployment " + name,
			what: "restarted the rollout of deployment " + name, err: err}
	})
}

// askFix asks to confirm the doctor's safe fix of the selected pod.
func (m *Model) askFix() {
	if !m.cfg.Kubernetes {
		m.message = m.notHere("the doctor's safe fix is for Kubernetes pods")
		return
	}
	pod := m.selectedPod()
	if pod == nil {
		m.message = m.needPod("fix")
		return
	}
	if m.cfg.Doctor == nil {
		m.message = "fixes are not available here: run blogctl doctor"
		return
	}
	doctor, ctx := m.cfg.Doctor, m.cfg.Context
	m.ask(fmt.Sprintf("Apply the doctor's safe fix to pod %s?", pod.Name), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		did, err := doctor.Fix(ctx, pod)
		return actionDoneMsg{title: "Safe fix of pod " + pod.Name, what: did, err: err}
	})
}

func (m *Model) ask(prompt string, run tea.Cmd) {
	m.confirm = &confirmation{prompt: prompt, run: run}
	m.state = stateConfirm
}

func (m *Model) needPod(action string) string {
	if !m.cfg.Kubernetes {
		return "there are no pods on this target"
	}
	return "select a pod in the Pods pane first to " + action + " it (tab moves between panes)"
}

func (m *Model) followServiceLogs() tea.Cmd {
	name := m.panes[0].Selected()
	if m.focus != 0 || name == "" {
		m.message = "select a service in the Services pane first (tab moves between panes)"
		return nil
	}
	if m.cfg.ServiceLogs == nil {
		m.message = "logs are not available here: run blogctl logs"
		return nil
	}
	m.state = stateLogs
	m.detail.open("Logs of "+name+" (following)", nil, true)
	logs := m.cfg.ServiceLogs
	return m.detail.follow(m.cfg.Context, func(ctx context.Context) (lineSource, error) {
		return logs(ctx, name)
	})
}
