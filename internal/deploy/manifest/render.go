package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/blogctl/blogctl/internal/blog"
	"github.com/blogctl/blogctl/templates"
)

// File is one rendered manifest file.
type File struct {
	// Name is the file's name in the manifests directory, such as posts.yaml.
	Name    string
	Content []byte
}

// Default file names of the objects that are not one service's.
const (
	PostsNodePortFile = "posts-nodeport.yaml"
	IngressFile       = "ingress.yaml"
)

// ClaimName is the PersistentVolumeClaim of a service that keeps data: the
// event bus's log.
func ClaimName(svc blog.Service) string { return svc.Deployment + "-data" }

// BusClaim returns the event bus's claim the configuration renders, and
// false when it renders none: with NoStorageClass, or when the bus runs
// elsewhere (ExternalName).
func (c Config) BusClaim() (string, bool) {
	svc, ok := c.lookup(blog.EventBus)
	if !ok || c.NoStorageClass || c.serviceType(blog.EventBus) == "ExternalName" {
		return "", false
	}
	return ClaimName(svc), true
}

// FileName returns the manifest file of a service.
func FileName(service string) string { return service + ".yaml" }

// serviceData is what service.yaml.tmpl and event-bus.yaml.tmpl see.
type serviceData struct {
	blog.Service
	Image, PullPolicy, ServiceType, ExternalName string
	EventBusURL, Subscribers, Words              string
	Replicas                                     int
	ClaimName, StorageClass, StorageSize         string
	NoStorageClass                               bool
	CPURequest, MemoryRequest, MemoryLimit       string
}

// Render renders every manifest file of the system.
func Render(c Config) ([]File, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t, err := parse()
	if err != nil {
		return nil, err
	}

	var files []File
	for _, svc := range c.Services {
		name := "service.yaml.tmpl"
		if svc.Name == blog.EventBus {
			name = "event-bus.yaml.tmpl"
		}
		f, err := execute(t, name, FileName(svc.Name), c.serviceData(svc))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	extra, err := c.renderExtras(t)
	if err != nil {
		return nil, err
	}
	return append(files, extra...), nil
}

// renderExtras renders the posts NodePort and the Ingress, when the
// services they point at are rendered.
func (c Config) renderExtras(t *template.Template) ([]File, error) {
	var files []File
	if posts, ok := c.lookup(blog.Posts); ok {
		data := map[string]any{"Name": blog.PostsNodePortName, "Posts": posts, "NodePort": c.PostsNodePort}
		f, err := execute(t, "posts-nodeport.yaml.tmpl", PostsNodePortFile, data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	routes := c.ingressRoutes()
	if len(routes) == 0 {
		return files, nil
	}
	data := map[string]any{"Name": blog.IngressName, "Host": c.IngressHost,
		"ClassName": c.IngressClass, "Routes": routes}
	f, err := execute(t, "ingress.yaml.tmpl", IngressFile, data)
	if err != nil {
		return nil, err
	}
	return append(files, f), nil
}

type route struct {
	Path        string
	ServiceName string
	Port        int
}

// ingressRoutes are the course's paths, in the order ingress-nginx must try
// them: the client's catch-all last.
func (c Config) ingressRoutes() []route {
	paths := []struct{ path, service string }{
		{"/posts/create", blog.Posts},
		{"/posts", blog.Query},
		{"/posts/?(.*)/comments", blog.Comments},
		{"/?(.*)", blog.Client},
	}
	var routes []route
	for _, p := range paths {
		if svc, ok := c.lookup(p.service); ok {
			routes = append(routes, route{p.path, svc.ServiceName, svc.Port})
		}
	}
	return routes
}

func (c Config) serviceData(svc blog.Service) serviceData {
	d := serviceData{
		Service: svc, Image: c.Image(svc.Name), PullPolicy: string(c.PullPolicy),
		ServiceType: string(c.serviceType(svc.Name)), ExternalName: c.ExternalNames[svc.Name],
		EventBusURL: c.url(blog.EventBus), Replicas: c.Replicas,
		ClaimName: ClaimName(svc), StorageClass: c.StorageClass,
		StorageSize: c.StorageSize, NoStorageClass: c.NoStorageClass,
		CPURequest: c.CPURequest, MemoryRequest: c.MemoryRequest, MemoryLimit: c.MemoryLimit,
	}
	if svc.Name == blog.EventBus {
		d.Subscribers = c.subscribers()
	}
	if svc.Name == blog.Moderation {
		d.Words = c.Words
	}
	return d
}

// parse reads every template, with the two helpers the templates use:
// include (a named template as a string) and nindent.
func parse() (*template.Template, error) {
	t := template.New("k8s")
	t.Funcs(template.FuncMap{
		"include": func(name string, data any) (string, error) {
			var b bytes.Buffer
			err := t.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
	})
	if _, err := t.ParseFS(templates.FS, "k8s/*.tmpl"); err != nil {
		return nil, fmt.Errorf("reading the manifest templates: %w", err)
	}
	return t, nil
}

func execute(t *template.Template, tmpl, file string, data any) (File, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, tmpl, data); err != nil {
		return File{}, fmt.Errorf("rendering %s: %w", file, err)
	}
	return File{Name: file, Content: b.Bytes()}, nil
}

// Write writes files into dir, creating it, and returns their paths.
func Write(dir string, files []File) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the manifests directory: %w", err)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return paths, fmt.Errorf("writing %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
