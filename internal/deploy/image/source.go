package image

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Module is the Go module path of blogctl's source.
const Module = "github.com/blogctl/blogctl"

// ServeOnlyTag is the build tag that leaves everything but "blogctl serve"
// (and the health probe) out of the binary.
const ServeOnlyTag = "serveonly"

// ErrNoSource is returned when no blogctl source tree is found.
var ErrNoSource = errors.New("no blogctl source found")

// FindSource returns the root of the blogctl module that holds dir: the first
// directory, from dir upwards, whose go.mod declares Module.
func FindSource(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding blogctl's source from %s: %w", dir, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if modulePath(filepath.Join(d, "go.mod")) == Module {
			return d, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("%w in %s or above it: run this in a clone of blogctl, "+
		"or pass --source with the path of one", ErrNoSource, abs)
}

// modulePath returns the module path a go.mod declares, or "".
func modulePath(gomod string) string {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// Compile builds a static Linux blogctl for goarch from the module at src,
// with only the serving code, into out. The Go toolchain skips the link when
// out is already up to date, so an unchanged source costs little.
func Compile(ctx context.Context, src, goarch, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("compiling blogctl: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", ServeOnlyTag,
		"-ldflags", "-s -w", "-o", out, "./cmd/blogctl")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("compiling blogctl: %w: install Go (https://go.dev/dl) and put it on PATH", err)
		}
		return fmt.Errorf("compiling blogctl for linux/%s in %s: %w\n%s", goarch, src, err, stderr.String())
	}
	return nil
}

// GoArch maps an engine's architecture, as Info reports it, to GOARCH.
func GoArch(engineArch string) (string, error) {
	switch engineArch {
	case "x86_64", "amd64":
		return "amd64", nil
	case "aarch64", "arm64":
		return "arm64", nil
	case "armv7l", "arm":
		return "arm", nil
	case "s390x", "ppc64le", "riscv64":
		return engineArch, nil
	}
	return "", fmt.Errorf("the Docker engine runs on %q, an architecture blogctl cannot build for",
		engineArch)
}
