package tui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/blogctl/blogctl/internal/event"
	"github.com/blogctl/blogctl/internal/services/bus"
	"github.com/blogctl/blogctl/internal/services/bus/bustest"
)

// waitFor reads out until a message satisfies ok, failing after a while.
func waitFor(t *testing.T, out <-chan tea.Msg, what string, ok func(tea.Msg) bool) tea.Msg {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case msg := <-out:
			if ok(msg) {
				return msg
			}
		case <-deadline:
			t.Fatalf("no message with %s within 10s", what)
			return nil
		}
	}
}

// TestKubeSourceWatches checks that the informers send the namespace's
// objects, and again on every change.
func TestKubeSourceWatches(t *testing.T) {
	pods := fixturePods()
	cs := fake.NewClientset(pods[0], fixtureDeployments()[0], fixtureKubeEvents()[1])
	out := make(chan tea.Msg, 16)
	(&KubeSource{Clientset: cs, Namespace: namespace}).Start(t.Context(), out)

	// The three lists come in any order.
	seen := map[string]bool{}
	waitFor(t, out, "the pod, the deployment and the warning", func(msg tea.Msg) bool {
		switch msg := msg.(type) {
		case PodsMsg:
			seen["pod"] = len(msg.Items) == 1
		case DeploymentsMsg:
			seen["deployment"] = len(msg.Items) == 1
		case KubeEventsMsg:
			seen["warning"] = len(msg.Items) == 1 && msg.Items[0].Type == corev1.EventTypeWarning
		}
		return seen["pod"] && seen["deployment"] && seen["warning"]
	})

	if _, err := cs.CoreV1().Pods(namespace).Create(t.Context(), pods[1], metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "the created pod", func(msg tea.Msg) bool {
		p, ok := msg.(PodsMsg)
		return ok && len(p.Items) == 2
	})
	if err := cs.CoreV1().Pods(namespace).Delete(t.Context(), pods[0].Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "the pod deleted", func(msg tea.Msg) bool {
		p, ok := msg.(PodsMsg)
		return ok && len(p.Items) == 1 && p.Items[0].Name == pods[1].Name
	})
}

// fakeAPIServer answers the API server's routes that the dashboard uses:
// /readyz, and lists and watches of deployments, pods and events, which
// hold pods. It can be stopped and started again on the same address.
type fakeAPIServer struct {
	t    *testing.T
	addr string
	pods []corev1.Pod
	// forbidReadyz answers /readyz with 403, as some clusters do.
	forbidReadyz bool

	mu    sync.Mutex
	srv   *httptest.Server
	quit  chan struct{}
	lists int
}

func (f *fakeAPIServer) start() {
	f.t.Helper()
	addr := f.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.t.Fatal(err)
	}
	quit := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, quit)
	}))
	srv.Listener = ln
	srv.Start()
	f.mu.Lock()
	f.srv, f.quit, f.addr, f.lists = srv, quit, ln.Addr().String(), 0
	f.mu.Unlock()
}

func (f *fakeAPIServer) stop() {
	f.mu.Lock()
	srv, quit := f.srv, f.quit
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		close(quit)
		srv.CloseClientConnections()
		srv.Close()
	}
}

func (f *fakeAPIServer) listCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

// serve answers one request. A watch that asks for the initial events, as
// client-go's reflectors do, gets them and the bookmark that ends them,
// then stays open until the server stops.
func (f *fakeAPIServer) serve(w http.ResponseWriter, r *http.Request, quit <-chan struct{}) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/readyz" && f.forbidReadyz {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}`))
		return
	}
	if r.URL.Path == "/readyz" || r.URL.Path == "/version" {
		_, _ = w.Write([]byte(`{"major":"1","minor":"34","gitVersion":"v1.34.0"}`))
		return
	}
	kind, apiVersion, items := "Event", "v1", []any{}
	switch {
	case strings.HasSuffix(r.URL.Path, "/deployments"):
		kind, apiVersion = "Deployment", "apps/v1"
	case strings.HasSuffix(r.URL.Path, "/pods"):
		kind = "Pod"
		for _, p := range f.pods {
			items = append(items, p)
		}
	}
	q := r.URL.Query()
	initial := q.Get("watch") != "true" || q.Get("sendInitialEvents") == "true"
	if initial {
		f.mu.Lock()
		f.lists++
		f.mu.Unlock()
	}
	if q.Get("watch") != "true" {
		_ = json.NewEncoder(w).Encode(map[string]any{"kind": kind + "List", "apiVersion": apiVersion,
			"metadata": map[string]string{"resourceVersion": "1"}, "items": items})
		return
	}
	enc := json.NewEncoder(w)
	if initial {
		for _, it := range items {
			_ = enc.Encode(map[string]any{"type": "ADDED", "object": it})
		}
		_ = enc.Encode(map[string]any{"type": "BOOKMARK", "object": map[string]any{
			"kind": kind, "apiVersion": apiVersion, "metadata": map[string]any{"resourceVersion": "1",
				"annotations": map[string]string{"k8s.io/initial-events-end": "true"}}}})
	}
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-quit:
	}
}

