package tui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/local"
)

// TestLocalDashboard runs the dashboard against a local system in an 80x24
// terminal: the services show as ready, a post created through the API
// appears in the blog events pane, the help lists the keys that apply, a
// resize redraws, a stopped system shows its services as unknown, and q
// quits.
func TestLocalDashboard(t *testing.T) {
	needTmux(t)
	bin := blogctl(t)
	sys := startLocal(t, bin)

	term := startTerminal(t, 80, 24, bin, "tui", "--target", "local", "--data-dir", sys.dataDir)
	term.waitFor("every service ready", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "Services") && strings.Count(s, " ready ") >= 6
	})

	start := time.Now()
	title := createPost(t, sys.gateway)
	screen := term.waitForText(title, 10*time.Second)
	t.Logf("the post showed in the event pane %s after it was sent (screen read every 200ms)",
		time.Since(start).Round(time.Millisecond))
	if !strings.Contains(screen, "PostCreated") {
		t.Errorf("the event pane lacks PostCreated for post %q:\n%s", title, screen)
	}
	checkFits(t, screen, 80, 24)

	// The event bus is second in the list; its log says it serves.
	term.send("j")
	term.send("l")
	term.waitForText("Logs of event-bus (following)", 5*time.Second)
	term.waitForText("event bus serving", 5*time.Second)
	term.send("Escape")
	term.waitForText("Blog events", 5*time.Second)

	term.send("?")
	screen = term.waitForText("follow the selected service's logs", 5*time.Second)
	if strings.Contains(screen, "deployment") || strings.Contains(screen, "pod") {
		t.Errorf("the local help offers Kubernetes keys:\n%s", screen)
	}
	term.send("Escape")
	term.waitForText("Blog events", 5*time.Second)

	if err := run("tmux", "resize-window", "-t", term.name, "-x", "120", "-y", "40"); err != nil {
		t.Fatal(err)
	}
	screen = term.waitFor("a 120-column redraw", 5*time.Second, func(s string) bool {
		first := strings.SplitN(s, "\n", 2)[0]
		return len(first) > 100 && strings.HasSuffix(strings.TrimRight(first, " "), "q quit")
	})
	checkFits(t, screen, 120, 40)

	// A stopped system shows banners; started again, they go by themselves.
	sys.stop()
	term.waitForText("CONNECTION LOST to the event bus", 15*time.Second)
	term.waitForText("CONNECTION LOST to the local system", 15*time.Second)
	term.waitFor("the services unknown", 5*time.Second, func(s string) bool {
		return strings.Count(s, " unknown ") >= 6 && !strings.Contains(s, " ready ")
	})
	sys.start()
	term.waitFor("the banners gone", 10*time.Second, func(s string) bool {
		return !strings.Contains(s, "CONNECTION LOST") && strings.Contains(s, title)
	})

	term.send("q")
	term.waitFor("the dashboard to exit", 5*time.Second, func(string) bool { return term.dead() })
}

// TestNotATerminal checks that without a terminal the dashboard says so
// and exits non-zero.
func TestNotATerminal(t *testing.T) {
	bin := blogctl(t)
	out, err := output(bin, "tui", "--target", "local")
	if err == nil {
		t.Fatalf("blogctl tui with stdout on a pipe succeeded, want a failure; it said:\n%s", out)
	}
	if !strings.Contains(out, "needs a terminal") || !strings.Contains(out, "blogctl status") {
		t.Errorf("blogctl tui on a pipe said %q, want it to need a terminal and point to blogctl status", out)
	}
}

// checkFits fails unless the screen has at most height lines of at most
// width columns.
func checkFits(t *testing.T, screen string, width, height int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) > height {
		t.Errorf("the screen has %d lines, want at most %d", len(lines), height)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > width {
			t.Errorf("line %d is %d wide, want at most %d: %q", i+1, n, width, l)
		}
	}
}

// createPost creates a post through the gateway and returns its title.
func createPost(t *testing.T, gateway string) string {
	t.Helper()
	title := fmt.Sprintf("tmux post %d", time.Now().UnixNano()%100000)
	resp, err := http.Post(gateway+"/posts/create", "application/json",
		strings.NewReader(fmt.Sprintf(`{"title":%q}`, title)))
	if err != nil {
		t.Fatalf("creating a post: %v", err)
	}
	var post struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&post)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || post.ID == "" {
		t.Fatalf("creating a post: status %s, id %q, %v", resp.Status, post.ID, err)
	}
	return title
}

// localBusURL reads the event bus's address from the local system's state
// file.
func localBusURL(t *testing.T, dataDir string) string {
	t.Helper()
	st, err := local.ReadState(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Services {
		if s.Name == blog.EventBus {
			return s.URL
		}
	}
	t.Fatalf("the local system's state names no %s: %+v", blog.EventBus, st)
	return ""
}
