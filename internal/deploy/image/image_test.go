package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestRenderDockerfile(t *testing.T) {
	tests := []Service{{Name: "posts", Port: 4000}, {Name: "gateway", Port: 8080}}
	for _, svc := range tests {
		t.Run(svc.Name, func(t *testing.T) {
			got, err := RenderDockerfile(svc)
			if err != nil {
				t.Fatalf("RenderDockerfile(%v) error: %v", svc, err)
			}
			golden := filepath.Join("testdata", svc.Name+".Dockerfile.golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading %s (run go test -update to create it): %v", golden, err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("RenderDockerfile(%v) mismatch (-want +got):\n%s", svc, diff)
			}
		})
	}
}

func TestInputTag(t *testing.T) {
	base := InputTag([]byte("binary"), []byte("FROM scratch"))
	tests := []struct {
		name       string
		binary     string
		dockerfile string
		same       bool
	}{
		{"same inputs", "binary", "FROM scratch", true},
		{"other binary", "binary2", "FROM scratch", false},
		{"other dockerfile", "binary", "FROM scratch\n", false},
		{"bytes moved between inputs", "binar", "yFROM scratch", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InputTag([]byte(tt.binary), []byte(tt.dockerfile))
			if (got == base) != tt.same {
				t.Errorf("InputTag(%q, %q) = %s, base %s: same = %v, want %v",
					tt.binary, tt.dockerfile, got, base, got == base, tt.same)
			}
			if len(got) != len("sha-")+12 || !strings.HasPrefix(got, "sha-") {
				t.Errorf("InputTag(%q, %q) = %q, want sha- and 12 hex digits", tt.binary, tt.dockerfile, got)
			}
		})
	}
}

func TestWriteContext(t *testing.T) {
	var first, second bytes.Buffer
	for _, b := range []*bytes.Buffer{&first, &second} {
		if err := WriteContext(b, []byte("ELF"), []byte("FROM scratch\n")); err != nil {
			t.Fatalf("WriteContext() error: %v", err)
		}
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("WriteContext() gave different bytes for the same inputs")
	}

	type entry struct {
		Name string
		Mode int64
		Body string
	}
	var got []entry
	tr := tar.NewReader(&first)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the context: %v", err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, entry{h.Name, h.Mode, string(body)})
	}
	want := []entry{{"Dockerfile", 0o644, "FROM scratch\n"}, {"blogctl", 0o755, "ELF"}, {"data/", 0o755, ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WriteContext() entries mismatch (-want +got):\n%s", diff)
	}
}

func TestGoArch(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"x86_64", "amd64", false},
		{"aarch64", "arm64", false},
		{"s390x", "s390x", false},
		{"mips", "", true},
	}
	for _, tt := range tests {
		got, err := GoArch(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("GoArch(%q) = %q, %v, want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFindSource(t *testing.T) {
	root := t.TempDir()
	mod := filepath.Join(root, "blogctl")
	deep := filepath.Join(mod, "internal", "x")
	other := filepath.Join(root, "other")
	for _, d := range []string{deep, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module "+Module+"\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)

	tests := []struct {
		name, dir, want string
	}{
		{"module root", mod, mod},
		{"below the root", deep, mod},
		{"another module", other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindSource(tt.dir)
			if tt.want == "" {
				if !errors.Is(err, ErrNoSource) || !strings.Contains(err.Error(), "--source") {
					t.Errorf("FindSource(%s) = %q, %v, want ErrNoSource naming --source", tt.dir, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("FindSource(%s) = %q, %v, want %q", tt.dir, got, err, tt.want)
			}
		})
	}
}

func TestPushError(t *testing.T) {
	tests := []struct {
		engineSays string
		want       error
		wantText   []string
	}{
		{"unauthorized: authentication required", ErrUnauthorized, []string{"docker login reg:5000", "reg:5000"}},
		{"no basic auth credentials", ErrUnauthorized, []string{"docker login reg:5000"}},
		{`Get "http://reg:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused`,
			ErrRegistryUnreachable, []string{"reg:5000", "registry runs"}},
		{"manifest invalid", nil, []string{"reg:5000"}},
	}
	for _, tt := range tests {
		t.Run(tt.engineSays, func(t *testing.T) {
			err := pushError("reg:5000/blog/posts:latest", "reg:5000", errors.New(tt.engineSays))
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("pushError(%q) = %v, want %v", tt.engineSays, err, tt.want)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("pushError(%q) = %q, want it to contain %q", tt.engineSays, err, s)
				}
			}
		})
	}
}

// recorder is a Progress that keeps what it was told.
type recorder struct{ lines []string }

func (r *recorder) Begin(task string)        { r.lines = append(r.lines, "begin "+task) }
func (r *recorder) Status(msg string)        { r.lines = append(r.lines, "status "+strings.TrimSpace(msg)) }
func (r *recorder) Count(c, t int64, _ bool) {}
func (r *recorder) End(summary string)       { r.lines = append(r.lines, "end "+summary) }

func TestFollowBuild(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		want    []string
		wantErr string
	}{
		{
			name: "success",
			stream: `{"stream":"Step 1/2 : FROM scratch\n"}{"stream":" ---\u003e \n"}` +
				`{"stream":"Step 2/2 : COPY blogctl /blogctl\n"}{"aux":{"ID":"sha256:abc"}}`,
			want: []string{"status Step 1/2 : FROM scratch", "status Step 2/2 : COPY blogctl /blogctl"},
		},
		{
			name:    "engine error",
			stream:  `{"stream":"Step 1/2 : FROM scratch\n"}{"errorDetail":{"message":"no space left"},"error":"no space left"}`,
			want:    []string{"status Step 1/2 : FROM scratch"},
			wantErr: "no space left",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			err := followBuild(strings.NewReader(tt.stream), &r)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("followBuild() error = %v, want %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, r.lines); diff != "" {
				t.Errorf("followBuild() progress mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false)
	p.Begin("building posts")
	p.End("posts is up to date")
	p.Begin("building query")
	p.Status("Step 1/2 : FROM scratch")
	p.Status("Step 1/2 : FROM scratch")
	p.End("built query")
	want := "posts is up to date\nbuilding query\n  Step 1/2 : FROM scratch\nbuilt query\n"
	if got := b.String(); got != want {
		t.Errorf("line progress wrote %q, want %q", got, want)
	}
}

func TestConnectNoEngine(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	_, err := Connect(t.Context())
	if !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), "DOCKER_HOST=unix://"+sock) {
		t.Errorf("Connect() with no engine = %v, want ErrNoEngine naming DOCKER_HOST", err)
	}
}
