package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The real blogctl binary, built once for the tests that run the real
// services.
var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func blogctlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "blogctl-local-test")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "blogctl"),
			"github.com/blogctl/blogctl/cmd/blogctl")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building blogctl: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "blogctl")
}

func removeBinary() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// realSystem is the whole blog system run by Up from the real binary.
type realSystem struct {
	gateway string
	cfg     Config
}

// startRealSystem runs the real services under the supervisor on free ports
// until the test ends.
func startRealSystem(t *testing.T) *realSystem {
	t.Helper()
	bin := blogctlBinary(t)
	base, gw := freePorts(t)
	cfg := Config{
		Binary: bin, DataDir: t.TempDir(), PortBase: base, GatewayPort: gw,
		ReadyTimeout: 60 * time.Second, Grace: 10 * time.Second,
		Out: &syncBuffer{}, ErrOut: &syncBuffer{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := startUp(ctx, cfg)
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("stopping the system: %v", err)
		}
		t.Logf("up's stderr:\n%s", cfg.ErrOut.(*syncBuffer).String())
	})

	deadline := time.After(90 * time.Second)
	for {
		if _, err := ReadState(cfg.DataDir); err == nil {
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("starting the system: %v", err)
		case <-deadline:
			t.Fatal("the system was not ready within 90s")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return &realSystem{gateway: fmt.Sprintf("http://127.0.0.1:%d", gw), cfg: cfg}
}

// call sends a JSON request to the gateway and decodes the answer into out.
func (s *realSystem) call(t *testing.T, method, path string, in, out any) int {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, err := http.NewRequest(method, s.gateway+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding the answer: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

type comment struct {
	ID      string `json:"id"`
	Content string `json:"content"`
	Status  string `json:"status"`
}

type post struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Comments []comment `json:"comments"`
}

// TestCourseClientThroughGateway drives the gateway as the course's client
// does, with plain HTTP calls on the ingress's routes.
func TestCourseClientThroughGateway(t *testing.T) {
	sys := startRealSystem(t)

	var p post
	if code := sys.call(t, "POST", "/posts/create", map[string]string{"title": "Course"}, &p); code != 201 {
		t.Fatalf("POST /posts/create = %d, want 201", code)
	}
	if len(p.ID) != 8 || p.Title != "Course" {
		t.Errorf("POST /posts/create answered %+v, want an 8-character id and the title", p)
	}

	var cs []comment
	path := "/posts/" + p.ID + "/comments"
	if code := sys.call(t, "POST", path, map[string]string{"content": "nice"}, &cs); code != 201 {
		t.Fatalf("POST %s = %d, want 201", path, code)
	}
	if code := sys.call(t, "POST", path, map[string]string{"content": "an orange"}, &cs); code != 201 {
		t.Fatalf("POST %s = %d, want 201", path, code)
	}
	// The answer is every comment of the post; the new one is pending.
	if len(cs) != 2 || cs[1].Content != "an orange" || cs[1].Status != "pending" {
		t.Errorf("POST %s answered %+v, want both comments, the new one pending", path, cs)
	}
	if code := sys.call(t, "GET", path, nil, &cs); code != 200 || len(cs) != 2 {
		t.Errorf("GET %s = %d %+v, want 200 and two comments", path, code, cs)
	}

	// The query service, behind GET /posts, converges on the moderation.
	want := map[string]string{"nice": "approved", "an orange": "rejected"}
	waitFor(t, func() bool {
		var posts map[string]post
		if sys.call(t, "GET", "/posts", nil, &posts) != 200 {
			return false
		}
		got := map[string]string{}
		for _, c := range posts[p.ID].Comments {
			got[c.Content] = c.Status
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	})
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
