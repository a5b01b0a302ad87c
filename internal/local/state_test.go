package local

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestStatusAndFormat(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ready"}`))
	}))
	defer ready.Close()
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"catching up"}`))
	}))
	defer busy.Close()

	dir := t.TempDir()
	st := State{PID: os.Getpid(), Services: []ServiceState{
		{Name: GatewayName, URL: ready.URL},
		{Name: "query", URL: busy.URL, PID: 4242, Restarts: 3},
		{Name: "posts", URL: "http://127.0.0.1:1"},
	}}
	if err := writeState(dir, st); err != nil {
		t.Fatal(err)
	}
	hs, err := Status(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Health{
		{Name: GatewayName, URL: ready.URL, Health: Ready},
		{Name: "query", URL: busy.URL, PID: 4242, Restarts: 3, Health: NotReady, Detail: `503 Service Unavailable: {"error":"catching up"}`},
		{Name: "posts", URL: "http://127.0.0.1:1", Health: Down, Detail: "connection refused"},
	}
	if diff := cmp.Diff(want, hs); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}

	// The table, with fixed addresses so that the golden file is stable.
	for i := range hs {
		hs[i].URL = "http://127.0.0.1:400" + string(rune('0'+i))
	}
	golden(t, "status.golden", FormatStatus(hs))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s (run the test with -update to create it): %v", path, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestPrintEndpoints(t *testing.T) {
	cfg := Config{GatewayPort: DefaultGatewayPort}.withDefaults()
	p, err := newPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	cfg.Out = &out
	if err := printEndpoints(cfg, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "endpoints.golden", out.String())
}

func TestStatusOfAStaleStateFile(t *testing.T) {
	// A child that has exited and been reaped has a free pid.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeState(dir, State{PID: cmd.Process.Pid}); err != nil {
		t.Fatal(err)
	}
	_, err := Status(context.Background(), dir)
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "ended without cleaning up") {
		t.Errorf("Status with a stale state file = %v, want ErrNotRunning saying so", err)
	}
}
