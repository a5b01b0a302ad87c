package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/event"
)

// fakeEnv switches the test binary into a fake service, so that the
// supervisor's tests run real child processes without the real services.
// Its value is a mode, optionally followed by ":<service>" to apply it to
// one service only: "ok", "fail" (exit at start), "die" (exit a moment after
// being ready), "slow" (never ready), "stubborn" (ignore SIGTERM) or
// "dieslow" (die the first time, never be ready once restarted).
const fakeEnv = "BLOGCTL_LOCAL_TEST_FAKE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" && len(os.Args) == 3 && os.Args[1] == "serve" {
		os.Exit(fakeService(os.Args[2], mode))
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

func fakeService(name, mode string) int {
	mode, only, _ := strings.Cut(mode, ":")
	if only != "" && only != name {
		mode = "ok"
	}
	fmt.Fprintf(os.Stderr, "fake %s starting on port %s\n", name, os.Getenv("BLOGCTL_PORT"))
	if mode == "dieslow" {
		mode = dieThenSlow()
	}
	if mode == "fail" {
		fmt.Fprintln(os.Stderr, "boom: cannot open the store")
		return 3
	}
	if mode == "stubborn" {
		signal.Ignore(syscall.SIGTERM)
	}
	ln, err := net.Listen("tcp", ":"+os.Getenv("BLOGCTL_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mode == "slow" && r.URL.Path == "/readyz" {
			http.Error(w, "still catching up", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/events" {
			w.Header().Set(event.HeadHeader, "0")
			time.Sleep(100 * time.Millisecond)
			io.WriteString(w, "[]")
			return
		}
		fmt.Fprintf(w, "%s %s", name, r.URL.Path)
	}))
	if mode == "die" {
		time.Sleep(2 * time.Second)
		fmt.Fprintln(os.Stderr, "panic: out of cheese")
		return 2
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	return 0
}

// dieThenSlow returns "die" the first time a service runs from its data
// directory, and "slow" after that.
func dieThenSlow() string {
	dir := os.Getenv("BLOGCTL_DATA_DIR")
	marker := filepath.Join(dir, "started")
	if _, err := os.Stat(marker); err == nil {
		return "slow"
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(marker, nil, 0o644)
	return "die"
}

// freePorts returns a port base whose block, and a gateway port, are free.
func freePorts(t *testing.T) (base, gateway int) {
	t.Helper()
	for range 100 {
		base = 20000 + rand.IntN(40000)
		ok := true
		for _, port := range append([]int{base + 10}, base, base+1, base+2, base+3, base+5, base+6) {
			ln, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base, base + 10
		}
	}
	t.Fatal("no free block of ports found")
	return 0, 0
}

func fakeConfig(t *testing.T, mode string) Config {
	t.Helper()
	t.Setenv(fakeEnv, mode)
	base, gw := freePorts(t)
	return Config{
		Binary: os.Args[0], DataDir: t.TempDir(), PortBase: base, GatewayPort: gw,
		ReadyTimeout: 20 * time.Second, Grace: 5 * time.Second,
		Out: &syncBuffer{}, ErrOut: &syncBuffer{},
	}
}

// startUp runs Up in the background and returns its result channel.
func startUp(ctx context.Context, cfg Config) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- Up(ctx, cfg) }()
	return errc
}

func TestUpRunsEveryServiceAndStops(t *testing.T) {
	cfg := fakeConfig(t, "ok")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := startUp(ctx, cfg)

	// Once ready, the state file lists every service, all healthy.
	waitFor(t, func() bool { _, err := ReadState(cfg.DataDir); return err == nil })
	hs, err := Status(ctx, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range hs {
		names = append(names, h.Name)
		if h.Health != Ready {
			t.Errorf("Status: %s is %s (%s), want ready", h.Name, h.Health, h.Detail)
		}
	}
	want := append([]string{GatewayName}, blog.Names()...)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Status names (-want +got):\n%s", diff)
	}

	// The gateway routes to the services.
	gw := fmt.Sprintf("http://127.0.0.1:%d", cfg.GatewayPort)
	if got := get(t, gw+"/posts"); got != "query /posts" {
		t.Errorf("GET /posts via the gateway = %q, want the query service", got)
	}

	// The addresses come first, the gateway on top.
	out := cfg.Out.(*syncBuffer).String()
	if !strings.HasPrefix(out, "gateway") || !strings.Contains(out, gw) {
		t.Errorf("up printed %q, want the gateway's address first", out)
	}

	// Ctrl-C stops everything and removes the state file.
	st, _ := ReadState(cfg.DataDir)
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Up after cancel = %v, want nil", err)
	}
	if _, err := ReadState(cfg.DataDir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("ReadState after stop = %v, want ErrNotRunning", err)
	}
	for _, s := range st.Services[1:] {
		if syscall.Kill(s.PID, 0) == nil {
			t.Errorf("%s (pid %d) still runs after Up returned", s.Name, s.PID)
		}
	}
}

