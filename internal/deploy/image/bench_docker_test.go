package image_test

// The build benchmarks need a Docker engine, and the docker command for the
// comparison. Run them with:
//
//	go test -run '^$' -bench . -benchtime 3x ./internal/deploy/image/
//
// BenchmarkCompile/cold empties the Go build cache for each run; warm keeps
// it. BenchmarkBuildAll builds every image under a new name each run, and
// BenchmarkDockerCLIBuild does the same work with "docker build" (the legacy
// builder, as the Engine API uses) on the same Dockerfiles and contexts.

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/deploy/dockertarget"
	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv"
)

func benchEngine(b *testing.B) (*client.Client, string) {
	b.Helper()
	c, err := image.Connect(context.Background())
	var why string
	if err != nil {
		why = err.Error()
	}
	testenv.Need(b, err == nil, "a Docker engine", why)
	b.Cleanup(func() { c.Close() })
	src, err := image.FindSource(".")
	if err != nil {
		b.Fatal(err)
	}
	return c, src
}

func BenchmarkCompile(b *testing.B) {
	_, src := benchEngine(b)
	for _, cache := range []string{"cold", "warm"} {
		b.Run(cache, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if cache == "cold" {
					b.Setenv("GOCACHE", b.TempDir())
				}
				out := filepath.Join(b.TempDir(), "blogctl")
				if err := image.Compile(context.Background(), src, "amd64", out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuildAll(b *testing.B) {
	c, src := benchEngine(b)
	cacheDir := b.TempDir()
	builder := &image.Builder{Engine: c, Progress: image.NewProgress(io.Discard, false)}
	build := func(b *testing.B, prefix string) []image.Result {
		rs, err := builder.Build(context.Background(), image.BuildOptions{
			Source: src, Prefix: prefix, Services: dockertarget.Images(), CacheDir: cacheDir,
		})
		if err != nil {
			b.Fatal(err)
		}
		return rs
	}

	b.Run("new", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			prefix := "blogctlbench-" + randomName()
			b.Cleanup(func() { removeImages(nil, c, prefix) })
			b.StartTimer()
			rs := build(b, prefix)
			if i == 0 {
				for _, r := range rs {
					b.Logf("%s: %.2f MB", r.Image, float64(r.Size)/1e6)
				}
			}
		}
	})
	b.Run("no-op", func(b *testing.B) {
		prefix := "blogctlbench-" + randomName()
		b.Cleanup(func() { removeImages(nil, c, prefix) })
		build(b, prefix)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			build(b, prefix)
		}
	})
}

func BenchmarkDockerCLIBuild(b *testing.B) {
	c, src := benchEngine(b)
	docker, err := exec.LookPath("docker")
	testenv.Need(b, err == nil, "the docker command", "apt-get install docker.io")

	// The same contexts blogctl sends: the binary, the Dockerfile, data/.
	binPath := filepath.Join(b.TempDir(), "blogctl")
	if err := image.Compile(context.Background(), src, "amd64", binPath); err != nil {
		b.Fatal(err)
	}
	binary, _ := os.ReadFile(binPath)
	dirs := map[string]string{}
	for _, svc := range dockertarget.Images() {
		df, err := image.RenderDockerfile(svc)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644)
		os.WriteFile(filepath.Join(dir, "blogctl"), binary, 0o755)
		os.Mkdir(filepath.Join(dir, "data"), 0o755)
		dirs[svc.Name] = dir
	}

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		prefix := "blogctlbench-" + randomName()
		b.Cleanup(func() { removeImages(nil, c, prefix) })
		for name, dir := range dirs {
			cmd := exec.Command(docker, "build", "-q", "-t", prefix+"/"+name+":latest", dir)
			cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("docker build: %v\n%s", err, out)
			}
		}
	}
}