// TestKubeSourceHeartbeat stops and starts a fake API server under a
// KubeSource: the heartbeat says the server is lost, then back, and the
// panes are listed afresh at once rather than after client-go's backoff.
func TestKubeSourceHeartbeat(t *testing.T) {
	for _, forbid := range []bool{false, true} {
		t.Run("readyz forbidden "+strconv.FormatBool(forbid), func(t *testing.T) { testHeartbeat(t, forbid) })
	}
}

func testHeartbeat(t *testing.T, forbidReadyz bool) {
	api := &fakeAPIServer{t: t, pods: []corev1.Pod{*fixturePods()[0]}, forbidReadyz: forbidReadyz}
	api.start()
	t.Cleanup(api.stop)
	url := "http://" + api.addr
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: url, QPS: 100, Burst: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan tea.Msg, 64)
	src := &KubeSource{Clientset: cs, Namespace: namespace, Server: url, Heartbeat: 50 * time.Millisecond}
	src.Start(t.Context(), out)
	isPods := func(msg tea.Msg) bool {
		p, ok := msg.(PodsMsg)
		return ok && len(p.Items) == 1
	}
	waitFor(t, out, "the pod", isPods)

	api.stop()
	lost := waitFor(t, out, "the loss", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Err != nil
	}).(ConnMsg)
	if lost.Source != sourceKubernetes || lost.Where != url {
		t.Errorf("loss = %+v, want the %s at %s", lost, sourceKubernetes, url)
	}

	api.start()
	waitFor(t, out, "the recovery", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Source == sourceKubernetes && c.Err == nil
	})
	waitFor(t, out, "the pod listed afresh", isPods)
	if api.listCount() < 3 {
		t.Errorf("the restarted server answered %d lists, want the three kinds listed again", api.listCount())
	}
}

// TestBusSourceFollows publishes to a real bus and sees the events arrive,
// then stops the bus, sees the banner, restarts it and sees it go.
func TestBusSourceFollows(t *testing.T) {
	dir := t.TempDir()
	url, stop := bustest.Serve(t, bus.Config{DataDir: dir})
	client := event.NewClient(url, nil)
	out := make(chan tea.Msg, 16)
	(&BusSource{Client: client, Wait: 2 * time.Second, Retry: 50 * time.Millisecond}).Start(t.Context(), out)

	ev, err := event.New(event.PostCreated, "", event.Post{ID: "1a2b3c4d", Title: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Publish(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, out, "the post", func(msg tea.Msg) bool {
		_, ok := msg.(BlogEventsMsg)
		return ok
	}).(BlogEventsMsg)
	if len(got.Events) != 1 || summary(got.Events[0]) != `post 1a2b3c4d "first"` {
		t.Fatalf("events = %+v, want the post", got.Events)
	}

	stop()
	waitFor(t, out, "the loss", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Source == sourceBus && c.Err != nil
	})
	url2, _ := bustest.Serve(t, bus.Config{DataDir: dir, Addr: url[len("http://"):]})
	if url2 != url {
		t.Fatalf("the bus came back at %s, want %s", url2, url)
	}
	waitFor(t, out, "the recovery", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Source == sourceBus && c.Err == nil
	})
}