func TestUpFailures(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		restart RestartPolicy
		want    []string
		// dont are things the error must not mention.
		dont []string
	}{
		{"exits at start", "fail:query", "",
			[]string{"query exited before it was ready (exit status 3)", "boom: cannot open the store"},
			[]string{"posts", "comments is"}},
		{"never ready", "slow:moderation", "",
			[]string{"not ready within 2s (raise --ready-timeout", "moderation is not ready at",
				"503 Service Unavailable: still catching up", "fake moderation starting"},
			[]string{"posts", "comments"}},
		{"exits later", "die:comments", RestartNever,
			[]string{"comments stopped on its own (exit status 2)", "panic: out of cheese"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fakeConfig(t, tt.mode)
			cfg.ReadyTimeout = 2 * time.Second
			cfg.Restart = tt.restart
			err := <-startUp(context.Background(), cfg)
			if err == nil {
				t.Fatal("Up = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Up = %q, want it to contain %q", err, w)
				}
			}
			for _, d := range tt.dont {
				if strings.Contains(err.Error(), d) {
					t.Errorf("Up = %q, want no mention of %q", err, d)
				}
			}
		})
	}
}

func TestUpReportsTakenPorts(t *testing.T) {
	cfg := fakeConfig(t, "ok")
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.PortBase+2))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Up(context.Background(), cfg)
	want := fmt.Sprintf("port %d for query is taken", cfg.PortBase+2)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--port-base") {
		t.Errorf("Up with a taken port = %v, want an error containing %q and the fix", err, want)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "logs")); err == nil {
		t.Error("Up with a taken port started something: the logs directory exists")
	}
}

func TestUpKillsServiceThatIgnoresSIGTERM(t *testing.T) {
	cfg := fakeConfig(t, "stubborn:moderation")
	cfg.Grace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	errc := startUp(ctx, cfg)
	waitFor(t, func() bool { _, err := ReadState(cfg.DataDir); return err == nil })
	st, _ := ReadState(cfg.DataDir)
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Up = %v, want nil", err)
	}
	for _, s := range st.Services {
		if s.Name == blog.Moderation && syscall.Kill(s.PID, 0) == nil {
			t.Errorf("moderation (pid %d) survived the grace period", s.PID)
		}
	}
}

func TestStatusWhenNotRunning(t *testing.T) {
	_, err := Status(context.Background(), t.TempDir())
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "blogctl up --target local") {
		t.Errorf("Status of an empty data dir = %v, want ErrNotRunning with the next step", err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestUpLogsToFilesAndVerboseToStderr(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		t.Run(fmt.Sprintf("verbose=%v", verbose), func(t *testing.T) {
			cfg := fakeConfig(t, "ok")
			cfg.Verbose = verbose
			ctx, cancel := context.WithCancel(context.Background())
			errc := startUp(ctx, cfg)
			waitFor(t, func() bool { _, err := ReadState(cfg.DataDir); return err == nil })
			cancel()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}

			b, err := os.ReadFile(filepath.Join(cfg.DataDir, "logs", "posts.log"))
			want := fmt.Sprintf("fake posts starting on port %d", cfg.PortBase)
			if err != nil || !strings.Contains(string(b), want) {
				t.Errorf("posts.log = %q (%v), want it to contain %q", b, err, want)
			}
			stderr := cfg.ErrOut.(*syncBuffer).String()
			if got := strings.Contains(stderr, "[posts] "+want+"\n"); got != verbose {
				t.Errorf("stderr has the posts log line: %v, want %v; stderr:\n%s", got, verbose, stderr)
			}
		})
	}
}
