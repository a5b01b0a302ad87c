package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"text/template"

	"github.com/blogctl/blogctl/templates"
)

// Service is what an image needs to know about the service it runs.
type Service struct {
	// Name is the argument of "blogctl serve".
	Name string
	// Port is the port the service listens on, exposed by the image.
	Port int
}

// RenderDockerfile renders templates/docker/Dockerfile.tmpl for svc.
func RenderDockerfile(svc Service) ([]byte, error) {
	t, err := template.ParseFS(templates.FS, "docker/Dockerfile.tmpl")
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfile template: %w", err)
	}
	var b bytes.Buffer
	data := struct {
		Service string
		Port    int
	}{svc.Name, svc.Port}
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("rendering the Dockerfile for %s: %w", svc.Name, err)
	}
	return b.Bytes(), nil
}

// InputTag returns the immutable tag of an image built from binary and
// dockerfile: "sha-" and the first 12 hex digits of their SHA-256.
func InputTag(binary, dockerfile []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "dockerfile %d\n", len(dockerfile))
	h.Write(dockerfile)
	fmt.Fprintf(h, "binary %d\n", len(binary))
	h.Write(binary)
	return "sha-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// WriteContext writes the build context as a tar stream: the Dockerfile, the
// binary as blogctl and an empty data directory. Headers carry no time or
// owner, so the same inputs give the same bytes.
func WriteContext(w io.Writer, binary, dockerfile []byte) error {
	tw := tar.NewWriter(w)
	entries := []struct {
		hdr  tar.Header
		body []byte
	}{
		{tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}, dockerfile},
		{tar.Header{Name: "blogctl", Mode: 0o755, Size: int64(len(binary))}, binary},
		{tar.Header{Name: "data/", Mode: 0o755, Typeflag: tar.TypeDir}, nil},
	}
	for _, e := range entries {
		hdr := e.hdr
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(&hdr); err != nil {
			return fmt.Errorf("writing %s to the build context: %w", hdr.Name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return fmt.Errorf("writing %s to the build context: %w", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("closing the build context: %w", err)
	}
	return nil
}
