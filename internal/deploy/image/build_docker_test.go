package image_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv/dockertest"
)

// maxImageSize is the size every image must stay under.
const maxImageSize = 25_000_000

// buildAll builds every image of the system under prefix.
func buildAll(t *testing.T, c *client.Client, prefix, cacheDir string) []image.Result {
	t.Helper()
	src, err := image.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	b := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	results, err := b.Build(context.Background(), image.BuildOptions{
		Source: src, Prefix: prefix, Services: dockertarget.Images(), CacheDir: cacheDir,
	})
	if err != nil {
		t.Fatalf("Build() error: %v", err)
	}
	return results
}

func TestBuildEveryImageThenNoOp(t *testing.T) {
	c := dockertest.NeedEngine(t)
	prefix := testPrefix(t, c)
	cacheDir := t.TempDir()

	first := buildAll(t, c, prefix, cacheDir)
	if len(first) != len(dockertarget.Images()) {
		t.Fatalf("Build() gave %d images, want %d", len(first), len(dockertarget.Images()))
	}
	for _, r := range first {
		if !r.Built || r.ID == "" || !strings.HasPrefix(r.Tag, "sha-") {
			t.Errorf("first Build() of %s = %+v, want a new image with a sha- tag", r.Service, r)
		}
		if r.Size >= maxImageSize {
			t.Errorf("image %s is %d bytes, want under %d", r.Image, r.Size, maxImageSize)
		}
		t.Logf("%s: %s, %.1f MB", r.Service, r.Image, float64(r.Size)/1e6)
	}

	// A second build with nothing changed reuses every image.
	start := time.Now()
	second := buildAll(t, c, prefix, cacheDir)
	t.Logf("no-op rebuild took %v", time.Since(start))
	ids := func(rs []image.Result) map[string]string {
		m := map[string]string{}
		for _, r := range rs {
			m[r.Image] = r.ID
		}
		return m
	}
	if diff := cmp.Diff(ids(first), ids(second)); diff != "" {
		t.Errorf("no-op rebuild changed image ids (-first +second):\n%s", diff)
	}
	for _, r := range second {
		if r.Built {
			t.Errorf("no-op rebuild built %s again", r.Image)
		}
	}

	// latest points at the input-tagged image.
	latest, err := c.ImageInspect(context.Background(), image.Repository(prefix, blog.Posts)+":latest")
	if err != nil || latest.ID != ids(first)[image.Repository(prefix, blog.Posts)+":"+first[1].Tag] {
		t.Errorf("latest of posts = %v, %v, want the image just built", latest.ID, err)
	}
}

func TestRunBuiltImage(t *testing.T) {
	c := dockertest.NeedEngine(t)
	prefix := testPrefix(t, c)
	src, err := image.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	b := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	svc := image.Service{Name: blog.Client, Port: 3000}
	results, err := b.Build(context.Background(), image.BuildOptions{
		Source: src, Prefix: prefix, Services: []image.Service{svc}, CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("Build() error: %v", err)
	}

	port := freePort(t)
	id := runContainer(t, c, results[0].Image, svc.Port, port)
	inspect, err := c.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := inspect.Container.Config.User; got != "65532:65532" {
		t.Errorf("the container runs as %q, want the non-root 65532:65532", got)
	}

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitOK(t, base+"/readyz", 30*time.Second)
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Errorf("GET / = %s, %.80q, want 200 and the web client's page", resp.Status, body)
	}
}

// runContainer starts image with port published on 127.0.0.1:hostPort and
// removes it when the test ends.
func runContainer(t *testing.T, c *client.Client, ref string, port, hostPort int) string {
	t.Helper()
	ctx := context.Background()
	p, _ := network.PortFrom(uint16(port), network.TCP)
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: ref, ExposedPorts: network.PortSet{p: {}}},
		HostConfig: &container.HostConfig{PortBindings: network.PortMap{p: {{
			HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(hostPort),
		}}}},
	})
	if err != nil {
		t.Fatalf("creating a container of %s: %v", ref, err)
	}
	t.Cleanup(func() {
		c.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
	})
	if _, err := c.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting a container of %s: %v", ref, err)
	}
	return created.ID
}

// waitOK polls url until it answers 200 or timeout passes.
func waitOK(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s never answered 200 in %v; last: %s", url, timeout, last)
}
