package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/blogctl/blogctl/internal/deploy/kube"
	"github.com/blogctl/blogctl/internal/event"
)

func newDeploymentsPane() *pane {
	return newPane("Deployments", "waiting for the cluster…",
		column{title: "NAME", width: 16, upTo: 32}, column{title: "READY", width: 5},
		column{title: "UP-TO-DATE", width: 10}, column{title: "AVAILABLE", width: 9},
		column{title: "IMAGE"})
}

func newPodsPane() *pane {
	return newPane("Pods", "waiting for the cluster…",
		column{title: "NAME", fit: true}, column{title: "READY", width: 5},
		column{title: "STATUS", width: 16, upTo: 26}, column{title: "RESTARTS", width: 8, upTo: 15},
		column{title: "AGE", width: 5})
}

func newKubeEventsPane() *pane {
	p := newPane("Kubernetes events", "no events yet",
		column{title: "AGE", width: 4}, column{title: "TYPE", width: 6},
		column{title: "REASON", width: 14, upTo: 24}, column{title: "OBJECT", width: 20, upTo: 48},
		column{title: "MESSAGE"})
	p.newestFirst = true
	return p
}

func newBlogPane() *pane {
	p := newPane("Blog events", "no blog events yet",
		column{title: "SEQ", width: 4, upTo: 8}, column{title: "TYPE", width: 14, upTo: 20},
		column{title: "SUMMARY"})
	p.newestFirst = true
	return p
}

func newServicesPane() *pane {
	return newPane("Services", "waiting for the services…",
		column{title: "NAME", width: 10, upTo: 20}, column{title: "STATE", width: 7, upTo: 9},
		column{title: "HEALTH", width: 12, upTo: 17}, column{title: "RESTARTS", width: 8, upTo: 8},
		column{title: "ADDRESS"})
}

func deploymentRows(items []*appsv1.Deployment) []row {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b *appsv1.Deployment) int { return strings.Compare(a.Name, b.Name) })
	rows := make([]row, 0, len(items))
	for _, d := range items {
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		image := ""
		if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 {
			image = cs[0].Image
		}
		s := d.Status
		rows = append(rows, row{
			key: d.Name,
			cells: []string{d.Name, fmt.Sprintf("%d/%d", s.ReadyReplicas, want),
				i32(s.UpdatedReplicas), i32(s.AvailableReplicas), image},
			warn: s.ReadyReplicas < want,
		})
	}
	return rows
}

func podRows(items []*corev1.Pod, now time.Time) []row {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	rows := make([]row, 0, len(items))
	for _, p := range items {
		ready, total := kube.PodReady(p)
		status := kube.PodStatus(p)
		rows = append(rows, row{
			key: p.Name,
			cells: []string{p.Name, fmt.Sprintf("%d/%d", ready, total), status,
				kube.PodRestartsText(p, now), age(now, p.CreationTimestamp.Time)},
			warn: status != "Completed" && (status != "Running" || ready < total),
		})
	}
	return rows
}

// kubeEventRows lists events newest first; a warning says WARN in its TYPE
// column. Events of the same second keep their order from one redraw to
// the next: the informer's list comes in any order, so ties are broken
// by name, whose suffix grows with time for events of one object.
func kubeEventRows(items []*corev1.Event, now time.Time) []row {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b *corev1.Event) int {
		if c := lastSeen(b).Compare(lastSeen(a)); c != 0 {
			return c
		}
		return strings.Compare(b.Name, a.Name)
	})
	rows := make([]row, 0, len(items))
	for _, e := range items {
		typ := e.Type
		warn := e.Type == corev1.EventTypeWarning
		if warn {
			typ = "WARN"
		}
		obj := strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
		msg := strings.Join(strings.Fields(e.Message), " ")
		rows = append(rows, row{
			key:   e.Name,
			cells: []string{age(now, lastSeen(e)), typ, e.Reason, obj, msg},
			warn:  warn,
		})
	}
	return rows
}

// lastSeen is when an event last happened, whichever API version wrote it.
func lastSeen(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// blogRows lists the bus's events newest first.
func blogRows(evs []event.Event) []row {
	rows := make([]row, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		seq := strconv.FormatUint(ev.Seq, 10)
		rows = append(rows, row{key: blogKey(ev), cells: []string{seq, ev.Type, summary(ev)}})
	}
	return rows
}

// summary says in a few words what an event of the contract is about.
func summary(ev event.Event) string {
	switch ev.Type {
	case event.PostCreated:
		p, err := event.DataAs[event.Post](ev)
		if err == nil {
			return fmt.Sprintf("post %s %q", p.ID, p.Title)
		}
	case event.CommentCreated, event.CommentModerated, event.CommentUpdated:
		c, err := event.DataAs[event.Comment](ev)
		if err == nil {
			return fmt.Sprintf("comment %s on %s %s %q", c.ID, c.PostID, c.Status, c.Content)
		}
	}
	return string(ev.Data)
}

func serviceRows(items []ServiceStatus) []row {
	rows := make([]row, 0, len(items))
	for _, s := range items {
		health, restarts := s.Health, strconv.Itoa(s.Restarts)
		if !s.Healthy() {
			health = "WARN " + health
		}
		if s.Health == HealthUnknown {
			restarts = "-"
		}
		rows = append(rows, row{
			key:   s.Name,
			cells: []string{s.Name, s.State, health, restarts, s.Address},
			warn:  !s.Healthy(),
		})
	}
	return rows
}

func i32(n int32) string { return strconv.Itoa(int(n)) }
