//go:build !serveonly

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/blogctl/blogctl/internal/deploy/image"
	"github.com/blogctl/blogctl/internal/testenv"
)

func TestBuildCommandJSON(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	engine, err := image.Connect(ctx)
	var why string
	if err != nil {
		why = err.Error()
	}
	testenv.Need(t, err == nil, "a Docker engine", why)
	defer engine.Close()

	b := make([]byte, 4)
	rand.Read(b)
	prefix := "blogctltest-" + hex.EncodeToString(b)
	var out, errOut bytes.Buffer
	cmd := NewRootCmd(&Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"build", "moderation", "--image-prefix", prefix, "-o", "json"})
	err = cmd.ExecuteContext(context.Background())

	var results []image.Result
	if jerr := json.Unmarshal(out.Bytes(), &results); err != nil || jerr != nil {
		t.Fatalf("blogctl build -o json = %v, %q (%v); stderr:\n%s", err, out.String(), jerr, errOut.String())
	}
	for _, r := range results {
		t.Cleanup(func() {
			for _, ref := range []string{r.Image, prefix + "/moderation:latest"} {
				engine.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: true})
			}
		})
	}
	if len(results) != 1 || results[0].Service != "moderation" || results[0].ID == "" ||
		!strings.HasPrefix(results[0].Image, prefix+"/moderation:sha-") {
		t.Errorf("blogctl build -o json printed %+v, want one moderation image under %s", results, prefix)
	}
	if !strings.Contains(errOut.String(), "built "+prefix+"/moderation:sha-") {
		t.Errorf("blogctl build wrote %q on stderr, want the progress with the image built", errOut.String())
	}
}
