package manifest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// FindDeployment returns the file in dir that holds the Deployment of a
// service (the one whose selector has app: service) and its name.
func FindDeployment(dir, service string) (path, name string, err error) {
	objs, err := ReadPaths([]string{dir})
	if err != nil {
		return "", "", err
	}
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		app, _, _ := unstructuredString(o.Object, "spec", "selector", "matchLabels", "app")
		if app == service || o.GetName() == service {
			return o.Path, o.GetName(), nil
		}
	}
	return "", "", fmt.Errorf("no Deployment of service %s in %s: render the manifests with "+
		"\"blogctl manifests --out %s\"", service, dir, dir)
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// SetPullPolicy sets imagePullPolicy of a container of a Deployment in the
// YAML file at path, editing the text in place so that comments and layout
// stay as they are. It reports whether the file changed.
func SetPullPolicy(path, deployment, container, policy string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("editing %s: %w", path, err)
	}
	docs := splitDocs(b)
	changed, found := false, false
	for i, doc := range docs {
		if !isDeployment(doc, deployment) {
			continue
		}
		found = true
		edited, ok := setPolicyInDoc(doc, container, policy)
		if !ok {
			return false, fmt.Errorf("editing %s: deployment %s has no container %s", path, deployment, container)
		}
		changed = changed || edited != doc
		docs[i] = edited
	}
	if !found {
		return false, fmt.Errorf("editing %s: no Deployment %s in it", path, deployment)
	}
	if !changed {
		return false, nil
	}
	if err := os.WriteFile(path, []byte(strings.Join(docs, "")), 0o644); err != nil {
		return false, fmt.Errorf("editing %s: %w", path, err)
	}
	return true, nil
}

// splitDocs splits a YAML stream and keeps each separator with the
// document after it, so that joining the parts gives the file back.
func splitDocs(b []byte) []string {
	idx := docSeparator.FindAllIndex(b, -1)
	var docs []string
	start := 0
	for _, m := range idx {
		docs = append(docs, string(b[start:m[0]]))
		start = m[0]
	}
	return append(docs, string(b[start:]))
}

func isDeployment(doc, name string) bool {
	return regexp.MustCompile(`(?m)^kind:\s*Deployment\s*$`).MatchString(doc) &&
		regexp.MustCompile(`(?m)^  name:\s*"?`+regexp.QuoteMeta(name)+`"?\s*$`).MatchString(doc)
}

// setPolicyInDoc finds "- name: container" in the document and sets the
// imagePullPolicy line of that list item, adding one after its image line
// when there is none.
func setPolicyInDoc(doc, container, policy string) (string, bool) {
	lines := strings.SplitAfter(doc, "\n")
	item := regexp.MustCompile(`^(\s*)- name:\s*"?` + regexp.QuoteMeta(container) + `"?\s*$`)
	for i, l := range lines {
		m := item.FindStringSubmatch(strings.TrimRight(l, "\n"))
		if m == nil {
			continue
		}
		indent := m[1] + "  "
		end := itemEnd(lines, i, len(m[1]))
		imageAt := -1
		for j := i; j < end; j++ {
			key := strings.TrimSpace(strings.TrimPrefix(lines[j], indent))
			if j == i {
				key = "name:"
			}
			switch {
			case strings.HasPrefix(lines[j], indent) && strings.HasPrefix(key, "imagePullPolicy:"):
				lines[j] = indent + "imagePullPolicy: " + policy + "\n"
				return strings.Join(lines, ""), true
			case strings.HasPrefix(lines[j], indent) && strings.HasPrefix(key, "image:"):
				imageAt = j
			}
		}
		if imageAt < 0 {
			return doc, false
		}
		add := indent + "imagePullPolicy: " + policy + "\n"
		lines = append(lines[:imageAt+1], append([]string{add}, lines[imageAt+1:]...)...)
		return strings.Join(lines, ""), true
	}
	return doc, false
}

// itemEnd is the line after the list item that starts at line i with its
// dash at column dash.
func itemEnd(lines []string, i, dash int) int {
	for j := i + 1; j < len(lines); j++ {
		l := strings.TrimRight(lines[j], "\n")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(l)-len(strings.TrimLeft(l, " ")) <= dash {
			return j
		}
	}
	return len(lines)
}

func unstructuredString(obj map[string]any, path ...string) (string, bool, error) {
	cur := any(obj)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur = m[p]
	}
	s, ok := cur.(string)
	return s, ok, nil
}
