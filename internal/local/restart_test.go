package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/blogctl/blogctl/internal/blog"
)

func TestParseRestartPolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    RestartPolicy
		wantErr string
	}{
		{"", RestartOnFailure, ""},
		{"on-failure", RestartOnFailure, ""},
		{"never", RestartNever, ""},
		{"always", "", `unknown restart policy "always": use on-failure or never`},
		{"Never", "", `unknown restart policy "Never": use on-failure or never`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRestartPolicy(tt.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Errorf("ParseRestartPolicy(%q) = %q, %q, want %q, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

func TestUpRefusesAnUnknownRestartPolicy(t *testing.T) {
	cfg := fakeConfig(t, "ok")
	cfg.Restart = "sometimes"
	err := Up(context.Background(), cfg)
	want := `checking --restart: unknown restart policy "sometimes": use on-failure or never`
	if err == nil || err.Error() != want {
		t.Errorf("Up with restart %q = %v, want %q", cfg.Restart, err, want)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "logs")); err == nil {
		t.Error("Up with a bad restart policy started something: the logs directory exists")
	}
}

func TestRestartBackoff(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name string
		// ups are how long the service ran before each exit.
		ups  []time.Duration
		want []time.Duration
	}{
		{"doubles up to the cap", []time.Duration{0, 0, 0, 0, 0, 0, 0, 0},
			[]time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s}},
		{"short runs keep doubling", []time.Duration{5 * s, 59 * s, 10 * s},
			[]time.Duration{1 * s, 2 * s, 4 * s}},
		{"a minute up resets the delay", []time.Duration{0, 0, 0, 60 * s, 0, 0},
			[]time.Duration{1 * s, 2 * s, 4 * s, 1 * s, 2 * s, 4 * s}},
		{"a long run resets a capped delay", []time.Duration{0, 0, 0, 0, 0, 0, 10 * time.Minute},
			[]time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 1 * s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newRestartBackoff(Config{}.withDefaults())
			var got []time.Duration
			for _, up := range tt.ups {
				got = append(got, b.next(up))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("next delays (-want +got):\n%s", diff)
			}
		})
	}
}

// restartConfig is a fake system whose restarts come quickly.
func restartConfig(t *testing.T, mode string) Config {
	t.Helper()
	cfg := fakeConfig(t, mode)
	cfg.RestartDelay, cfg.MaxRestartDelay = 50*time.Millisecond, 200*time.Millisecond
	cfg.Grace = time.Second
	return cfg
}

// serviceState returns the state file's entry for a service, or a zero
// one when there is no state file.
func serviceState(t *testing.T, dir, name string) ServiceState {
	t.Helper()
	st, err := ReadState(dir)
	if err != nil {
		return ServiceState{}
	}
	for _, s := range st.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("the state file has no %s: %+v", name, st)
	return ServiceState{}
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestUpRestartsAServiceThatDies(t *testing.T) {
	cfg := restartConfig(t, "die:comments")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := startUp(ctx, cfg)
	waitFor(t, func() bool { return serviceState(t, cfg.DataDir, blog.Comments).PID != 0 })
	first := serviceState(t, cfg.DataDir, blog.Comments)

	// The state file follows the restart: a new pid, one restart.
	waitLong(t, "a restart of comments", func() bool {
		return serviceState(t, cfg.DataDir, blog.Comments).Restarts >= 1
	})
	second := serviceState(t, cfg.DataDir, blog.Comments)
	if second.PID == first.PID || first.Restarts != 0 {
		t.Errorf("comments before and after its restart = %+v, %+v; want a new pid", first, second)
	}
	if posts := serviceState(t, cfg.DataDir, blog.Posts); posts.Restarts != 0 {
		t.Errorf("posts = %+v after comments died, want it untouched", posts)
	}

	// The console says what happened and when it is back.
	stderr := cfg.ErrOut.(*syncBuffer)
	waitLong(t, "comments ready again", func() bool {
		return strings.Contains(stderr.String(), "comments is ready again (restart 1)")
	})
	for _, want := range []string{
		"comments stopped on its own (exit status 2); restarting it in 50ms (restart 1)",
		"panic: out of cheese",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("up's stderr has no %q:\n%s", want, stderr)
		}
	}

	// The log of the crash survives the restart.
	b, err := os.ReadFile(second.Log)
	if n := strings.Count(string(b), "fake comments starting"); err != nil || n < 2 ||
		!strings.Contains(string(b), "panic: out of cheese") {
		t.Errorf("comments.log = %q (%v), want the crash and both starts", b, err)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Up after cancel = %v, want nil", err)
	}
	if pid := serviceState(t, cfg.DataDir, blog.Comments).PID; pid != 0 {
		t.Errorf("the state file still names comments (pid %d) after Up returned", pid)
	}
}

func TestUpStopsCleanlyWhileRestarting(t *testing.T) {
	tests := []struct {
		name string
		mode string
		// delay before a restart; wait is what up says before the test
		// stops it.
		delay time.Duration
		wait  string
	}{
		{"during the backoff", "die:moderation", time.Hour, "restarting it in 1h0m0s"},
		{"while the restart is not ready", "dieslow:moderation", 50 * time.Millisecond,
			"moderation is still not ready 5s after restart 1; still waiting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := restartConfig(t, tt.mode)
			cfg.RestartDelay, cfg.ReadyTimeout = tt.delay, 5*time.Second
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := startUp(ctx, cfg)
			waitFor(t, func() bool { _, err := ReadState(cfg.DataDir); return err == nil })
			stderr := cfg.ErrOut.(*syncBuffer)
			waitLong(t, "up to say "+tt.wait, func() bool { return strings.Contains(stderr.String(), tt.wait) })
			st, _ := ReadState(cfg.DataDir)
			mod := serviceState(t, cfg.DataDir, blog.Moderation)

			// Up returns at once, not after the backoff, and leaves
			// nothing running.
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Fatalf("Up after cancel = %v, want nil", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Up still runs 30s after cancel")
			}
			for _, s := range st.Services[1:] {
				if alive(s.PID) {
					t.Errorf("%s (pid %d) still runs after Up returned", s.Name, s.PID)
				}
			}
			b, _ := os.ReadFile(filepath.Join(cfg.DataDir, "logs", "moderation.log"))
			starts := strings.Count(string(b), "fake moderation starting")
			if want := 1 + mod.Restarts; starts != want {
				t.Errorf("moderation started %d times, want %d (no start after the stop)", starts, want)
			}
		})
	}
}

func TestUpWithRestartNeverStopsWhenAServiceIsKilled(t *testing.T) {
	cfg := restartConfig(t, "ok")
	cfg.Restart = RestartNever
	errc := startUp(context.Background(), cfg)
	waitFor(t, func() bool { return serviceState(t, cfg.DataDir, blog.Query).PID != 0 })
	if err := syscall.Kill(serviceState(t, cfg.DataDir, blog.Query).PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-errc
	want := "query stopped on its own (signal: killed), so the whole system is stopping"
	if err == nil || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), `start it again with "blogctl up --target local"`) {
		t.Errorf("Up after query was killed = %v, want %q and the next step", err, want)
	}
}
