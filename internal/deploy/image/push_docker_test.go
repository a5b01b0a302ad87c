package image_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv"
	"github.com/blogctl/blogctl/internal/testenv/dockertest"
)

// registry is a docker-registry process with password authentication,
// listening on 127.0.0.1, which Docker lets plain HTTP reach.
type registry struct {
	host       string
	user, pass string
}

// startRegistry runs Debian's docker-registry on a free port with a fresh
// storage directory and an htpasswd file, until the test ends.
func startRegistry(t *testing.T) *registry {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	testenv.Need(t, err == nil, "docker-registry", "apt-get install docker-registry")
	htpasswd, err := exec.LookPath("htpasswd")
	testenv.Need(t, err == nil, "htpasswd", "apt-get install apache2-utils")

	r := &registry{host: fmt.Sprintf("127.0.0.1:%d", freePort(t)), user: "blogger", pass: "s3cret-pass"}
	dir := t.TempDir()
	entry, err := exec.Command(htpasswd, "-Bbn", r.user, r.pass).Output()
	if err != nil {
		t.Fatalf("htpasswd: %v", err)
	}
	writeFile(t, filepath.Join(dir, "htpasswd"), string(entry))
	config := fmt.Sprintf(`version: 0.1
storage:
  filesystem:
    rootdirectory: %s
http:
  addr: %s
auth:
  htpasswd:
    realm: blogctl-test
    path: %s
`, filepath.Join(dir, "storage"), r.host, filepath.Join(dir, "htpasswd"))
	writeFile(t, filepath.Join(dir, "config.yml"), config)

	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	logs, _ := os.Create(filepath.Join(dir, "registry.log"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting docker-registry: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logs.Close()
	})

	// The registry answers 401 on /v2/ without credentials once it is up.
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + r.host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return r
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("docker-registry did not come up on %s: %v\n%s", r.host, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dockerConfig writes a Docker config directory holding credentials for
// host, as "docker login" would.
func dockerConfig(t *testing.T, host, user, pass string) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	b, _ := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}})
	writeFile(t, filepath.Join(dir, "config.json"), string(b))
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// manifestDigest asks the registry for a manifest and returns its digest.
func (r *registry) manifestDigest(t *testing.T, name, tag string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/manifests/%s", r.host, name, tag), nil)
	req.SetBasicAuth(r.user, r.pass)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("asking the registry for %s:%s: %v", name, tag, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Docker-Content-Digest")
}

func TestPushToRegistry(t *testing.T) {
	c := dockertest.NeedEngine(t)
	reg := startRegistry(t)
	prefix := reg.host + "/blogtest"
	t.Cleanup(func() { removeImages(t, c, prefix) })

	src, err := image.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	b := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	ctx := context.Background()
	built, err := b.Build(ctx, image.BuildOptions{
		Source: src, Prefix: prefix, CacheDir: t.TempDir(),
		Services: []image.Service{{Name: blog.Posts, Port: 4000}},
	})
	if err != nil {
		t.Fatalf("Build() error: %v", err)
	}

	t.Run("right password", func(t *testing.T) {
		pushed, err := b.Push(ctx, image.PushOptions{
			Prefix: prefix, Services: []string{blog.Posts},
			ConfigDir: dockerConfig(t, reg.host, reg.user, reg.pass),
		})
		if err != nil {
			t.Fatalf("Push() error: %v", err)
		}
		if len(pushed) != 1 || pushed[0].Tag != built[0].Tag || !strings.HasPrefix(pushed[0].Digest, "sha256:") {
			t.Fatalf("Push() = %+v, want posts at tag %s with a digest", pushed, built[0].Tag)
		}
		for _, tag := range []string{built[0].Tag, "latest"} {
			status, digest := reg.manifestDigest(t, "blogtest/posts", tag)
			if status != http.StatusOK || digest != pushed[0].Digest {
				t.Errorf("registry manifest blogtest/posts:%s = %d %s, want 200 %s", tag, status, digest, pushed[0].Digest)
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		_, err := b.Push(ctx, image.PushOptions{
			Prefix: prefix, Services: []string{blog.Posts},
			ConfigDir: dockerConfig(t, reg.host, reg.user, "wrong"),
		})
		t.Logf("Push() with a wrong password: %v", err)
		if !errors.Is(err, image.ErrUnauthorized) || !strings.Contains(err.Error(), "docker login "+reg.host) {
			t.Errorf("Push() with a wrong password = %v, want ErrUnauthorized naming %s and docker login", err, reg.host)
		}
	})

	t.Run("not logged in", func(t *testing.T) {
		_, err := b.Push(ctx, image.PushOptions{
			Prefix: prefix, Services: []string{blog.Posts}, ConfigDir: t.TempDir(),
		})
		if !errors.Is(err, image.ErrUnauthorized) || !strings.Contains(err.Error(), "docker login "+reg.host) {
			t.Errorf("Push() without credentials = %v, want ErrUnauthorized naming docker login %s", err, reg.host)
		}
	})

	t.Run("not built", func(t *testing.T) {
		_, err := b.Push(ctx, image.PushOptions{Prefix: prefix, Services: []string{blog.Query}, ConfigDir: t.TempDir()})
		if !errors.Is(err, image.ErrNotBuilt) || !strings.Contains(err.Error(), "blogctl build") {
			t.Errorf("Push() of an image never built = %v, want ErrNotBuilt saying to run blogctl build", err)
		}
	})
}

func TestPushToUnreachableRegistry(t *testing.T) {
	c := dockertest.NeedEngine(t)
	host := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	prefix := host + "/blogtest"
	t.Cleanup(func() { removeImages(t, c, prefix) })
	src, err := image.FindSource(".")
	if err != nil {
		t.Fatal(err)
	}
	b := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	ctx := context.Background()
	if _, err := b.Build(ctx, image.BuildOptions{
		Source: src, Prefix: prefix, CacheDir: t.TempDir(),
		Services: []image.Service{{Name: blog.Posts, Port: 4000}},
	}); err != nil {
		t.Fatalf("Build() error: %v", err)
	}

	_, err = b.Push(ctx, image.PushOptions{Prefix: prefix, Services: []string{blog.Posts}, ConfigDir: t.TempDir()})
	t.Logf("Push() to a closed port: %v", err)
	if !errors.Is(err, image.ErrRegistryUnreachable) || !strings.Contains(err.Error(), host) {
		t.Errorf("Push() to a closed port = %v, want ErrRegistryUnreachable naming %s", err, host)
	}
}
