package dockertarget_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv/dockertest"
)

func TestDockerTarget(t *testing.T) {
	c := dockertest.NeedEngine(t)
	images := buildImages(t, c)

	t.Run("up, down and up again keeps the data", func(t *testing.T) {
		testUpDownUp(t, c, images)
	})
	t.Run("two projects coexist", func(t *testing.T) {
		testTwoProjects(t, c, images)
	})
	t.Run("port taken", func(t *testing.T) {
		sys := newSystem(t, c)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		gw := dockertarget.Layout(images, port)[len(blog.Services)]
		err = sys.Up(context.Background(), []dockertarget.Container{gw}, time.Minute)
		if !errors.Is(err, dockertarget.ErrPortTaken) || !strings.Contains(err.Error(), strconv.Itoa(port)) {
			t.Errorf("Up() on a taken port = %v, want ErrPortTaken naming port %d", err, port)
		}
	})
	t.Run("container exits", func(t *testing.T) {
		sys := newSystem(t, c)
		bus := dockertarget.Layout(images, 0)[0]
		bus.Env = []string{"BLOGCTL_LOG_LEVEL=loud"}
		err := sys.Up(context.Background(), []dockertarget.Container{bus}, time.Minute)
		if !errors.Is(err, dockertarget.ErrExited) || !strings.Contains(err.Error(), "--log-level") {
			t.Errorf("Up() of a container that exits = %v, want ErrExited with its last log lines", err)
		}
	})
}

func testUpDownUp(t *testing.T, c *client.Client, images map[string]string) {
	sys := newSystem(t, c)
	ctx := context.Background()
	port := freePort(t)
	gateway := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := sys.Up(ctx, dockertarget.Layout(images, port), 2*time.Minute); err != nil {
		t.Fatalf("Up() error: %v", err)
	}

	var post struct{ ID string }
	postJSON(t, gateway+"/posts/create", `{"title":"written in a container"}`, &post)
	postJSON(t, gateway+"/posts/"+post.ID+"/comments", `{"content":"nice"}`, nil)
	waitForPosts(t, gateway, post.ID, "approved")

	rows, err := sys.Status(ctx)
	if err != nil || len(rows) != len(blog.Services)+1 {
		t.Errorf("Status() = %d rows, %v, want %d", len(rows), err, len(blog.Services)+1)
	}

	// Down keeps the volume; the next Up finds the data again.
	if err := sys.Down(ctx, false); err != nil {
		t.Fatalf("Down() error: %v", err)
	}
	if rows, _ := sys.Status(ctx); len(rows) != 0 {
		t.Errorf("Status() after Down() = %v, want no containers", rows)
	}
	if err := sys.Up(ctx, dockertarget.Layout(images, port), 2*time.Minute); err != nil {
		t.Fatalf("Up() after Down() error: %v", err)
	}
	waitForPosts(t, gateway, post.ID, "approved")
}

// testTwoProjects runs the event bus under two project names on one engine:
// each sees only its own container, and taking one down leaves the other.
func testTwoProjects(t *testing.T, c *client.Client, images map[string]string) {
	ctx := context.Background()
	a, b := newSystem(t, c), newSystem(t, c)
	bus := dockertarget.Layout(images, 0)[0]
	for _, sys := range []*dockertarget.System{a, b} {
		if err := sys.Up(ctx, []dockertarget.Container{bus}, time.Minute); err != nil {
			t.Fatalf("Up() under project %s error: %v", sys.Project, err)
		}
	}
	for _, sys := range []*dockertarget.System{a, b} {
		rows, err := sys.Status(ctx)
		if err != nil || len(rows) != 1 || rows[0].Container != sys.ContainerName(bus.Service) {
			t.Errorf("Status() under project %s = %+v, %v, want only %s", sys.Project, rows, err,
				sys.ContainerName(bus.Service))
		}
	}
	if err := a.Down(ctx, true); err != nil {
		t.Fatalf("Down() under project %s error: %v", a.Project, err)
	}
	rows, err := b.Status(ctx)
	if err != nil || len(rows) != 1 || rows[0].State != "running" {
		t.Errorf("Status() under project %s after the other's Down() = %+v, %v, want its bus up",
			b.Project, rows, err)
	}
}

// waitForPosts polls the query service through the gateway until the post
// has a comment "nice" with the given status.
func waitForPosts(t *testing.T, gateway, postID, status string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(gateway + "/posts")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			var posts map[string]struct {
				Title    string
				Comments []struct{ Content, Status string }
			}
			if json.Unmarshal(b, &posts) == nil {
				p := posts[postID]
				if len(p.Comments) == 1 && p.Comments[0].Content == "nice" && p.Comments[0].Status == status {
					return
				}
			}
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s/posts never showed post %s with a %s comment; last: %s", gateway, postID, status, last)
}

func postJSON(t *testing.T, url, body string, into any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s = %s %s, want 201", url, resp.Status, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("POST %s answered %s: %v", url, b, err)
		}
	}
}

// newSystem returns a system under a project name of its own, removed with
// its volumes when the test ends.
func newSystem(t *testing.T, c *client.Client) *dockertarget.System {
	sys := &dockertarget.System{Engine: c, Project: "blogctltest-" + randomHex(), Progress: tWriter{t}}
	t.Cleanup(func() {
		if err := sys.Down(context.Background(), true); err != nil {
			t.Errorf("cleaning up: %v", err)
		}
	})
	return sys
}

// buildImages builds every image under a prefix of the test's own, removed
// when the test ends.
func buildImages(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	src, err := image.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	prefix := "blogctltest-" + randomHex()
	b := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	results, err := b.Build(context.Background(), image.BuildOptions{
		Source: src, Prefix: prefix, Services: dockertarget.Images(), CacheDir: t.TempDir(),
	})
	t.Cleanup(func() {
		for _, r := range results {
			for _, ref := range []string{r.Image, image.Repository(prefix, r.Service) + ":latest"} {
				c.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
			}
		}
	})
	if err != nil {
		t.Fatalf("Build() error: %v", err)
	}
	refs := map[string]string{}
	for _, r := range results {
		refs[r.Service] = r.Image
	}
	return refs
}

func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tWriter logs progress lines through t.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
