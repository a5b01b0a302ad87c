package tui_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv"
)

// TestDockerDashboard runs the dashboard against a system that "blogctl up
// --target docker" started under a project name of its own, in an 80x24
// terminal: every container shows as ready, a post created through the
// gateway appears in the blog events pane, and q quits. "blogctl down
// --volumes" removes the system when the test ends, passed or failed.
func TestDockerDashboard(t *testing.T) {
	needTmux(t)
	needDocker(t)
	bin := blogctl(t)
	project := "blogctltest-" + randomHex()
	gateway := startDocker(t, bin, project)

	term := startTerminal(t, 80, 24, bin, "tui", "--target", "docker", "--project", project)
	screen := term.waitFor("every container ready", 30*time.Second, func(s string) bool {
		return strings.Contains(s, "Services") && strings.Count(s, " ready ") >= len(blog.Services)+1
	})
	if !strings.Contains(screen, project) {
		t.Errorf("the dashboard does not name project %s:\n%s", project, screen)
	}
	checkFits(t, screen, 80, 24)

	title := createPost(t, gateway)
	screen = term.waitForText(title, 15*time.Second)
	if !strings.Contains(screen, "PostCreated") {
		t.Errorf("the event pane lacks PostCreated for post %q:\n%s", title, screen)
	}

	// A container stopped behind the dashboard's back shows as exited.
	stopContainer(t, project+"-moderation")
	term.waitFor("moderation exited", 15*time.Second, func(s string) bool {
		return stoppedModeration.MatchString(s)
	})

	term.send("q")
	term.waitFor("the dashboard to exit", 5*time.Second, func(string) bool { return term.dead() })
}

// stoppedModeration matches the services pane's row of a stopped
// moderation container.
var stoppedModeration = regexp.MustCompile(`(?m)^\s*>?\s*moderation\s+exited\s+WARN unreachable`)

// needDocker stops the test unless a Docker engine answers.
func needDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := image.Connect(ctx)
	var why string
	if err != nil {
		why = err.Error()
	} else {
		c.Close()
	}
	testenv.Need(t, err == nil, "a Docker engine", why)
}

// startDocker runs "blogctl up --target docker" under project, with images
// under a prefix of the test's own and the gateway on a free port, and
// returns the gateway's address. The system, its volumes and the images
// go when the test ends.
func startDocker(t *testing.T, bin, project string) string {
	t.Helper()
	port := freePortBase(t, 1)
	prefix := "blogctltest-" + randomHex()
	t.Cleanup(func() {
		if err := run(bin, "down", "--target", "docker", "--project", project, "--volumes"); err != nil {
			t.Errorf("removing the system: %v", err)
		}
		removeImages(t, prefix)
	})
	cmd := exec.Command(bin, "up", "--target", "docker", "--project", project,
		"--image-prefix", prefix, "--gateway-port", fmt.Sprint(port))
	cmd.Dir = moduleRoot(t)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("blogctl up --target docker --project %s: %v\n%s", project, err, out)
	}
	t.Logf("blogctl up --target docker took %s", time.Since(start).Round(time.Millisecond))
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// stopContainer stops container name, giving it a second.
func stopContainer(t *testing.T, name string) {
	t.Helper()
	c, err := image.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	one := 1
	if _, err := c.ContainerStop(t.Context(), name, client.ContainerStopOptions{Timeout: &one}); err != nil {
		t.Fatalf("stopping container %s: %v", name, err)
	}
}

// removeImages removes every image tagged under prefix.
func removeImages(t *testing.T, prefix string) {
	t.Helper()
	ctx := context.Background()
	c, err := image.Connect(ctx)
	if err != nil {
		t.Errorf("removing the test's images: %v", err)
		return
	}
	defer c.Close()
	list, err := c.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		t.Errorf("listing the test's images: %v", err)
		return
	}
	for _, img := range list.Items {
		for _, ref := range img.RepoTags {
			if strings.HasPrefix(ref, prefix+"/") {
				_, _ = c.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
			}
		}
	}
}

// moduleRoot returns the directory of this module's go.mod, where blogctl
// finds its source to build images from.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("finding the module: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
