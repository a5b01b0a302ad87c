package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Object is one object read from a manifest file.
type Object struct {
	// Path is the file it came from.
	Path string
	*unstructured.Unstructured
}

// ReadPaths reads every object of the given files and directories (the
// .yaml, .yml and .json files directly in a directory), in order.
func ReadPaths(paths []string) ([]Object, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	var objs []Object
	var errs []error
	for _, f := range files {
		read, err := ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, read...)
	}
	return objs, errors.Join(errs...)
}

func expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, missingPath(p, err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("reading manifests: %w", err)
		}
		var found []string
		for _, e := range entries {
			switch filepath.Ext(e.Name()) {
			case ".yaml", ".yml", ".json":
				found = append(found, filepath.Join(p, e.Name()))
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .yaml, .yml or .json file in %s: render them with "+
				"\"blogctl manifests --out %s\"", p, p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// missingPath explains a path that cannot be read: a directory that does
// not exist yet can be written by "blogctl manifests"; a file cannot.
func missingPath(p string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading manifests: %w", err)
	}
	if looksLikeFile(p) {
		return fmt.Errorf("reading manifests: file %s does not exist: name an existing file or "+
			"directory with -f", p)
	}
	return fmt.Errorf("reading manifests: directory %s does not exist: write the manifests into it "+
		"with \"blogctl manifests --out %s\", or name an existing directory with -f", p, p)
}

// looksLikeFile tells a path named as a manifest file from a directory.
func looksLikeFile(p string) bool {
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		return false
	}
	switch filepath.Ext(p) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// ReadFile reads every object of one YAML or JSON file.
func ReadFile(path string) ([]Object, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifests: %w", err)
	}
	r := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var objs []Object
	for i := 1; ; i++ {
		u := &unstructured.Unstructured{}
		err := r.Decode(&u.Object)
		if err == io.EOF {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading object %d of %s: %w", i, path, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("object %d of %s has no kind or apiVersion: "+
				"every object needs both", i, path)
		}
		objs = append(objs, Object{Path: path, Unstructured: u})
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

// stripComments drops comment lines, to tell an empty document.
func stripComments(doc []byte) string {
	var kept []string
	for _, l := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