// TestServiceSourceSendsChanges checks that an unchanged list is sent once
// and a change again, and that a failing list shows as a lost connection.
func TestServiceSourceSendsChanges(t *testing.T) {
	lists := make(chan []ServiceStatus, 4)
	up := []ServiceStatus{{Name: "posts", State: "running", Health: HealthReady}}
	down := []ServiceStatus{{Name: "posts", State: "down", Health: HealthUnreachable}}
	lists <- up
	lists <- up
	lists <- down
	lists <- nil
	src := &ServiceSource{Name: "local system", Every: time.Millisecond,
		List: func(ctx context.Context) ([]ServiceStatus, error) {
			select {
			case l := <-lists:
				if l == nil {
					return nil, errors.New("no state file")
				}
				return l, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}}
	out := make(chan tea.Msg, 8)
	src.Start(t.Context(), out)

	var got []tea.Msg
	for range 3 {
		got = append(got, waitFor(t, out, "a message", func(tea.Msg) bool { return true }))
	}
	if s, ok := got[0].(ServicesMsg); !ok || s.Items[0].Health != HealthReady {
		t.Errorf("first message = %#v, want the ready list", got[0])
	}
	if s, ok := got[1].(ServicesMsg); !ok || s.Items[0].Health != HealthUnreachable {
		t.Errorf("second message = %#v, want the changed list", got[1])
	}
	if c, ok := got[2].(ConnMsg); !ok || c.Err == nil {
		t.Errorf("third message = %#v, want a lost connection", got[2])
	}
}

func TestBusError(t *testing.T) {
	status := `{"kind":"Status","apiVersion":"v1","status":"Failure",` +
		`"message":"services \"event-bus-srv\" not found","reason":"NotFound","code":404}`
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("reading the event bus at https://x/proxy: %w", errors.New("404 Not Found: "+status)),
			`404 Not Found: services "event-bus-srv" not found (is the system deployed here? or pass --event-bus-url)`},
		{fmt.Errorf("reading the event bus at http://b: %w", errors.New("dial tcp: connection refused")),
			"dial tcp: connection refused"},
	}
	for _, tt := range tests {
		if got := busError(tt.err).Error(); got != tt.want {
			t.Errorf("busError(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestBusConnMsg checks that only a bus never reached and not there is
// missing; any other failure is a lost connection.
func TestBusConnMsg(t *testing.T) {
	status := `{"kind":"Status","apiVersion":"v1","status":"Failure",` +
		`"message":"services \"event-bus-srv\" not found","reason":"NotFound","code":404}`
	notFound := fmt.Errorf("reading the event bus at https://x/proxy: %w",
		&event.StatusError{Code: 404, Status: "404 Not Found", Message: status})
	refused := fmt.Errorf("reading the event bus at http://b: %w", errors.New("dial tcp: connection refused"))
	tests := []struct {
		name        string
		err         error
		reached     bool
		wantMissing bool
		wantErr     string
	}{
		{"not found at first", notFound, false, true, "service event-bus-srv not found"},
		{"not found after reaching it", notFound, true, false,
			`404 Not Found: services "event-bus-srv" not found (is the system deployed here? or pass --event-bus-url)`},
		{"refused at first", refused, false, false, "dial tcp: connection refused"},
		{"nothing to resolve", &resolveError{errors.New("no state file")}, false, true, "no state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := busConnMsg(tt.err, tt.reached)
			got := []any{c.Source, c.Missing, c.Err.Error()}
			if diff := cmp.Diff([]any{sourceBus, tt.wantMissing, tt.wantErr}, got); diff != "" {
				t.Errorf("busConnMsg (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFollowFile checks that a follower reads what is appended to a file
// until its context ends.
func TestFollowFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posts.log")
	if err := os.WriteFile(path, []byte("first\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	rc, err := followFile(ctx, path, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	if !sc.Scan() || sc.Text() != "first" {
		t.Fatalf("first line = %q, want first", sc.Text())
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "second")
	f.Close()
	if !sc.Scan() || sc.Text() != "second" {
		t.Fatalf("appended line = %q, want second", sc.Text())
	}
	cancel()
	if sc.Scan() {
		t.Errorf("after cancel the follower read %q, want the end", sc.Text())
	}
}

// TestBusSourceResolves checks that a bus found by Resolve is looked up
// again until it answers.
func TestBusSourceResolves(t *testing.T) {
	url, _ := bustest.Serve(t, bus.Config{})
	tries := 0
	resolve := func(context.Context) (*event.Client, error) {
		if tries++; tries < 3 {
			return nil, errors.New("no state file yet")
		}
		return event.NewClient(url, nil), nil
	}
	out := make(chan tea.Msg, 16)
	(&BusSource{Resolve: resolve, Wait: time.Second, Retry: time.Millisecond}).Start(t.Context(), out)
	waitFor(t, out, "the loss", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Err != nil
	})
	waitFor(t, out, "the recovery", func(msg tea.Msg) bool {
		c, ok := msg.(ConnMsg)
		return ok && c.Err == nil
	})
}
