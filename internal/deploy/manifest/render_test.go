package manifest

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestRenderGolden(t *testing.T) {
	noStorage := DefaultConfig()
	noStorage.NoStorageClass = true
	noStorage.Images = map[string]string{"posts": "localhost:5001/blogctl/posts:sha-0123abcd"}
	noStorage.PullPolicy = corev1.PullNever

	exposed := DefaultConfig()
	exposed.ServiceTypes = map[string]corev1.ServiceType{"client": "LoadBalancer", "event-bus": "ExternalName"}
	exposed.ExternalNames = map[string]string{"event-bus": "bus.example.com"}
	exposed.StorageClass = "standard"
	exposed.PostsNodePort = 30080
	exposed.Words = "plum,kiwi"

	for name, cfg := range map[string]Config{"default": DefaultConfig(), "no-storage-class": noStorage,
		"service-types": exposed} {
		t.Run(name, func(t *testing.T) {
			files, err := Render(cfg)
			if err != nil {
				t.Fatalf("Render() = %v", err)
			}
			var all bytes.Buffer
			for _, f := range files {
				all.WriteString("### " + f.Name + "\n")
				all.Write(f.Content)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, all.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading %s (run with -update to create it): %v", golden, err)
			}
			if diff := cmp.Diff(string(want), all.String()); diff != "" {
				t.Errorf("Render() mismatch with %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestRenderDecodes checks that every rendered object decodes strictly
// into its API type, with the course's names and the settings that matter.
func TestRenderDecodes(t *testing.T) {
	files, err := Render(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		for _, obj := range decodeAll(t, f.Content) {
			switch o := obj.(type) {
			case *appsv1.Deployment:
				names = append(names, "Deployment/"+o.Name)
				checkPodSpec(t, o.Name, o.Spec.Template.Spec)
			case *corev1.Service:
				names = append(names, "Service/"+o.Name)
			case *corev1.PersistentVolumeClaim:
				names = append(names, "PersistentVolumeClaim/"+o.Name)
			case *networkingv1.Ingress:
				names = append(names, "Ingress/"+o.Name)
				checkIngress(t, o)
			}
		}
	}
	want := []string{
		"PersistentVolumeClaim/event-bus-depl-data", "Deployment/event-bus-depl", "Service/event-bus-srv",
		"Deployment/posts-depl", "Service/posts-clusterip-srv",
		"Deployment/comments-depl", "Service/comments-srv",
		"Deployment/query-depl", "Service/query-srv",
		"Deployment/moderation-depl", "Service/moderation-srv",
		"Deployment/client-depl", "Service/client-srv",
		"Service/posts-srv", "Ingress/ingress-srv",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("rendered objects mismatch (-want +got):\n%s", diff)
	}
}

// TestRenderWords checks that --words reaches the moderation container as
// BLOGCTL_WORDS, and only it, and that nothing is set when it is empty.
func TestRenderWords(t *testing.T) {
	for _, tc := range []struct {
		words string
		want  map[string]string
	}{
		{words: "", want: map[string]string{}},
		{words: "plum,kiwi", want: map[string]string{"moderation": "plum,kiwi"}},
		{words: `it's "odd": #1`, want: map[string]string{"moderation": `it's "odd": #1`}},
	} {
		t.Run(tc.words, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Words = tc.words
			files, err := Render(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range files {
				for _, obj := range decodeAll(t, f.Content) {
					d, ok := obj.(*appsv1.Deployment)
					if !ok {
						continue
					}
					c := d.Spec.Template.Spec.Containers[0]
					for _, e := range c.Env {
						if e.Name == "BLOGCTL_WORDS" {
							got[c.Name] = e.Value
						}
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BLOGCTL_WORDS per container mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func checkPodSpec(t *testing.T, name string, spec corev1.PodSpec) {
	t.Helper()
	c := spec.Containers[0]
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("%s: probes on %q and %q, want /readyz and /healthz", name,
			c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path)
	}
	if c.SecurityContext == nil || c.SecurityContext.RunAsNonRoot == nil || !*c.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: container may run as root", name)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: no memory request or limit", name)
	}
}

func checkIngress(t *testing.T, ing *networkingv1.Ingress) {
	t.Helper()
	if ing.Annotations["nginx.ingress.kubernetes.io/use-regex"] != "true" {
		t.Errorf("ingress: use-regex annotation missing")
	}
	paths := ing.Spec.Rules[0].HTTP.Paths
	var got []string
	for _, p := range paths {
		got = append(got, p.Path+" "+p.Backend.Service.Name+" "+string(*p.PathType))
	}
	want := []string{
		"/posts/create posts-clusterip-srv ImplementationSpecific",
		"/posts query-srv ImplementationSpecific",
		"/posts/?(.*)/comments comments-srv ImplementationSpecific",
		"/?(.*) client-srv ImplementationSpecific",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ingress paths mismatch (-want +got):\n%s", diff)
	}
}

func decodeAll(t *testing.T, content []byte) []runtime.Object {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufioReader(content))
	var objs []runtime.Object
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return objs
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("decoding %s: %v", doc, err)
		}
		objs = append(objs, obj)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"pull policy", func(c *Config) { c.PullPolicy = "Sometimes" },
			`image pull policy "Sometimes" is not valid: use Always, IfNotPresent or Never`},
		{"external name without host", func(c *Config) {
			c.ServiceTypes = map[string]corev1.ServiceType{"event-bus": "ExternalName"}
		}, "service event-bus has type ExternalName but no host: give one with --external-name event-bus=HOST"},
		{"service type of an unknown service", func(c *Config) {
			c.ServiceTypes = map[string]corev1.ServiceType{"foo": "NodePort"}
		}, "--service-type foo=NodePort: no service is named foo: " +
			"use one of event-bus, posts, comments, query, moderation, client"},
		{"external name of an unknown service", func(c *Config) {
			c.ExternalNames = map[string]string{"blog": "x.example.com"}
		}, "--external-name blog=x.example.com: no service is named blog: " +
			"use one of event-bus, posts, comments, query, moderation, client"},
		{"external name without the type", func(c *Config) {
			c.ExternalNames = map[string]string{"posts": "x.example.com"}
		}, "--external-name posts=x.example.com: service posts has type ClusterIP, and only an " +
			"ExternalName service points at a host: add --service-type posts=ExternalName"},
		{"service type", func(c *Config) { c.ServiceType = "Headless" },
			`service type "Headless" of event-bus is not valid: use ClusterIP, NodePort, LoadBalancer or ExternalName`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			_, err := Render(c)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Render() = %v, want %q", err, tc.want)
			}
		})
	}
}
